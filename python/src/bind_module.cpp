// Modules (Compartment, Branch, Cell, read_swc), views, and step currents.
#include <array>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "frontend/module.h"
#include "frontend/stimulus.h"
#include "frontend/d_lambda.h"
#include "frontend/read_swc.h"
#include "frontend/swc.h"
#include "ir/error.h"

namespace ranvier::python {
namespace {

using Array2D = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

std::vector<std::vector<double>> rows(const Array2D& a) {
  std::vector<std::vector<double>> out(a.shape(0));
  for (std::size_t i = 0; i < a.shape(0); ++i) out[i].assign(a.data() + i * a.shape(1), a.data() + (i + 1) * a.shape(1));
  return out;
}

nb::ndarray<nb::numpy, double> vec(const std::vector<double>& v) { return to_numpy(v, {v.size()}); }

Scope scope_from(const std::string& s) {
  if (s == "local") return Scope::Local;
  if (s == "global") return Scope::Global;
  fail("scope '{}' is not understood; use \"local\" or \"global\"", s);
}

template <typename Self>
void bind_view_ops(nb::class_<Self>& c) {
  c.def("set", [](Self& s, const std::string& key, double value) { s.set(key, value); }, nb::arg("key"), nb::arg("value"))
      .def("insert", [](Self& s, const Mechanism& mech) { s.insert(mech); }, nb::arg("mechanism"))
      .def("stimulate", [](Self& s, const Array1D& cur) { s.stimulate(to_vector(cur)); }, nb::arg("current"))
      .def("clamp", [](Self& s, const std::string& state, const Array1D& v) { s.clamp(state, to_vector(v)); }, nb::arg("state"),
           nb::arg("values"))
      .def("record", [](Self& s, const std::string& state) { s.record(state); }, nb::arg("state") = "v")
      .def("make_trainable", [](Self& s, const std::string& key, std::optional<double> init) { s.make_trainable(key, init); },
           nb::arg("key"), nb::arg("init_val") = nb::none());
}

}  // namespace

void bind_module(nb::module_& m) {
  nb::class_<View> view(m, "View", "A selection of compartments of a module.");
  bind_view_ops(view);
  // Indices: an integer, a list of integers or "all" (the Python layer turns ranges, arrays and
  // slices into lists).
  view.def("cell", [](const View& v, int i) { return v.cell(i); }, nb::keep_alive<0, 1>())
      .def("cell", [](const View& v, const std::string& s) { return v.cell(s); }, nb::keep_alive<0, 1>())
      .def("cell", [](const View& v, const std::vector<int>& i) { return v.cell(i); }, nb::keep_alive<0, 1>())
      .def("branch", [](const View& v, int i) { return v.branch(i); }, nb::keep_alive<0, 1>())
      .def("branch", [](const View& v, const std::string& s) { return v.branch(s); }, nb::keep_alive<0, 1>())
      .def("branch", [](const View& v, const std::vector<int>& i) { return v.branch(i); }, nb::keep_alive<0, 1>())
      .def("comp", [](const View& v, int j) { return v.comp(j); }, nb::keep_alive<0, 1>())
      .def("comp", [](const View& v, const std::string& s) { return v.comp(s); }, nb::keep_alive<0, 1>())
      .def("comp", [](const View& v, const std::vector<int>& j) { return v.comp(j); }, nb::keep_alive<0, 1>())
      .def("loc", [](const View& v, double x) { return v.loc(x); }, nb::keep_alive<0, 1>())
      .def("loc", [](const View& v, const std::vector<double>& xs) { return v.loc(xs); }, nb::keep_alive<0, 1>())
      .def("loc", [](const View& v, const std::string& s) {
        if (s != "all") fail("loc('{}') is not understood; use a position in [0, 1], a list of them, or \"all\"", s);
        return v.loc_all();
      }, nb::keep_alive<0, 1>())
      .def("select", &View::select, nb::keep_alive<0, 1>(), nb::arg("nodes"))
      .def("group", &View::group, nb::keep_alive<0, 1>(), nb::arg("name"))
      .def("scope", [](const View& v, const std::string& s) { return v.scope(scope_from(s)); }, nb::keep_alive<0, 1>())
      .def_prop_ro("scope_name", [](const View& v) { return std::string(v.scope() == Scope::Local ? "local" : "global"); })
      .def_prop_ro("index_columns", [](const View& v) {
        IndexColumns t = v.index_columns();
        return std::make_tuple(t.global_cell, t.global_branch, t.global_comp, t.local_cell, t.local_branch, t.local_comp,
                               t.controlled_by_param);
      }, "(global_cell, global_branch, global_comp, local_cell, local_branch, local_comp, controlled_by_param), row by row")
      .def("set", [](const View& v, const std::string& key, const std::vector<double>& values) { v.set_values(key, values); },
           nb::arg("key"), nb::arg("values"))
      .def("stimulate", [](View& v, const Array2D& cur) { v.stimulate(rows(cur)); }, nb::arg("current"))
      .def("clamp", [](View& v, const std::string& state, const Array2D& x) { v.clamp(state, rows(x)); }, nb::arg("state"),
           nb::arg("values"))
      .def("set_ncomp", [](const View& v, int ncomp, std::optional<double> min_radius) { v.set_ncomp(ncomp, min_radius); },
           nb::arg("ncomp"), nb::arg("min_radius") = nb::none())
      .def_prop_ro("comps", [](const View& v) { return v.comps(); });

  nb::class_<Module> mod(m, "Module", "A compartment, branch or cell.");
  bind_view_ops(mod);
  mod.def("view", &Module::view, nb::keep_alive<0, 1>())
      .def("set_scope", [](Module& x, const std::string& s) { x.set_scope(scope_from(s)); }, nb::arg("scope"))
      .def("group", &Module::group, nb::keep_alive<0, 1>(), nb::arg("name"))
      // The members of a group, possibly none (morph_delete can empty one); group() refuses an empty view.
      .def("group_comps", &Module::group_comps, nb::arg("name"))
      .def("init_states", &Module::init_states, nb::arg("delta_t") = 0.025)
      .def("delete_recordings", &Module::delete_recordings)
      .def("delete_stimuli", &Module::delete_stimuli)
      .def("delete_clamps", &Module::delete_clamps, nb::arg("state") = nb::none())
      .def("delete_trainables", &Module::delete_trainables)
      .def("add_to_group", &Module::add_to_group, nb::arg("name"), nb::arg("comps"))
      .def("add_trainable", &Module::add_trainable, nb::arg("key"), nb::arg("groups"), nb::arg("init"))
      .def_prop_ro("edge_order", &Module::edge_order)
      .def("set_allowed_nodes_per_level", &Module::set_allowed_nodes_per_level, nb::arg("k"))
      .def_prop_ro("allowed_nodes_per_level", &Module::allowed_nodes_per_level)
      .def_prop_ro("n_comp", &Module::n_comp)
      .def_prop_ro("n_branches", &Module::n_branches)
      .def_prop_ro("parents", &Module::parents)
      .def_prop_ro("ncomp_per_branch", &Module::ncomp_per_branch)
      .def("first_comp", &Module::first_comp)
      .def_prop_ro("branch_of_comp", [](const Module& x) {
        std::vector<int> b;
        for (int c = 0; c < x.n_comp(); ++c) b.push_back(x.branch_of(c));
        return b;
      })
      .def_prop_ro("column_names", &Module::column_names)
      .def("column", [](const Module& x, const std::string& name) { return vec(x.column(name)); }, nb::arg("name"))
      .def("has_column", &Module::has_column)
      .def_prop_ro("mechanisms", &Module::mechanisms)
      .def("mechanism_comps", [](const Module& x, std::size_t mi) {
        if (mi >= x.mechanisms().size()) fail("no mechanism {}", mi);
        std::vector<int> comps;
        for (int c = 0; c < x.n_comp(); ++c)
          if (x.has_mechanism(mi, c)) comps.push_back(c);
        return comps;
      })
      .def_prop_ro("recordings", [](const Module& x) {
        std::vector<std::tuple<int, std::string>> out;
        for (const auto& r : x.recordings()) out.emplace_back(r.comp, r.state);
        return out;
      })
      .def_prop_ro("stimuli", [](const Module& x) {
        nb::list out;
        for (const auto& s : x.stimuli()) out.append(nb::make_tuple(s.comp, vec(s.current)));
        return out;
      })
      .def_prop_ro("clamps", [](const Module& x) {
        nb::list out;
        for (const auto& c : x.clamps()) out.append(nb::make_tuple(c.state, c.comp, vec(c.values)));
        return out;
      })
      .def_prop_ro("trainables", [](const Module& x) {
        std::vector<std::tuple<std::string, std::vector<std::vector<int>>, std::vector<double>>> out;
        for (const auto& t : x.trainables()) out.emplace_back(t.key, t.groups, t.init);
        return out;
      })
      .def_prop_ro("group_names", &Module::group_names)
      .def("lower_text", [](const Module& x) { return x.lower().print(); }, "The model IR as text (validates the model).");

  // Coordinates (frontend/geometry.cpp): ranvier/modules/geometry.py keeps Jaxley's xyzr
  // and x, y, z columns here, so copies, networks and set_ncomp carry them along.
  mod.def("xyzr", [](const Module& x, int b) {
       if (b < 0 || b >= x.n_branches()) fail("xyzr: branch {} does not exist (the module has {})", b, x.n_branches());
       std::vector<double> flat;
       for (const auto& p : x.xyzr(b)) flat.insert(flat.end(), p.begin(), p.end());
       return to_numpy(std::move(flat), {x.xyzr(b).size(), 4});
     }, nb::arg("branch"), "Points (x, y, z, r in um) of a branch, shape (n, 4); n = 0 when none are known.")
      .def("set_xyzr", [](Module& x, int b, const Array2D& points) {
        if (points.shape(1) != 4) fail("xyzr of branch {}: expected shape (n, 4), got ({}, {})", b, points.shape(0), points.shape(1));
        std::vector<std::array<double, 4>> pts(points.shape(0));
        for (std::size_t i = 0; i < pts.size(); ++i)
          for (int k = 0; k < 4; ++k) pts[i][k] = points.data()[i * 4 + k];
        x.set_xyzr(b, std::move(pts));
      }, nb::arg("branch"), nb::arg("points"))
      .def("has_traced_xyzr", &Module::has_traced_xyzr, nb::arg("branch"))
      .def("path_distance", &Module::path_distance, nb::arg("from_comp"),
           "Path length (um) from the centre of compartment `from_comp` to every compartment's centre (-1: other cell).")
      .def("set_coordinates", [](Module& x, const std::vector<int>& comps, const Array2D& xyz) {
        if (xyz.shape(1) != 3) fail("set_coordinates: expected shape (n, 3), got ({}, {})", xyz.shape(0), xyz.shape(1));
        std::vector<std::array<double, 3>> pts(xyz.shape(0));
        for (std::size_t i = 0; i < pts.size(); ++i)
          for (int k = 0; k < 3; ++k) pts[i][k] = xyz.data()[i * 3 + k];
        x.set_coordinates(comps, pts);
      }, nb::arg("comps"), nb::arg("xyz"), "Set the x, y, z columns (um) of `comps` (creates them if missing).");

  nb::class_<Compartment, Module>(m, "Compartment")
      .def(nb::init<>())
      .def("copy", [](const Compartment& x) { return Compartment(x); });
  nb::class_<Branch, Module>(m, "Branch")
      .def(nb::init<const Compartment&, int>(), nb::arg("compartment"), nb::arg("ncomp") = 1)
      .def(nb::init<const std::vector<Compartment>&>(), nb::arg("compartments"))
      .def("copy", [](const Branch& x) { return Branch(x); });
  nb::class_<Cell, Module>(m, "Cell")
      .def(nb::init<const Branch&, const std::vector<int>&>(), nb::arg("branch"), nb::arg("parents"))
      .def(nb::init<const std::vector<Branch>&, const std::vector<int>&>(), nb::arg("branches"), nb::arg("parents"))
      .def("copy", [](const Cell& x) { return Cell(x); });

  m.def(
      "read_swc",
      [](const std::string& path, int ncomp, std::optional<double> max_branch_len, std::optional<double> min_radius,
         bool assign_groups, bool ignore_swc_tracing_interruptions, std::optional<std::vector<int>> relevant_type_ids) {
        swc::ReadOptions o;
        o.ncomp = ncomp;
        o.max_branch_len = max_branch_len;
        o.min_radius = min_radius;
        o.assign_groups = assign_groups;
        o.ignore_swc_tracing_interruptions = ignore_swc_tracing_interruptions;
        if (relevant_type_ids) o.relevant_type_ids = *relevant_type_ids;
        nb::gil_scoped_release release;
        return ranvier::read_swc(path, o);
      },
      nb::arg("fname"), nb::arg("ncomp"), nb::arg("max_branch_len") = nb::none(), nb::arg("min_radius") = nb::none(),
      nb::arg("assign_groups") = true, nb::arg("ignore_swc_tracing_interruptions") = true,
      nb::arg("relevant_type_ids") = nb::none());

  m.def("d_lambda_ncomp", [](const Module& x, double frequency, double d_lambda) { return d_lambda_ncomp(x, frequency, d_lambda); },
        nb::arg("module"), nb::arg("frequency") = 100.0, nb::arg("d_lambda") = 0.1);
  m.def("apply_d_lambda", [](Module& x, double frequency, double d_lambda) { return apply_d_lambda(x, frequency, d_lambda); },
        nb::arg("module"), nb::arg("frequency") = 100.0, nb::arg("d_lambda") = 0.1);

  m.def("step_current", [](double i_delay, double i_dur, double i_amp, double delta_t, double t_max, double i_offset) {
    return vec(step_current(i_delay, i_dur, i_amp, delta_t, t_max, i_offset));
  }, nb::arg("i_delay"), nb::arg("i_dur"), nb::arg("i_amp"), nb::arg("delta_t"), nb::arg("t_max"), nb::arg("i_offset") = 0.0);
  m.def("datapoint_to_step_currents",
        [](double i_delay, double i_dur, const std::vector<double>& i_amps, double delta_t, double t_max, double i_offset) {
          auto r = datapoint_to_step_currents(i_delay, i_dur, i_amps, delta_t, t_max, i_offset);
          std::vector<double> flat;
          std::size_t T = r.empty() ? 0 : r[0].size();
          for (const auto& row : r) flat.insert(flat.end(), row.begin(), row.end());
          return to_numpy(std::move(flat), {r.size(), T});
        },
        nb::arg("i_delay"), nb::arg("i_dur"), nb::arg("i_amps"), nb::arg("delta_t"), nb::arg("t_max"), nb::arg("i_offset") = 0.0);
}

}  // namespace ranvier::python

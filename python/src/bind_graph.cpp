// The C++ pieces behind ranvier.io.graph (Jaxley's graph backend): per-compartment geometry
// from traced points (the same functions read_swc uses, so a graph-built cell and an SWC cell
// agree bit for bit), a Cell from per-compartment geometry, and the traced points of a module.
#include <array>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "frontend/module.h"
#include "frontend/read_swc.h"
#include "frontend/swc.h"
#include "ir/error.h"

namespace ranvier::python {
namespace {

using Points = std::vector<std::array<double, 4>>;
using XyzrArray = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

Points points_from(const XyzrArray& a, const std::string& what) {
  if (a.shape(1) != 4) fail("{}: xyzr must have shape (n, 4), got (n, {})", what, a.shape(1));
  Points out(a.shape(0));
  for (std::size_t i = 0; i < a.shape(0); ++i)
    for (std::size_t c = 0; c < 4; ++c) out[i][c] = a.data()[i * 4 + c];
  return out;
}

nb::ndarray<nb::numpy, double> points_to_numpy(const Points& p) {
  std::vector<double> flat;
  flat.reserve(p.size() * 4);
  for (const auto& q : p) flat.insert(flat.end(), q.begin(), q.end());
  return to_numpy(std::move(flat), {p.size(), 4});
}

// One compartment as Python hands it over: (length, radius, area, volume, resistive_load_in,
// resistive_load_out, x, y, z, groups, xyzr); lengths in um, area um^2, volume um^3, loads 1/um.
using CompTuple = std::tuple<double, double, double, double, double, double, double, double, double,
                             std::vector<std::string>, XyzrArray>;

swc::CompartmentGeometry geometry_from(const CompTuple& t, int branch, int comp) {
  swc::CompartmentGeometry g;
  std::tie(g.length, g.radius, g.area, g.volume, g.resistive_load_in, g.resistive_load_out, g.x, g.y, g.z, g.groups,
           std::ignore) = t;
  const std::string what = "from_graph: compartment " + std::to_string(comp) + " of branch " + std::to_string(branch);
  for (double v : {g.length, g.radius, g.area, g.volume, g.resistive_load_in, g.resistive_load_out})
    if (!(v > 0.0)) fail("{}: length, radius, area, volume and resistive loads must be positive, got {}", what, v);
  g.xyzr = points_from(std::get<10>(t), what);
  return g;
}

}  // namespace

void bind_graph(nb::module_& m) {
  m.def(
      "graph_split_xyzr",
      [](const XyzrArray& xyzr, int ncomp) {
        std::vector<nb::ndarray<nb::numpy, double>> out;
        for (const auto& piece : swc::split_xyzr(points_from(xyzr, "split_xyzr"), ncomp)) out.push_back(points_to_numpy(piece));
        return out;
      },
      nb::arg("xyzr"), nb::arg("ncomp"), "Jaxley's split_xyzr_into_equal_length_segments: ncomp pieces of equal path length.");
  m.def(
      "graph_morph_attrs",
      [](const XyzrArray& xyzr, std::optional<double> min_radius, int ncomp) {
        const auto a = swc::attributes_from_xyzr(points_from(xyzr, "morph_attrs_from_xyzr"), min_radius, ncomp,
                                                 "build_compartment_graph: a compartment");
        return std::make_tuple(a.radius, a.area, a.volume, a.resistive_load_in, a.resistive_load_out);
      },
      nb::arg("xyzr"), nb::arg("min_radius"), nb::arg("ncomp"),
      "Jaxley's morph_attrs_from_xyzr: (radius um, area um^2, volume um^3, resistive_load_in, resistive_load_out 1/um).");
  m.def(
      "graph_cell",
      [](const std::vector<int>& parents, const std::vector<std::vector<CompTuple>>& branches) {
        if (parents.size() != branches.size())
          fail("from_graph: {} parents for {} branches", parents.size(), branches.size());
        swc::Morphology morph;
        morph.parents = parents;
        for (std::size_t b = 0; b < branches.size(); ++b) {
          if (branches[b].empty()) fail("from_graph: branch {} has no compartments", b);
          std::vector<swc::CompartmentGeometry> comps;
          for (std::size_t c = 0; c < branches[b].size(); ++c)
            comps.push_back(geometry_from(branches[b][c], static_cast<int>(b), static_cast<int>(c)));
          morph.branches.push_back(std::move(comps));
        }
        return cell_from_morphology(morph);
      },
      nb::arg("parents"), nb::arg("branches"),
      "A Cell with the given branch parents and per-compartment geometry, groups and traced points.");
  m.def(
      "graph_order_groups", [](Module& x, const std::vector<std::string>& names) { x.order_groups(names); },
      nb::arg("module"), nb::arg("names"), "Groups in the order of `names`; named groups that do not exist are added empty.");
  m.def(
      "graph_module_xyzr",
      [](const Module& x) {
        std::vector<nb::ndarray<nb::numpy, double>> out;
        for (int b = 0; b < x.n_branches(); ++b) out.push_back(points_to_numpy(x.xyzr(b)));
        return out;
      },
      nb::arg("module"), "The traced points (x, y, z, r in um) of every branch; (0, 4) where none were traced.");
}

}  // namespace ranvier::python

// Networks: Network(cells), cell views, synapse types, connection helpers, synapse views.
#include <cstdint>
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
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/synapses/builtin.h"
#include "ir/synapse.h"

namespace ranvier::python {

void bind_network(nb::module_& m) {
  // Python synapses (ranvier.synapses.Synapse subclasses) are traced into these, like channels.
  nb::class_<SynapseType>(m, "SynapseType", "A synapse type in the expression DSL (params, states, update, current in nA).")
      .def(nb::init<>())
      .def_rw("name", &SynapseType::name)
      .def_prop_rw("params", [](const SynapseType& t) { return from_named(t.params); },
                   [](SynapseType& t, const std::vector<std::pair<std::string, double>>& v) { t.params = to_named(v); })
      .def_prop_rw("states", [](const SynapseType& t) { return from_named(t.states); },
                   [](SynapseType& t, const std::vector<std::pair<std::string, double>>& v) { t.states = to_named(v); })
      .def_prop_rw("update", [](const SynapseType& t) { return from_named_expr(t.update); },
                   [](SynapseType& t, const std::vector<std::pair<std::string, ir::Expr>>& v) { t.update = to_named_expr(v); })
      .def_rw("current", &SynapseType::current)
      .def("validate", &SynapseType::validate)
      .def("__repr__", [](const SynapseType& t) { return "<SynapseType " + t.name + ">"; });
  m.def("v_pre", &ir::v_pre, "The presynaptic voltage leaf (mV, before the step) of a synapse's expressions.");
  m.def("v_post", &ir::v_post, "The postsynaptic voltage leaf (mV, before the step) of a synapse's expressions.");
  m.def("synapse_by_name", &synapses::by_name, nb::arg("name"));
  m.def("builtin_synapse_names", &synapses::builtin_names);

  nb::class_<SynapseView>(m, "SynapseView", "Synapses of one type (net.<Type>), edge(i) narrows to one.")
      .def("edge", [](const SynapseView& v, int i) { return v.edge(i); }, nb::keep_alive<0, 1>())
      .def("edge", [](const SynapseView& v, const std::string& s) { return v.edge(s); }, nb::keep_alive<0, 1>())
      .def("edge", [](const SynapseView& v, const std::vector<int>& i) { return v.edge(i); }, nb::keep_alive<0, 1>())
      .def("set", [](const SynapseView& v, const std::string& key, double value) { v.set(key, value); }, nb::arg("key"), nb::arg("value"))
      .def("record", [](const SynapseView& v, const std::string& state) { v.record(state); }, nb::arg("state"))
      .def("make_trainable", [](const SynapseView& v, const std::string& key, std::optional<double> init) { v.make_trainable(key, init); },
           nb::arg("key"), nb::arg("init_val") = nb::none())
      .def_prop_ro("type", &SynapseView::type)
      .def_prop_ro("edges", &SynapseView::edges);

  nb::class_<Network, Module>(m, "Network")
      .def(nb::init<const std::vector<Cell>&>(), nb::arg("cells"))
      .def("synapses", &Network::synapses, nb::keep_alive<0, 1>(), nb::arg("type"))
      .def_prop_ro("n_synapses", &Network::n_synapses)
      .def_prop_ro("n_cells", &Network::n_cells)
      .def_prop_ro("synapse_groups", [](const Network& n) {
        // (type, pre comps, post comps, column names, columns) per type.
        std::vector<std::tuple<std::string, std::vector<int>, std::vector<int>, std::vector<std::string>, std::vector<std::vector<double>>>> out;
        for (const auto& g : n.synapse_groups()) out.emplace_back(g.type.name, g.pre, g.post, g.column_names, g.columns);
        return out;
      })
      .def("cell_of", &Network::cell_of, nb::arg("comp"))
      .def("copy", [](const Network& x) { return Network(x); });

  m.def("connect", &connect, nb::arg("pre"), nb::arg("post"), nb::arg("synapse_type"));
  m.def(
      "fully_connect",
      [](const View& pre, const View& post, const SynapseType& syn, bool random_post_comp, std::uint64_t seed) {
        fully_connect(pre, post, syn, {random_post_comp, seed});
      },
      nb::arg("pre"), nb::arg("post"), nb::arg("synapse_type"), nb::arg("random_post_comp") = false, nb::arg("seed") = 0);
  m.def("sparse_connect", &sparse_connect, nb::arg("pre"), nb::arg("post"), nb::arg("synapse_type"), nb::arg("p"), nb::arg("seed"),
        nb::arg("random_post_comp") = false);
  m.def(
      "connectivity_matrix_connect",
      [](const View& pre, const View& post, const SynapseType& syn, const std::vector<std::vector<bool>>& matrix,
         bool random_post_comp, std::uint64_t seed) { connectivity_matrix_connect(pre, post, syn, matrix, {random_post_comp, seed}); },
      nb::arg("pre"), nb::arg("post"), nb::arg("synapse_type"), nb::arg("matrix"), nb::arg("random_post_comp") = false,
      nb::arg("seed") = 0);
}

}  // namespace ranvier::python

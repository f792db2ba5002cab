// integrate(): options, single and batched runs (one compiled call for all lanes), the
// compiled model and its inspectable stages.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "api/backend.h"
#include "api/integrate.h"
#include "api/stages.h"
#ifdef RANVIER_HAVE_LLVM
#include "api/compile.h"
#endif

namespace ranvier::python {
namespace {

using Array2D = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

nb::dict states_to_dict(const States& s) {
  nb::dict d;
  for (std::size_t i = 0; i < s.names.size(); ++i) d[nb::str(s.names[i].c_str())] = to_numpy(s.values[i], {s.values[i].size()});
  return d;
}

struct BatchOutput {
  runtime::BatchResult result;
  bool compiled = false;
};

// All lanes in one call: the compiled backend when it supports the solver (one compiled
// model, one batched time loop over the lanes), otherwise the interpreter lane by lane.
BatchOutput run_lanes(const Module& module, const std::vector<IntegrateOptions>& lanes, const std::string& backend, int threads) {
  BatchOutput out;
  out.result = api::integrate_lanes(module.lower(), lanes, backend, threads, &out.compiled);
  return out;
}

nb::tuple batch_to_python(BatchOutput&& o) {
  auto& r = o.result;
  nb::list states;
  for (const auto& s : r.states) states.append(states_to_dict(s));
  auto data = to_numpy(std::move(r.data), {static_cast<std::size_t>(r.batch), static_cast<std::size_t>(r.n_recordings),
                                           static_cast<std::size_t>(r.n_samples)});
  return nb::make_tuple(data, states, o.compiled);
}

}  // namespace

void bind_integrate(nb::module_& m) {
  nb::class_<IntegrateOptions>(m, "IntegrateOptions", "Options of one simulation (one lane of a batch).")
      .def(nb::init<>())
      .def("__copy__", [](const IntegrateOptions& o) { return IntegrateOptions(o); })
      .def_rw("t_max", &IntegrateOptions::t_max)
      .def_rw("delta_t", &IntegrateOptions::delta_t)
      .def_rw("solver", &IntegrateOptions::solver)
      .def_rw("voltage_solver", &IntegrateOptions::voltage_solver)
      .def_rw("return_states", &IntegrateOptions::return_states)
      .def_rw("checkpoint_lengths", &IntegrateOptions::checkpoint_lengths)
      .def_rw("backend", &IntegrateOptions::backend)
      .def_rw("interpreter_uses_kernel_exp", &IntegrateOptions::interpreter_uses_kernel_exp)
      .def("add_params", [](IntegrateOptions& o, const Array1D& values) { o.params.push_back(to_vector(values)); },
           "Values of the next trainable (one per parameter group).")
      .def("add_param_state",
           [](IntegrateOptions& o, const std::string& key, const std::vector<int>& comps, const Array1D& values) {
             o.param_state.push_back({key, comps, to_vector(values)});
           })
      .def("add_stimuli",
           [](IntegrateOptions& o, const std::vector<int>& comps, const Array2D& currents) {
             if (currents.shape(0) != comps.size())
               fail("data_stimuli: {} current row(s) for {} compartment(s)", currents.shape(0), comps.size());
             for (std::size_t i = 0; i < comps.size(); ++i)
               o.data_stimuli.push_back({comps[i], std::vector<double>(currents.data() + i * currents.shape(1),
                                                                       currents.data() + (i + 1) * currents.shape(1))});
           })
      .def("add_clamps",
           [](IntegrateOptions& o, const std::string& state, const std::vector<int>& comps, const Array2D& values) {
             if (values.shape(0) != comps.size())
               fail("data_clamps: {} row(s) of '{}' for {} compartment(s)", values.shape(0), state, comps.size());
             for (std::size_t i = 0; i < comps.size(); ++i)
               o.data_clamps.push_back({state, comps[i], std::vector<double>(values.data() + i * values.shape(1),
                                                                             values.data() + (i + 1) * values.shape(1))});
           })
      .def("set_all_states",
           [](IntegrateOptions& o, const std::vector<std::string>& names, const std::vector<Array1D>& values) {
             if (names.size() != values.size()) fail("all_states: {} names but {} arrays", names.size(), values.size());
             States s;
             s.names = names;
             for (const auto& v : values) s.values.push_back(to_vector(v));
             o.all_states = std::move(s);
           });

  m.def(
      "integrate",
      [](const Module& module, const IntegrateOptions& options) {
        Result r;
        {
          nb::gil_scoped_release release;
          r = integrate(module, options);
        }
        nb::object states = r.states ? nb::object(states_to_dict(*r.states)) : nb::none();
        auto data = to_numpy(std::move(r.data), {static_cast<std::size_t>(r.n_recordings), static_cast<std::size_t>(r.n_samples)});
        return nb::make_tuple(data, states);
      },
      nb::arg("module"), nb::arg("options"),
      "One simulation: (recordings (n_rec, T+1), states dict or None). backend 'auto' compiles "
      "bwd_euler/crank_nicolson and interprets the other solvers.");

  m.def(
      "integrate_lanes",
      [](const Module& module, const std::vector<IntegrateOptions>& lanes, const std::string& backend, int threads) {
        BatchOutput o;
        {
          nb::gil_scoped_release release;
          o = run_lanes(module, lanes, backend, threads);
        }
        return batch_to_python(std::move(o));
      },
      nb::arg("module"), nb::arg("lanes"), nb::arg("backend") = "auto", nb::arg("threads") = 0,
      "B simulations of one module: (recordings (B, n_rec, T+1), [states dict per lane], compiled).");

  m.def("jit_supports", [](const IntegrateOptions& o) { return api::jit_available() && api::jit_supports(o); });
  m.def("have_jit", &api::jit_available);
  m.def("stages", [] {
    std::vector<std::string> names;
    for (const auto& s : stages()) names.push_back(s.name);
    return names;
  }, "The inspectable stages, in order: the pass pipeline's, then the LLVM and CUDA backends'.");

#ifdef RANVIER_HAVE_LLVM
  nb::class_<CompiledModel>(m, "CompiledModel", "A module compiled by the LLVM backend (compile once, integrate many).")
      .def("source", [](const CompiledModel& c, const std::string& stage) { return c.source(parse_stage(stage)); },
           nb::arg("stage"),
           "Text of a stage (ranvier.STAGES, the pipeline's and the LLVM backend's).")
      .def_prop_ro("compile_seconds", &CompiledModel::compile_seconds)
      .def_prop_ro("float32", &CompiledModel::float32)
      .def(
          "integrate_lanes",
          [](const CompiledModel& c, const std::vector<IntegrateOptions>& lanes) {
            BatchOutput o;
            {
              nb::gil_scoped_release release;
              o.result = c.integrate(lanes);
              o.compiled = true;
            }
            return batch_to_python(std::move(o));
          },
          nb::arg("lanes"));
  m.def(
      "compile",
      [](const Module& module, bool float32, bool symbolic_derivative, int threads) {
        CompileOptions o;
        o.float32 = float32;
        o.symbolic_derivative = symbolic_derivative;
        o.threads = threads;
        nb::gil_scoped_release release;
        return compile(module, o);
      },
      nb::arg("module"), nb::arg("float32") = false, nb::arg("symbolic_derivative") = false, nb::arg("threads") = 0);
  m.def("compilations", &CompiledModel::compilations,
        "Number of LLVM compilations in this process so far (kernel cache hits do not count).");
#else
  m.def("compilations", []() { return std::size_t(0); });
#endif
}

}  // namespace ranvier::python

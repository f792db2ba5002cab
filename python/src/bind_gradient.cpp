// Gradients (runtime/gradient.h): vjp() runs the forward pass and returns an object whose
// call maps the cotangent of the recordings to the gradients of the trainables. Always the
// reference interpreter's adjoint, double precision.
#include <string>
#include <vector>

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "runtime/gradient.h"

namespace ranvier::python {
namespace {

using Array2D = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

}  // namespace

void bind_gradient(nb::module_& m) {
  nb::class_<Vjp>(m, "Vjp", "A simulation's recordings and their vector-Jacobian product.")
      .def_prop_ro("result",
                   [](const Vjp& f) {
                     return to_numpy(f.result.data, {static_cast<std::size_t>(f.result.n_recordings), static_cast<std::size_t>(f.result.n_samples)});
                   },
                   nb::rv_policy::move)
      .def(
          "__call__",
          [](const Vjp& f, const Array2D& cotangent) {
            if (cotangent.shape(0) != static_cast<std::size_t>(f.result.n_recordings) ||
                cotangent.shape(1) != static_cast<std::size_t>(f.result.n_samples))
              fail("vjp: the cotangent has shape ({}, {}) but the recordings have ({}, {})", cotangent.shape(0), cotangent.shape(1),
                   f.result.n_recordings, f.result.n_samples);
            std::vector<double> cot(cotangent.data(), cotangent.data() + cotangent.shape(0) * cotangent.shape(1));
            Gradients g;
            {
              nb::gil_scoped_release release;
              g = f(cot);
            }
            nb::list params, stimuli;
            for (auto& p : g.params) {
              const std::size_t n = p.size();
              params.append(to_numpy(std::move(p), {n}));
            }
            for (auto& p : g.stimuli) {
              const std::size_t n = p.size();
              stimuli.append(to_numpy(std::move(p), {n}));
            }
            return nb::make_tuple(params, stimuli);
          },
          nb::arg("cotangent"),
          "Gradients of sum(cotangent * recordings): (one array per trainable, one array per stimulus row: the "
          "module's stimuli, then data_stimuli).")
      .def_prop_ro("stats", [](const Vjp& f) {
        GradientStats s = f.stats();
        nb::dict d;
        d["checkpoint_lengths"] = s.checkpoint_lengths;
        d["peak_stored_states"] = s.peak_stored_states;
        d["steps_run"] = s.steps_run;
        d["compiled"] = s.compiled;
        d["peak_bytes"] = s.peak_bytes;
        return d;
      });

  m.def(
      "vjp",
      [](const Module& module, const IntegrateOptions& options) {
        nb::gil_scoped_release release;
        return vjp(module, options);
      },
      nb::arg("module"), nb::arg("options"),
      "Forward pass in the interpreter, keeping checkpoints for the backward pass.");
}

}  // namespace ranvier::python

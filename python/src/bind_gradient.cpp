// Gradients (runtime/gradient.h): vjp() runs the forward pass and returns an object whose
// call maps the cotangent of the recordings to the gradients of the trainables (double
// precision; the compiled adjoint or the interpreter's, per IntegrateOptions::backend).
// vjp_batch() does the same for B lanes on several threads.
#include <string>
#include <vector>

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "api/vjp.h"

namespace ranvier::python {
namespace {

using Array2D = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

std::vector<double> checked_cotangent(const Result& r, const Array2D& cotangent) {
  if (cotangent.shape(0) != static_cast<std::size_t>(r.n_recordings) || cotangent.shape(1) != static_cast<std::size_t>(r.n_samples))
    fail("vjp: the cotangent has shape ({}, {}) but the recordings have ({}, {})", cotangent.shape(0), cotangent.shape(1),
         r.n_recordings, r.n_samples);
  return std::vector<double>(cotangent.data(), cotangent.data() + cotangent.shape(0) * cotangent.shape(1));
}

// (one array per trainable, one array per stimulus row)
nb::tuple to_python(Gradients g) {
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
}

nb::dict to_python(const GradientStats& s) {
  nb::dict d;
  d["checkpoint_lengths"] = s.checkpoint_lengths;
  d["peak_stored_states"] = s.peak_stored_states;
  d["steps_run"] = s.steps_run;
  d["compiled"] = s.compiled;
  d["peak_bytes"] = s.peak_bytes;
  return d;
}

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
            std::vector<double> cot = checked_cotangent(f.result, cotangent);
            Gradients g;
            {
              nb::gil_scoped_release release;
              g = f(cot);
            }
            return to_python(std::move(g));
          },
          nb::arg("cotangent"),
          "Gradients of sum(cotangent * recordings): (one array per trainable, one array per stimulus row: the "
          "module's stimuli, then data_stimuli).")
      .def_prop_ro("stats", [](const Vjp& f) { return to_python(f.stats()); });

  nb::class_<BatchVjp>(m, "BatchVjp", "B simulations' recordings and their vector-Jacobian products.")
      .def_prop_ro("results",
                   [](const BatchVjp& f) {
                     nb::list out;
                     for (const Result& r : f.results)
                       out.append(to_numpy(r.data, {static_cast<std::size_t>(r.n_recordings), static_cast<std::size_t>(r.n_samples)}));
                     return out;
                   })
      .def(
          "__call__",
          [](const BatchVjp& f, const std::vector<Array2D>& cotangents) {
            if (cotangents.size() != f.results.size())
              fail("vjp: {} cotangents for a batch of {} simulations", cotangents.size(), f.results.size());
            std::vector<std::vector<double>> cots;
            for (std::size_t b = 0; b < cotangents.size(); ++b) cots.push_back(checked_cotangent(f.results[b], cotangents[b]));
            std::vector<Gradients> g;
            {
              nb::gil_scoped_release release;
              g = f(cots);
            }
            nb::list out;
            for (auto& lane : g) out.append(to_python(std::move(lane)));
            return out;
          },
          nb::arg("cotangents"), "Per lane: (one array per trainable, one array per stimulus row).")
      .def_prop_ro("stats", [](const BatchVjp& f) {
        nb::list out;
        for (const auto& s : f.stats()) out.append(to_python(s));
        return out;
      });

  m.def(
      "vjp",
      [](const Module& module, const IntegrateOptions& options) {
        nb::gil_scoped_release release;
        return vjp(module, options);
      },
      nb::arg("module"), nb::arg("options"), "Forward pass, keeping checkpoints for the backward pass.");
  m.def(
      "vjp_batch",
      [](const Module& module, const std::vector<IntegrateOptions>& lanes, int threads) {
        nb::gil_scoped_release release;
        return vjp(module, lanes, threads);
      },
      nb::arg("module"), nb::arg("lanes"), nb::arg("threads") = 0,
      "Forward passes of B lanes on `threads` threads (0 = all cores), keeping checkpoints for the backward pass.");
}

}  // namespace ranvier::python

#pragma once
// integrate(): what `jaxley.integrate` computes (SEMANTICS.md), for a module or a model IR,
// on the backend api/backend.h chooses.
#include <vector>

#include "ir/model.h"
#include "runtime/batch_runner.h"
#include "runtime/check_outputs.h"
#include "runtime/options.h"

namespace ranvier {

class Module;

Result integrate(const Module& module, const IntegrateOptions& options = {});
Result integrate(const ir::Model& model, const IntegrateOptions& options = {});

namespace api {
// B simulations of one model (the lanes share solver, voltage solver, delta_t, t_max and
// return_states): the compiled backend runs them in one batched call; the interpreter runs
// them one by one. `compiled` says which ran.
runtime::BatchResult integrate_lanes(const ir::Model& model, const std::vector<IntegrateOptions>& lanes, const std::string& backend,
                                     int threads, bool* compiled = nullptr);

// The first NaN or inf of a result (Result::nonfinite describes it in words for the model's recordings).
using runtime::first_nonfinite;
using runtime::NonFinite;
}  // namespace api

}  // namespace ranvier

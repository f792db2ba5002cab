#pragma once
// Gradients of a whole simulation: vjp() and value_and_grad() of a module or a model IR, on
// the step api/backend.h chooses (the compiled adjoint or the interpreter's tapes). The
// types (Vjp, BatchVjp, Gradients, ...) and what is supported are in runtime/gradient.h.
#include <vector>

#include "api/integrate.h"
#include "ir/model.h"
#include "runtime/gradient.h"
#include "runtime/options.h"

namespace ranvier {

class Module;

// Jaxley's get_parameters(): the initial value of every trainable, one vector per
// make_trainable call, one value per group (the layout of IntegrateOptions::params).
std::vector<std::vector<double>> get_parameters(const Module& module);

Vjp vjp(const Module& module, const IntegrateOptions& options = {});
Vjp vjp(const ir::Model& model, const IntegrateOptions& options = {});

// B simulations (one IntegrateOptions per lane: params, param_state, data_stimuli, ...) and
// their vector-Jacobian products, lanes run on `threads` threads (0 = all cores). Each lane is
// exactly what vjp(model, lanes[b]) computes.
BatchVjp vjp(const Module& module, const std::vector<IntegrateOptions>& lanes, int threads = 0);
BatchVjp vjp(const ir::Model& model, const std::vector<IntegrateOptions>& lanes, int threads = 0);

ValueAndGrad value_and_grad(const Module& module, const IntegrateOptions& options, const LossFunction& loss);

}  // namespace ranvier

#pragma once
// The one place that decides which backend runs a simulation or its gradients.
#include <string>

#include "runtime/options.h"

namespace ranvier::api {

enum class Backend { Interpreter, Jit };

// Whether this build has the LLVM backend.
bool jit_available();
// Whether the compiled backend implements these options (solver and voltage solver).
bool jit_supports(const IntegrateOptions& options);
// IntegrateOptions::backend resolved: "auto" is the compiled backend when it is built and
// supports the options, else the interpreter; "jit" without LLVM or for options it does not
// support is NotSupported; any other name is an error naming it.
Backend choose_backend(const IntegrateOptions& options);

// For gradients (double precision): "auto" is the compiled adjoint for bwd_euler and
// crank_nicolson when it is built (networks need it), else the interpreter's tapes.
Backend choose_gradient_backend(const IntegrateOptions& options, bool has_synapses);

}  // namespace ranvier::api

#include "runtime/backend.h"

namespace ranvier::runtime {
namespace {
BackendFn& slot() {
  static BackendFn fn = nullptr;
  return fn;
}
AdjointFactory& adjoint_slot() {
  static AdjointFactory fn = nullptr;
  return fn;
}
}  // namespace

void register_compiled_adjoint(AdjointFactory fn) { adjoint_slot() = fn; }
AdjointFactory compiled_adjoint() { return adjoint_slot(); }

void register_jit_backend(BackendFn fn) { slot() = fn; }
BackendFn jit_backend() { return slot(); }

bool jit_supports(const IntegrateOptions& o) {
  return (o.solver == "bwd_euler" || o.solver == "crank_nicolson") && o.voltage_solver != "jax.sparse";
}

}  // namespace ranvier::runtime

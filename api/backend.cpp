#include "api/backend.h"

#include "ir/error.h"

namespace ranvier::api {
namespace {
void check_name(const std::string& backend, const char* what) {
  if (backend != "auto" && backend != "interpreter" && backend != "jit")
    fail("{}unknown backend '{}'; use auto, interpreter or jit", what, backend);
}
bool compiled_solver(const IntegrateOptions& o) { return o.solver == "bwd_euler" || o.solver == "crank_nicolson"; }
}  // namespace

bool jit_available() {
#ifdef RANVIER_HAVE_LLVM
  return true;
#else
  return false;
#endif
}

bool jit_supports(const IntegrateOptions& o) { return compiled_solver(o) && o.voltage_solver != "jax.sparse"; }

Backend choose_backend(const IntegrateOptions& o) {
  check_name(o.backend, "");
  if (o.backend == "interpreter") return Backend::Interpreter;
  if (o.backend == "jit" && !jit_available())
    fail_unsupported("backend 'jit' requested, but Ranvier was built without the LLVM backend");
  // backend "jit" with options it does not implement: the compiled runner says which.
  if (o.backend == "jit") return Backend::Jit;
  return jit_available() && jit_supports(o) ? Backend::Jit : Backend::Interpreter;
}

Backend choose_gradient_backend(const IntegrateOptions& o, bool has_synapses) {
  check_name(o.backend, "gradients: ");
  if (o.backend == "interpreter") {
    if (has_synapses)
      fail_unsupported("gradients of networks with synapses are compiled only; the interpreter's adjoint has no synapses "
                       "(use backend 'auto' or 'jit')");
    return Backend::Interpreter;
  }
  if (o.backend == "jit") {
    if (!jit_available()) fail_unsupported("gradients with backend 'jit': this build has no LLVM backend");
    if (!compiled_solver(o)) fail_unsupported("compiled gradients support solvers bwd_euler and crank_nicolson; use backend 'interpreter'");
    return Backend::Jit;
  }
  if (has_synapses && (!jit_available() || !compiled_solver(o)))
    fail_unsupported("gradients of networks are compiled only, for solvers bwd_euler and crank_nicolson");
  return jit_available() && compiled_solver(o) ? Backend::Jit : Backend::Interpreter;
}

}  // namespace ranvier::api

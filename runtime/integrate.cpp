#include "runtime/integrate.h"

#include "frontend/module.h"
#include "ir/error.h"
#include "runtime/backend.h"
#include "runtime/interpreter.h"
#include "runtime/prepare.h"

namespace ranvier {

Result integrate(const ir::Model& model, const IntegrateOptions& options) {
  if (options.backend != "auto" && options.backend != "interpreter" && options.backend != "jit")
    fail("unknown backend '{}'; use auto, interpreter or jit", options.backend);
  const bool want_jit = options.backend == "jit" || (options.backend == "auto" && runtime::jit_supports(options));
  if (want_jit && runtime::jit_backend()) return runtime::jit_backend()(model, options);
  if (options.backend == "jit") fail_unsupported("backend 'jit' requested, but Ranvier was built without the LLVM backend");
  runtime::Prepared prepared = runtime::prepare(model, options);
  runtime::Interpreter interpreter(model);
  return interpreter.run(prepared, options.return_states, options.interpreter_uses_kernel_exp);
}

Result integrate(const Module& module, const IntegrateOptions& options) { return integrate(module.lower(), options); }

}  // namespace ranvier

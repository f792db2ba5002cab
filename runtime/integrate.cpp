#include "runtime/integrate.h"

#include "frontend/module.h"
#include "runtime/interpreter.h"
#include "runtime/prepare.h"

namespace ranvier {

Result integrate(const ir::Model& model, const IntegrateOptions& options) {
  runtime::Prepared prepared = runtime::prepare(model, options);
  runtime::Interpreter interpreter(model);
  return interpreter.run(prepared, options.return_states);
}

Result integrate(const Module& module, const IntegrateOptions& options) { return integrate(module.lower(), options); }

}  // namespace ranvier

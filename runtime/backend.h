#pragma once
// Backend selection for ranvier::integrate: the reference interpreter is always there; the
// LLVM backend registers itself when it is linked in.
#include <memory>
#include <string>

#include "ir/model.h"
#include "runtime/integrate.h"

namespace ranvier::runtime {

class AdjointStep;
struct Prepared;

using BackendFn = Result (*)(const ir::Model&, const IntegrateOptions&);

void register_jit_backend(BackendFn fn);
BackendFn jit_backend();  // nullptr when the LLVM backend is not linked

// The LLVM backend's compiled adjoint step (gradients), registered the same way. It throws
// ranvier::NotSupported for models it does not compile.
using AdjointFactory = std::unique_ptr<AdjointStep> (*)(const ir::Model&, const Prepared&);
void register_compiled_adjoint(AdjointFactory fn);
AdjointFactory compiled_adjoint();  // nullptr when the LLVM backend is not linked

// Whether the compiled backend implements these options (solver and voltage solver).
bool jit_supports(const IntegrateOptions& options);

}  // namespace ranvier::runtime

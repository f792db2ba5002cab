#pragma once
// The compiled adjoint step: runtime::AdjointStep with the mechanisms' share of every step
// (gate updates, membrane currents, the linearised membrane terms) run forwards and
// backwards by LLVM-compiled kernels: the pipeline's fused group bodies and their adjoints
// (passes/derive_adjoint.h). The voltage solve, its transpose, clamps and stimuli stay the
// runtime's (AdjointStep's shared parts), so the compiled step computes exactly what the
// interpreter computes with the kernel's exp, and gradients keep the interpreter's
// checkpointing. Networks: the synapse kernels run forwards and backwards too, and the
// runtime transposes their gathers and scatter-sums. It registers itself as
// runtime::compiled_adjoint() when linked.
#include <memory>

#include "ir/model.h"
#include "runtime/adjoint_step.h"

namespace ranvier::llvm_backend {

// Double precision only. Throws NotSupported for a compartment outside every kernel group
// (or in several).
std::unique_ptr<runtime::AdjointStep> make_compiled_adjoint(const ir::Model& model, const runtime::Prepared& prepared);

}  // namespace ranvier::llvm_backend

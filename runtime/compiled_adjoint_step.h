#pragma once
// The compiled adjoint step: AdjointStep with the mechanisms' share of every step (gate
// updates, membrane currents, the linearised membrane terms) run forwards and backwards by
// compiled kernels: the pipeline's fused group bodies and their adjoints
// (passes/derive_adjoint.h), compiled by a backend into an ir::AdjointBinding. The voltage
// solve, its transpose, clamps and stimuli stay AdjointStep's shared parts, so the compiled
// step computes exactly what the interpreter computes with the kernel's exp, and gradients
// keep the interpreter's checkpointing. Networks: the synapse kernels run forwards and
// backwards too, and this step transposes their gathers and scatter-sums.
#include <memory>

#include "ir/abi.h"
#include "ir/dhs_schedule.h"
#include "ir/kernel.h"
#include "ir/model.h"
#include "runtime/adjoint_step.h"

namespace ranvier::runtime {

// A program's kernel IR with its adjoints, and the machine code of both.
struct CompiledAdjointCode {
  ir::KernelIR kernel;
  ir::AdjointBinding binding;
};

// Double precision only. Throws NotSupported for a compartment outside every kernel group
// (or in several).
std::unique_ptr<AdjointStep> make_compiled_adjoint_step(const ir::Model& model, const ir::TreeSolveSchedule& tree,
                                                        const Prepared& prepared, std::shared_ptr<const CompiledAdjointCode> code);

}  // namespace ranvier::runtime

#pragma once
// Reverse mode on the expression DAG: derives, for every compartment group, the adjoint of
// its fused body (ir::AdjointGroup), which the backends compile like the forward body.
//
// The forward body maps (states before the step, v, parameters, dt) to (new states, membrane
// currents, voltage_term, constant_term). Its adjoint reads the same inputs and the
// cotangents of the outputs and produces the cotangents of the inputs, recomputing the
// forward intermediates it needs instead of storing them. Cotangent arrays (ir::cotangent_array):
//   state s     in: d/d s after the step;  out: d/d s before it (a state the body writes
//               does not pass its cotangent through; one it only reads does)
//   v           in: d/d v from the rest of the step;  out: plus the membrane's share
//   current c   in: d/d c after the step (seed; the runtime clears it afterwards)
//   __voltage_term, __constant_term   in: seeds
//   parameter p (capacitance included)  accumulated: out = in + d/d p of this step
//               (so are __syn_lin and __syn_cst, which the runtime clears before)
//   __i_ext     out: d/d i_ext of this step (written, not accumulated)
//
// Each op's derivative is ir::partials' rule, written as expressions. Divisions, the
// costliest op, are few: Div(x, y) gives x's share q = a * (1 / y) and y's share -(q * result),
// where 1 / y is shared by every use of y, folded for a constant, and z for y = 1 / z; for
// x = 1 y's share is -(a * result^2). These agree with the partials to an ulp or two (the
// forward values themselves are recomputed exactly). Min, Max and Select
// route the cotangent with selects, so an unselected branch gets an exact 0. As in JAX (and
// unlike the interpreter's tape, which skips zero cotangents), a zero cotangent that meets an
// infinite partial inside that branch gives NaN.
#include <span>
#include <unordered_map>

#include "ir/kernel.h"

namespace ranvier::passes {

// The adjoint of every leaf (Param / State / Voltage node) the roots depend on, given the
// cotangent of each root (`seeds[i]` for `roots[i]`; an undefined seed means zero).
std::unordered_map<const ir::Node*, ir::Expr> reverse_mode(std::span<const ir::Expr> roots, std::span<const ir::Expr> seeds);

// Fills kernel.adjoints, one per group, and kernel.synapse_adjoints, one per synapse kernel
// (the same rules over per-synapse arrays: the cotangents of the gathered inputs
// __v_pre@type, __v_post@type and __area_post@type accumulate into their arrays, which the
// runtime scatters to the compartments). Groups must be linearized. A group with a mechanism
// that writes v (Fire, ...) is NotSupported.
ir::KernelIR derive_adjoint(ir::KernelIR kernel);

}  // namespace ranvier::passes

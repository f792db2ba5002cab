#pragma once
// Linearisation of the membrane currents: for every mechanism, g = dI/dv and the constant
// -(I - g v), summed per group, then the voltage and constant terms of the membrane equation
// (x1000 for mA/cm^2 -> uA/cm^2, divided by the capacitance, plus the external current).
// Jaxley's forward difference with dv = 1e-3 mV by default; the exact symbolic derivative
// as an option, and for float32 the secant over the step actually taken.
#include "ir/kernel.h"

namespace ranvier::passes {

ir::KernelIR linearize(ir::KernelIR k, ir::Linearization mode);

// d e / d v, treating every leaf other than v as a constant.
ir::Expr derivative_in_v(ir::Expr e);

}  // namespace ranvier::passes

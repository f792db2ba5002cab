#pragma once
// The constants and unit conversions of Jaxley's step scheme (SEMANTICS.md 2.1-2.4), written
// once: the interpreter, the batched runner, the adjoint steps, the linearize and
// lower_synapses passes and the CUDA emitter all use these (in this operation order, so that
// every backend rounds alike).
namespace ranvier::ir {

// mV: the forward-difference step Jaxley linearises currents with, I(v + 1e-3) - I(v).
inline constexpr double kLinearizationStep = 1e-3;

// A point current (stimulus or synapse, nA) onto a compartment of area um^2 as a current
// density (uA/cm^2): I / area * 1e5.
inline constexpr double kPointToDensity = 100000.0;
template <typename T>
T point_current_density(T current_nA, T area_um2) {
  return current_nA / area_um2 * T(kPointToDensity);
}

}  // namespace ranvier::ir

#pragma once
// The kernel IR: what the passes make of a model's mechanisms for code generation. One fused
// body per compartment group (compartments with the same set of mechanisms): the new value of
// every state, the linearised membrane terms and the membrane currents, all as expressions
// of the state before the step, v, dt and parameters.
#include <string>
#include <utility>
#include <vector>

#include "ir/expr.h"
#include "ir/mechanism.h"

namespace ranvier::ir {

// Names of the per-compartment inputs a fused body reads besides mechanism parameters.
inline constexpr const char* kExternalCurrent = "__i_ext";  // uA/cm^2, the stimulus of this step
inline constexpr const char* kCapacitance = "capacitance";  // uF/cm^2
// A State leaf named "<state>'" in a current is the state's value after this step's update.
inline constexpr const char* kUpdatedSuffix = "'";

struct KernelGroup {
  std::vector<std::string> mechanisms;      // in insertion order
  std::vector<std::pair<int, int>> runs;    // [begin, end) ranges of consecutive compartments
  std::vector<NamedExpr> new_states;        // state -> value after the step
  std::vector<NamedExpr> currents;          // current name -> membrane current (mA/cm^2)
  std::vector<NamedExpr> mechanism_currents;  // mechanism name -> its current with updated states
  // Linearised membrane equation: dv/dt = -voltage_term * v + constant_term + axial terms.
  Expr voltage_term;   // 1/ms
  Expr constant_term;  // mV/ms (includes the external current)
  // Partial results kept for printing after the linearise pass.
  Expr conductance;    // sum over mechanisms of dI/dv (mS/cm^2 / 1000)
  Expr constant;       // sum over mechanisms of -(I - g v)
};

enum class Linearization {
  FiniteDifference,  // Jaxley: (I(v + 1e-3) - I(v)) / 1e-3
  Secant,            // (I(v + 1e-3) - I(v)) / ((v + 1e-3) - v), for float32
  Symbolic,          // exact dI/dv
};

struct KernelIR {
  std::vector<KernelGroup> groups;
  std::vector<std::string> state_names;    // every mechanism state, in first-declaration order
  std::vector<std::string> current_names;
  Linearization linearization = Linearization::FiniteDifference;
  std::string print() const;
};

}  // namespace ranvier::ir

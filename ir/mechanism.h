#pragma once
// A mechanism (ion channel) written in the expression DSL: named parameters and states with
// defaults, the exponential-Euler state update, the membrane current, and the steady state
// used by init_states(). This mirrors the structure of a Jaxley `Channel`.
#include <string>
#include <utility>
#include <vector>

#include "ir/expr.h"

namespace ranvier::ir {

struct NamedValue {
  std::string name;
  double value;
};

struct NamedExpr {
  std::string name;
  Expr expr;
};

struct Mechanism {
  std::string name;                 // e.g. "HH"; also the prefix of its own params/states
  std::vector<NamedValue> params;   // full names with defaults ("HH_gNa" 0.12 S/cm^2, "eNa" ...)
  std::vector<NamedValue> states;   // full names with defaults ("HH_m" 0.2)
  // New value of each state after one step of length dt, from the states before the step and
  // the voltage before the step. All updates of one mechanism read the old values. An update
  // named "v" writes the membrane voltage (Jaxley's non-capacitive channels, e.g. Fire): it
  // replaces v before the currents, the synapses and the voltage solve of this step.
  std::vector<NamedExpr> update;
  // Membrane current (mA/cm^2) at voltage `v` with the updated states.
  Expr current;
  std::string current_name;         // e.g. "i_HH"; several channels may share one
  // init_states(): value of each state as a function of v and params (Jaxley's init_state).
  std::vector<NamedExpr> init;

  // Throws ranvier::Error if the expressions use names the mechanism does not declare.
  void validate() const;
  bool has_param(const std::string& n) const;
  bool has_state(const std::string& n) const;
  bool writes_voltage() const;  // an update named "v"
};

}  // namespace ranvier::ir

namespace ranvier {
using ir::Mechanism;
using ir::NamedExpr;
using ir::NamedValue;
}  // namespace ranvier

#pragma once
// A synapse type written in the expression DSL (Jaxley's `Synapse`): a point process between a
// presynaptic and a postsynaptic compartment, with per-synapse parameters and states. It
// mirrors ir::Mechanism, but its expressions read two voltages, `v_pre()` and `v_post()`, and
// its current is in nA (a point current), not mA/cm^2.
//
// The synapses of a network are stored per type (SynapseGroup): one row per synapse, in the
// order they were connected (Jaxley's `index_within_type`), each with its pre and post
// compartment and its parameter and state values.
#include <string>
#include <vector>

#include "ir/mechanism.h"

namespace ranvier::ir {

// Reserved State-leaf names for the two voltages a synapse reads (mV). They are leaves of the
// ordinary expression DAG, so passes and printers need no new op.
inline constexpr const char* kPreVoltage = "__v_pre";
inline constexpr const char* kPostVoltage = "__v_post";
Expr v_pre();   // presynaptic membrane voltage (mV), before the step
Expr v_post();  // postsynaptic membrane voltage (mV), before the step

struct SynapseType {
  std::string name;                // e.g. "IonotropicSynapse"; prefix of its params/states
  std::vector<NamedValue> params;  // full names with defaults ("IonotropicSynapse_gS" 1e-4 uS)
  std::vector<NamedValue> states;  // full names with defaults ("IonotropicSynapse_s" 0.2)
  // New value of each state after a step of dt, from the old states, v_pre and v_post.
  std::vector<NamedExpr> update;
  // Synaptic current (nA) from the updated states, v_pre and v_post; positive values
  // depolarise, as in Jaxley (it enters the membrane equation with a + sign).
  Expr current;

  std::string current_name() const { return "i_" + name; }  // recordable per synapse (nA)
  bool has_param(const std::string& n) const;
  bool has_state(const std::string& n) const;
  // Throws ranvier::Error if the expressions use names the synapse does not declare.
  void validate() const;
};

// All synapses of one type.
struct SynapseGroup {
  SynapseType type;
  std::vector<int> pre;   // presynaptic compartment (global compartment index) per synapse
  std::vector<int> post;  // postsynaptic compartment per synapse
  // Per-synapse values, one column per name: the type's params, then its states.
  std::vector<std::string> column_names;
  std::vector<std::vector<double>> columns;

  int size() const { return static_cast<int>(pre.size()); }
  int column_index(const std::string& name) const;  // -1 if absent
};

}  // namespace ranvier::ir

namespace ranvier {
using ir::SynapseType;
}  // namespace ranvier

// Built-in synapses, written with Jaxley's operation order so results match to the last bit.
#include "frontend/synapses/builtin.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "frontend/channels/gates.h"
#include "ir/error.h"

namespace ranvier::synapses {

using channels::save_exp;
using ir::Expr;
using ir::param;
using ir::state;

SynapseType IonotropicSynapse() {
  SynapseType t;
  t.name = "IonotropicSynapse";
  t.params = {{"IonotropicSynapse_gS", 1e-4},       // uS
              {"IonotropicSynapse_e_syn", 0.0},     // mV
              {"IonotropicSynapse_k_minus", 0.025}, // 1/ms: unbinding rate
              {"IonotropicSynapse_v_th", -35.0},    // mV
              {"IonotropicSynapse_delta", 10.0}};   // mV
  t.states = {{"IonotropicSynapse_s", 0.2}};        // open probability
  // s_inf from the presynaptic voltage; exponential Euler of ds/dt = -(s - s_inf) / tau_s.
  const Expr s_inf = 1.0 / (1.0 + save_exp((param("IonotropicSynapse_v_th") - ir::v_pre()) / param("IonotropicSynapse_delta")));
  const Expr tau_s = (1.0 - s_inf) / param("IonotropicSynapse_k_minus");  // ms
  const Expr slope = -1.0 / tau_s;
  const Expr exp_term = save_exp(slope * ir::dt());
  t.update = {{"IonotropicSynapse_s", state("IonotropicSynapse_s") * exp_term + s_inf * (1.0 - exp_term)}};
  const Expr g_syn = param("IonotropicSynapse_gS") * state("IonotropicSynapse_s");  // uS
  t.current = g_syn * (ir::v_post() - param("IonotropicSynapse_e_syn"));           // uS mV = nA
  return t;
}

SynapseType TanhRateSynapse() {
  SynapseType t;
  t.name = "TanhRateSynapse";
  t.params = {{"TanhRateSynapse_gS", 1e-4}, {"TanhRateSynapse_x_offset", -70.0}, {"TanhRateSynapse_slope", 1.0}};
  t.current = -1.0 * param("TanhRateSynapse_gS") *
              ir::tanh((ir::v_pre() - param("TanhRateSynapse_x_offset")) * param("TanhRateSynapse_slope"));  // nA
  return t;
}

SynapseType TanhConductanceSynapse() {
  SynapseType t;
  t.name = "TanhConductanceSynapse";
  t.params = {{"TanhConductanceSynapse_gS", 1e-4},        // uS
              {"TanhConductanceSynapse_e_syn", 0.0},      // mV
              {"TanhConductanceSynapse_x_offset", -70.0}, // mV
              {"TanhConductanceSynapse_slope", 1.0}};     // 1/mV
  const Expr tanh_pre =
      ir::tanh((ir::v_pre() - param("TanhConductanceSynapse_x_offset")) * param("TanhConductanceSynapse_slope"));
  t.current = tanh_pre * param("TanhConductanceSynapse_gS") * (ir::v_post() - param("TanhConductanceSynapse_e_syn"));  // nA
  return t;
}

std::vector<std::string> builtin_names() { return {"IonotropicSynapse", "TanhRateSynapse", "TanhConductanceSynapse"}; }

SynapseType by_name(const std::string& name) {
  if (name == "IonotropicSynapse") return IonotropicSynapse();
  if (name == "TanhRateSynapse") return TanhRateSynapse();
  if (name == "TanhConductanceSynapse") return TanhConductanceSynapse();
  fail_key("unknown synapse type '{}' (built-ins: {})", name, fmt::join(builtin_names(), ", "));
}

}  // namespace ranvier::synapses

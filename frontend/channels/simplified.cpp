// Jaxley 0.14's simplified ("non-capacitive") neuron models, channels/non_capacitive/*.py:
// Fire, Izhikevich, Rate and AdEx. They write the membrane voltage in their state update (an
// update target named "v"; SEMANTICS.md 2.4 step 2) and return zero current. Their updates
// read the voltage before the step, like every channel's; the voltage they return replaces
// it before the currents, the synapses and the implicit solve. Boolean states (spikes) are
// 1.0 / 0.0.
#include "frontend/channels/builtin.h"
#include "frontend/channels/gates.h"
#include "ir/abi.h"
#include "ir/kernel.h"

namespace ranvier::channels {

using ir::param;
using ir::state;

Mechanism Fire() {
  Mechanism m;
  m.name = "Fire";
  m.params = {{"Fire_vth", -50.0}, {"Fire_vreset", -70.0}};  // mV
  m.states = {{"Fire_spikes", 0.0}};                         // 1.0 in a step whose v crossed vth
  const Expr v = ir::voltage();
  const Expr spike = ir::less(param("Fire_vth"), v);  // v > vth
  m.update = {{ir::kVoltage, ir::select(spike, param("Fire_vreset"), v)}, {"Fire_spikes", spike}};
  m.current = 0.0;
  m.current_name = "Fire_fire";
  return m;
}

Mechanism Izhikevich() {
  Mechanism m;
  m.name = "Izhikevich";
  m.params = {{"Izhikevich_a", 0.02},    // 1/ms, recovery rate
              {"Izhikevich_b", 0.2},     // sensitivity of u to v
              {"Izhikevich_c", -65.0},   // mV, reset voltage
              {"Izhikevich_d", 8.0}};    // reset increment of u
  m.states = {{"Izhikevich_u", 0.0}};    // recovery variable
  const Expr v = ir::voltage(), a = param("Izhikevich_a"), b = param("Izhikevich_b");
  // u by exponential Euler towards b v with tau = 1/a; v by forward Euler (the field is
  // nonlinear in v) with the updated u.
  const Expr u = exponential_euler(state("Izhikevich_u"), b * v, 1.0 / a);
  const Expr dv = 0.04 * ir::ipow(v, 2) + 5.0 * v + 140.0 - u;  // mV/ms
  const Expr v_new = v + ir::dt() * dv;
  const Expr spike = ir::less_equal(30.0, v_new);  // v >= 30 mV
  m.update = {{"Izhikevich_u", ir::select(spike, u + param("Izhikevich_d"), u)},
              {ir::kVoltage, ir::select(spike, param("Izhikevich_c"), v_new)}};
  m.current = 0.0;
  m.current_name = "Izhikevich_izhikevich";
  m.init = {{"Izhikevich_u", b * v}};
  return m;
}

Mechanism Rate() {
  Mechanism m;
  m.name = "Rate";
  m.params = {{"Rate_tau", 1.0}};  // ms
  // v relaxes to 0 exactly (exponential Euler with x_inf = 0).
  m.update = {{ir::kVoltage, exponential_euler(ir::voltage(), 0.0, param("Rate_tau"))}};
  m.current = 0.0;
  m.current_name = "Rate_rate";
  return m;
}

Mechanism AdEx() {
  Mechanism m;
  m.name = "AdEx";
  // Jaxley's units: conductances "S/cm^2", currents "mA/cm^2", divided by the capacitance
  // (uF/cm^2) in a forward-Euler step of v.
  m.params = {{"AdEx_g_L", 10.0},          // leak conductance
              {"AdEx_E_L", -70.0},         // mV
              {"AdEx_v_T", -50.0},         // mV, soft threshold
              {"AdEx_delta_T", 2.0},       // mV, slope factor
              {"AdEx_v_threshold", 0.0},   // mV, spike detection
              {"AdEx_v_reset", -58.0},     // mV
              {"AdEx_tau_w", 30.0},        // ms
              {"AdEx_a", 2.0},             // subthreshold adaptation
              {"AdEx_b", 0.0}};            // spike-triggered adaptation
  m.states = {{"AdEx_w", 0.0}, {"AdEx_spikes", 0.0}};
  const Expr v = ir::voltage(), g_L = param("AdEx_g_L"), E_L = param("AdEx_E_L");
  const Expr delta_T = param("AdEx_delta_T");
  const Expr w = exponential_euler(state("AdEx_w"), param("AdEx_a") * (v - E_L), param("AdEx_tau_w"));
  const Expr i_leak = g_L * (v - E_L);
  const Expr exp_arg = ir::min((v - param("AdEx_v_T")) / delta_T, 10.0);  // clamped at e^10
  const Expr i_exp = g_L * delta_T * save_exp(exp_arg);
  const Expr dv = (-i_leak + i_exp - w) / param(ir::kCapacitance);
  const Expr v_new = v + ir::dt() * dv;
  const Expr spike = ir::less_equal(param("AdEx_v_threshold"), v_new);  // v >= v_threshold
  m.update = {{ir::kVoltage, ir::select(spike, param("AdEx_v_reset"), v_new)},
              {"AdEx_w", ir::select(spike, w + param("AdEx_b"), w)},
              {"AdEx_spikes", spike}};
  m.current = 0.0;
  m.current_name = "i_AdEx";
  return m;
}

}  // namespace ranvier::channels

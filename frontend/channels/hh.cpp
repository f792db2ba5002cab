// Hodgkin-Huxley channel as in Jaxley's channels/hh.py (no temperature factor, i.e. NEURON's
// hh at celsius = 6.3; no small-x guard in vtrap, so rates are NaN exactly at -40/-55 mV).
#include "frontend/channels/builtin.h"
#include "frontend/channels/gates.h"

namespace ranvier::channels {
namespace {

struct Rates {
  Expr alpha, beta;
};

Rates m_gate(Expr v) { return {0.1 * vtrap(-(v + 40.0), 10.0), 4.0 * save_exp(-(v + 65.0) / 18.0)}; }
Rates h_gate(Expr v) { return {0.07 * save_exp(-(v + 65.0) / 20.0), 1.0 / (save_exp(-(v + 35.0) / 10.0) + 1.0)}; }
Rates n_gate(Expr v) { return {0.01 * vtrap(-(v + 55.0), 10.0), 0.125 * save_exp(-(v + 65.0) / 80.0)}; }

}  // namespace

Mechanism HH() {
  using ir::param, ir::state;
  Mechanism m;
  m.name = "HH";
  m.params = {{"HH_gNa", 0.12}, {"HH_gK", 0.036}, {"HH_gLeak", 0.0003},  // S/cm^2
              {"HH_eNa", 50.0}, {"HH_eK", -77.0}, {"HH_eLeak", -54.3}};  // mV
  m.states = {{"HH_m", 0.2}, {"HH_h", 0.2}, {"HH_n", 0.2}};
  const Expr v = ir::voltage();
  const Rates rm = m_gate(v), rh = h_gate(v), rn = n_gate(v);
  m.update = {{"HH_m", solve_gate_exponential(state("HH_m"), rm.alpha, rm.beta)},
              {"HH_h", solve_gate_exponential(state("HH_h"), rh.alpha, rh.beta)},
              {"HH_n", solve_gate_exponential(state("HH_n"), rn.alpha, rn.beta)}};
  const Expr gNa = param("HH_gNa") * ir::ipow(state("HH_m"), 3) * state("HH_h");  // S/cm^2
  const Expr gK = param("HH_gK") * ir::ipow(state("HH_n"), 4);                    // S/cm^2
  const Expr gLeak = param("HH_gLeak");                                            // S/cm^2
  m.current = gNa * (v - param("HH_eNa")) + gK * (v - param("HH_eK")) + gLeak * (v - param("HH_eLeak"));
  m.current_name = "i_HH";
  m.init = {{"HH_m", steady_state(rm.alpha, rm.beta)},
            {"HH_h", steady_state(rh.alpha, rh.beta)},
            {"HH_n", steady_state(rn.alpha, rn.beta)}};
  return m;
}

}  // namespace ranvier::channels

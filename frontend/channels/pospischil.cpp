// Pospischil et al. (2008) channels as in Jaxley's channels/pospischil.py, including its
// quirks: Km and CaT init_state apply alpha/(alpha+beta) to (x_inf, tau), and CaT's tau puts
// 30.8 inside the numerator. eNa, eK, eCa and vt are global (unprefixed) parameters.
#include "frontend/channels/builtin.h"
#include "frontend/channels/gates.h"

namespace ranvier::channels {
namespace {

using ir::param;
using ir::state;

struct Pair {
  Expr first, second;
};

Pair na_m(Expr v, Expr vt) {
  Expr va = v - vt - 13.0, vb = v - vt - 40.0;
  return {0.32 * efun(-0.25 * va) / 0.25, 0.28 * efun(0.2 * vb) / 0.2};
}
Pair na_h(Expr v, Expr vt) {
  Expr va = v - vt - 17.0, vb = v - vt - 40.0;
  return {0.128 * save_exp(-va / 18.0), 4.0 / (save_exp(-vb / 5.0) + 1.0)};
}
Pair k_n(Expr v, Expr vt) {
  Expr va = v - vt - 15.0, vb = v - vt - 10.0;
  return {0.032 * efun(-0.2 * va) / 0.2, 0.5 * save_exp(-vb / 40.0)};
}
Pair km_p(Expr v, Expr taumax) {  // (p_inf, tau_p)
  Expr vp = v + 35.0;
  return {1.0 / (1.0 + save_exp(-0.1 * vp)), taumax / (3.3 * save_exp(0.05 * vp) + save_exp(-0.05 * vp))};
}
Pair cal_q(Expr v) {
  Expr va = -v - 27.0, vb = -v - 75.0;
  return {0.055 * efun(va / 3.8) * 3.8, 0.94 * save_exp(vb / 17.0)};
}
Pair cal_r(Expr v) {
  Expr va = -v - 13.0, vb = -v - 15.0;
  return {0.000457 * save_exp(va / 50.0), 0.0065 / (save_exp(vb / 28.0) + 1.0)};
}
Pair cat_u(Expr v, Expr vx) {  // (u_inf, tau_u)
  Expr u_inf = 1.0 / (1.0 + save_exp((v + vx + 81.0) / 4.0));
  Expr tau_u = (30.8 + (211.4 + save_exp((v + vx + 113.2) / 5.0))) / (3.7 * (1.0 + save_exp((v + vx + 84.0) / 3.2)));
  return {u_inf, tau_u};
}

}  // namespace

Mechanism Leak() {
  Mechanism m;
  m.name = "Leak";
  m.params = {{"Leak_gLeak", 1e-4}, {"Leak_eLeak", -70.0}};  // S/cm^2, mV
  m.current = param("Leak_gLeak") * (ir::voltage() - param("Leak_eLeak"));
  m.current_name = "i_Leak";
  return m;
}

Mechanism Na() {
  Mechanism m;
  m.name = "Na";
  m.params = {{"Na_gNa", 50e-3}, {"eNa", 50.0}, {"vt", -60.0}};
  m.states = {{"Na_m", 0.2}, {"Na_h", 0.2}};
  const Expr v = ir::voltage(), vt = param("vt");
  const Pair rm = na_m(v, vt), rh = na_h(v, vt);
  m.update = {{"Na_m", solve_gate_exponential(state("Na_m"), rm.first, rm.second)},
              {"Na_h", solve_gate_exponential(state("Na_h"), rh.first, rh.second)}};
  m.current = param("Na_gNa") * ir::ipow(state("Na_m"), 3) * state("Na_h") * (v - param("eNa"));
  m.current_name = "i_Na";
  m.init = {{"Na_m", steady_state(rm.first, rm.second)}, {"Na_h", steady_state(rh.first, rh.second)}};
  return m;
}

Mechanism K() {
  Mechanism m;
  m.name = "K";
  m.params = {{"K_gK", 5e-3}, {"eK", -90.0}, {"vt", -60.0}};
  m.states = {{"K_n", 0.2}};
  const Expr v = ir::voltage();
  const Pair rn = k_n(v, param("vt"));
  m.update = {{"K_n", solve_gate_exponential(state("K_n"), rn.first, rn.second)}};
  m.current = param("K_gK") * ir::ipow(state("K_n"), 4) * (v - param("eK"));
  m.current_name = "i_K";
  m.init = {{"K_n", steady_state(rn.first, rn.second)}};
  return m;
}

Mechanism Km() {
  Mechanism m;
  m.name = "Km";
  m.params = {{"Km_gKm", 0.004e-3}, {"Km_taumax", 4000.0}, {"eK", -90.0}};
  m.states = {{"Km_p", 0.2}};
  const Expr v = ir::voltage();
  const Pair p = km_p(v, param("Km_taumax"));
  m.update = {{"Km_p", solve_inf_gate_exponential(state("Km_p"), p.first, p.second)}};
  m.current = param("Km_gKm") * state("Km_p") * (v - param("eK"));
  m.current_name = "i_K";
  m.init = {{"Km_p", steady_state(p.first, p.second)}};  // Jaxley quirk: p_inf/(p_inf + tau)
  return m;
}

Mechanism CaL() {
  Mechanism m;
  m.name = "CaL";
  m.params = {{"CaL_gCaL", 0.1e-3}, {"eCa", 120.0}};
  m.states = {{"CaL_q", 0.2}, {"CaL_r", 0.2}};
  const Expr v = ir::voltage();
  const Pair q = cal_q(v), r = cal_r(v);
  m.update = {{"CaL_q", solve_gate_exponential(state("CaL_q"), q.first, q.second)},
              {"CaL_r", solve_gate_exponential(state("CaL_r"), r.first, r.second)}};
  m.current = param("CaL_gCaL") * ir::ipow(state("CaL_q"), 2) * state("CaL_r") * (v - param("eCa"));
  m.current_name = "i_Ca";
  m.init = {{"CaL_q", steady_state(q.first, q.second)}, {"CaL_r", steady_state(r.first, r.second)}};
  return m;
}

Mechanism CaT() {
  Mechanism m;
  m.name = "CaT";
  m.params = {{"CaT_gCaT", 0.4e-4}, {"CaT_vx", 2.0}, {"eCa", 120.0}};
  m.states = {{"CaT_u", 0.2}};
  const Expr v = ir::voltage(), vx = param("CaT_vx");
  const Pair u = cat_u(v, vx);
  m.update = {{"CaT_u", solve_inf_gate_exponential(state("CaT_u"), u.first, u.second)}};
  const Expr s_inf = 1.0 / (1.0 + save_exp(-(v + vx + 57.0) / 6.2));
  m.current = param("CaT_gCaT") * ir::ipow(s_inf, 2) * state("CaT_u") * (v - param("eCa"));
  m.current_name = "i_Ca";
  m.init = {{"CaT_u", steady_state(u.first, u.second)}};  // Jaxley quirk: u_inf/(u_inf + tau)
  return m;
}

}  // namespace ranvier::channels

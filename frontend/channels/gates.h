#pragma once
// Gate solvers and helpers shared by the built-in channels (Jaxley's solver_gate.py), written
// with the same operation order so results match to the last bit.
#include "ir/expr.h"

namespace ranvier::channels {

using ir::Expr;

// exp(min(x, 20)): every exponential in Jaxley's built-in channels is clipped at e^20.
inline Expr save_exp(Expr x) { return ir::exp(ir::min(x, 20.0)); }

// x / (save_exp(x) - 1), without a guard at x = 0 (as in Jaxley).
inline Expr efun(Expr x) { return x / (save_exp(x) - 1.0); }

// x / (save_exp(x / y) - 1)
inline Expr vtrap(Expr x, Expr y) { return x / (save_exp(x / y) - 1.0); }

// Exact step of dx/dt = -(x - x_inf)/tau over dt for frozen coefficients.
inline Expr exponential_euler(Expr x, Expr x_inf, Expr tau) {
  Expr e = save_exp(-ir::dt() / tau);
  return x * e + x_inf * (1.0 - e);
}

inline Expr solve_gate_exponential(Expr x, Expr alpha, Expr beta) {
  Expr tau = 1.0 / (alpha + beta);
  return exponential_euler(x, alpha * tau, tau);
}

inline Expr solve_inf_gate_exponential(Expr x, Expr x_inf, Expr tau) {
  Expr e = save_exp((-1.0 / tau) * ir::dt());
  return x * e + x_inf * (1.0 - e);
}

inline Expr steady_state(Expr alpha, Expr beta) { return alpha / (alpha + beta); }

}  // namespace ranvier::channels

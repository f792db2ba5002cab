"""Gate solvers with Jaxley's names and operation order (jaxley/solver_gate.py), for channels
written in Python. They work on traced expressions and on plain numbers."""
from __future__ import annotations

from ._math import exp, minimum

__all__ = [
    "save_exp", "solve_gate_exponential", "exponential_euler", "solve_inf_gate_exponential",
    "solve_gate_implicit",
]


def save_exp(x, max_value: float = 20.0):
    """``exp(min(x, max_value))``: the input is clipped before the exponential."""
    return exp(minimum(x, max_value))


def solve_gate_implicit(gating_state, dt, alpha, beta):
    a_m = gating_state + dt * alpha
    b_m = 1.0 + dt * alpha + dt * beta
    return a_m / b_m


def exponential_euler(x, dt, x_inf, x_tau):
    """Exact step of ``dx/dt = -(x - x_inf) / x_tau`` over ``dt`` for frozen coefficients."""
    exp_term = save_exp(-dt / x_tau)
    return x * exp_term + x_inf * (1.0 - exp_term)


def solve_gate_exponential(x, dt, alpha, beta):
    tau = 1 / (alpha + beta)
    xinf = alpha * tau
    return exponential_euler(x, dt, xinf, tau)


def solve_inf_gate_exponential(x, dt, s_inf, tau_s):
    """Exponential Euler step of ``dx/dt = (s_inf - x) / tau_s``."""
    slope = -1.0 / tau_s
    exp_term = save_exp(slope * dt)
    return x * exp_term + s_inf * (1.0 - exp_term)

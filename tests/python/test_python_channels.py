"""Channels written in Python are traced once into the expression IR and compiled like the
built-ins: a Python HH gives the C++ HH's traces."""
import numpy as np
import pytest

import ranvier as jx
from ranvier.channels import Channel
from ranvier.solver_gate import save_exp, solve_gate_exponential


class PyHH(Channel):
    """Jaxley's HH (channels/hh.py), written with ranvier's functions."""

    def __init__(self, name=None):
        self.current_is_in_mA_per_cm2 = True
        super().__init__(name)
        prefix = self._name
        self.channel_params = {
            f"{prefix}_gNa": 0.12, f"{prefix}_gK": 0.036, f"{prefix}_gLeak": 0.0003,
            f"{prefix}_eNa": 50.0, f"{prefix}_eK": -77.0, f"{prefix}_eLeak": -54.3,
        }
        self.channel_states = {f"{prefix}_m": 0.2, f"{prefix}_h": 0.2, f"{prefix}_n": 0.2}
        self.current_name = "i_HH"

    def update_states(self, states, dt, v, params):
        prefix = self._name
        m, h, n = states[f"{prefix}_m"], states[f"{prefix}_h"], states[f"{prefix}_n"]
        new_m = solve_gate_exponential(m, dt, *self.m_gate(v))
        new_h = solve_gate_exponential(h, dt, *self.h_gate(v))
        new_n = solve_gate_exponential(n, dt, *self.n_gate(v))
        return {f"{prefix}_m": new_m, f"{prefix}_h": new_h, f"{prefix}_n": new_n}

    def compute_current(self, states, v, params):
        prefix = self._name
        m, h, n = states[f"{prefix}_m"], states[f"{prefix}_h"], states[f"{prefix}_n"]
        gNa = params[f"{prefix}_gNa"] * (m**3) * h
        gK = params[f"{prefix}_gK"] * n**4
        gLeak = params[f"{prefix}_gLeak"]
        return gNa * (v - params[f"{prefix}_eNa"]) + gK * (v - params[f"{prefix}_eK"]) + gLeak * (v - params[f"{prefix}_eLeak"])

    def init_state(self, states, v, params, delta_t):
        prefix = self._name
        am, bm = self.m_gate(v)
        ah, bh = self.h_gate(v)
        an, bn = self.n_gate(v)
        return {f"{prefix}_m": am / (am + bm), f"{prefix}_h": ah / (ah + bh), f"{prefix}_n": an / (an + bn)}

    @staticmethod
    def m_gate(v):
        return 0.1 * _vtrap(-(v + 40), 10), 4.0 * save_exp(-(v + 65) / 18)

    @staticmethod
    def h_gate(v):
        return 0.07 * save_exp(-(v + 65) / 20), 1.0 / (save_exp(-(v + 35) / 10) + 1)

    @staticmethod
    def n_gate(v):
        return 0.01 * _vtrap(-(v + 55), 10), 0.125 * save_exp(-(v + 65) / 80)


def _vtrap(x, y):
    return x / (save_exp(x / y) - 1.0)


def model(channel, init=True):
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=3), parents=[-1, 0, 0, 1])
    cell.insert(channel)
    cell.branch(1).set("HH_gNa", 0.2)
    if init:
        cell.set("v", -62.0)
        cell.init_states()
    cell.branch(0).comp(0).stimulate(jx.step_current(1.0, 5.0, 0.3, 0.025, 10.0), verbose=False)
    for b in range(4):
        cell.branch(b).loc(1.0).record("v", verbose=False)
    cell.branch(2).comp(0).record("HH_m", verbose=False)
    cell.branch(3).comp(2).record("i_HH", verbose=False)
    return cell


@pytest.mark.parametrize("solver", ["bwd_euler", "crank_nicolson", "fwd_euler", "exp_euler"])
@pytest.mark.parametrize("init", [True, False])
def test_python_hh_equals_builtin(solver, init):
    a = jx.integrate(model(jx.channels.HH(), init), t_max=10.0, solver=solver)
    b = jx.integrate(model(PyHH("HH"), init), t_max=10.0, solver=solver)
    assert np.abs(a).max() > 0 and a[0].max() > 0.0  # the cell spikes
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)


def test_python_hh_compiles_to_the_same_kernel():
    # Same operations in the same order: the traced DAG is the C++ one node for node, so the
    # compiled kernel is found in the cache (no new LLVM compilation).
    jx.integrate(model(jx.channels.HH()), t_max=1.0)
    n = jx.compilations()
    jx.integrate(model(PyHH("HH")), t_max=1.0)
    assert jx.compilations() == n


def test_traced_once():
    ch = PyHH("HH")
    calls = {"n": 0}
    orig = ch.update_states

    def counting(*args):
        calls["n"] += 1
        return orig(*args)

    ch.update_states = counting
    cell = model(ch)
    cell.branch(2).insert(ch)
    jx.integrate(cell, t_max=2.0)
    jx.integrate(cell, t_max=2.0, delta_t=0.01)
    assert calls["n"] == 1


def test_expression_operators():
    v, p = jx._core.voltage(), jx._core.param("a")
    for e in [1 + v, v + 1, 2.0 * v, v * 2, 1 - v, v - 1, 1 / v, v / 2, -v, v**3, v**-2, v**0.5, 2**v, abs(v),
              np.float64(2.0) * v, np.exp(v), np.minimum(v, 20.0), jx.where(v > p, v, p), jx.clip(v, -1, 1)]:
        assert isinstance(e, jx.Expr)
    assert (v**3).op == "ipow"
    assert (v**0.5).op == "pow"
    assert (1 + v).same(jx._core.constant(1.0) + v)
    assert jx.exp(1.0) == np.exp(1.0)  # plain numbers go to numpy
    with pytest.raises(ValueError, match="truth value"):
        bool(v > 0)


class Bad(Channel):
    def __init__(self):
        self.current_is_in_mA_per_cm2 = True
        super().__init__()
        self.channel_params = {"Bad_g": 1.0}
        self.channel_states = {"Bad_x": 0.0}
        self.current_name = "i_Bad"

    def update_states(self, states, dt, v, params):
        return {"Bad_x": states["Bad_x"] + params["Other_g"]}

    def compute_current(self, states, v, params):
        return params["Bad_g"] * v


def test_undeclared_name_is_a_key_error():
    with pytest.raises(KeyError, match="Other_g"):
        jx.Compartment().insert(Bad())


def test_channel_without_unit_flag():
    class Old(Channel):
        def __init__(self):
            super().__init__()

    with pytest.raises(ValueError, match="mA_per_cm2"):
        Old()

"""Channels and synapses written with jax.numpy (jnp.exp, jnp.where, jax.lax.select, Jaxley's
solver_gate, ...) are traced by JAX and lowered into Ranvier's expression IR (ranvier._jaxpr).

Each model is written ONCE, as a class body that is given either Jaxley's or Ranvier's base
class, so real Jaxley 0.14 (float64) runs the very same code; traces agree to 1e-8 relative.
The primitive table is checked against JAX evaluating the same functions."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ranvier as rx
import ranvier.solver_gate as rx_solver

ROOT_TESTS = __import__("pathlib").Path(__file__).resolve().parent

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")

DT, T_MAX = 0.025, 5.0  # ms
# Traces are voltages (mV) and gates in [0, 1]; atol covers values passing through zero only.
RTOL, ATOL = 1e-8, 1e-9


# ---- tutorial 05's models (docs/tutorials/05_channel_and_synapse_models), for either package ----
def potassium_class(base, solver):
    def exp_update_alpha(x, y):
        return x / (jnp.exp(x / y) - 1.0)

    class Potassium(base):
        def __init__(self, name=None):
            self.current_is_in_mA_per_cm2 = True
            super().__init__(name)
            self.channel_params = {"gK_new": 1e-4}
            self.channel_states = {"n_new": 0.0}
            self.current_name = "i_K"

        def update_states(self, states, dt, v, params):
            ns = states["n_new"]
            alpha = 0.01 * exp_update_alpha(-(v + 55), 10)
            beta = 0.125 * jnp.exp(-(v + 65) / 80)
            return {"n_new": solver.solve_gate_exponential(ns, dt, alpha, beta)}

        def compute_current(self, states, v, params):
            return params["gK_new"] * states["n_new"] ** 4 * (v - (-77.0))  # mA/cm^2

        def init_state(self, states, v, params, delta_t):
            alpha = 0.01 * exp_update_alpha(-(v + 55), 10)
            beta = 0.125 * jnp.exp(-(v + 65) / 80)
            return {"n_new": alpha / (alpha + beta)}

    return Potassium


def test_synapse_class(base):
    class TestSynapse(base):
        def __init__(self, name=None):
            super().__init__(name)
            self.synapse_params = {"gChol": 0.001, "eChol": 0.0}  # uS, mV
            self.synapse_states = {"s_chol": 0.1}

        def update_states(self, states, delta_t, pre_voltage, post_voltage, params):
            s_inf = 1.0 / (1.0 + jnp.exp((-35.0 - pre_voltage) / 10.0))
            exp_term = jnp.exp(-delta_t)
            return {"s_chol": states["s_chol"] * exp_term + s_inf * (1.0 - exp_term)}

        def compute_current(self, states, pre_voltage, post_voltage, params):
            return params["gChol"] * states["s_chol"] * (post_voltage - params["eChol"])  # nA

    return TestSynapse


test_synapse_class.__test__ = False  # a factory, not a test


# ---- more jnp channels ----
def jnp_hh_class(base, solver, name="HHj"):
    """Jaxley's HH (jaxley/channels/hh.py) in jax.numpy, under another name (so Ranvier traces
    it instead of using its C++ HH); eK is a parameter shared with KShared (no prefix)."""

    def vtrap(x, y):
        return x / (solver.save_exp(x / y) - 1.0)

    class HHj(base):
        def __init__(self, name=name):
            self.current_is_in_mA_per_cm2 = True
            super().__init__(name)
            p = self._name
            self.channel_params = {f"{p}_gNa": 0.12, f"{p}_gK": 0.036, f"{p}_gLeak": 0.0003,  # S/cm^2
                                   f"{p}_eNa": 50.0, "eK": -77.0, f"{p}_eLeak": -54.3}  # mV
            self.channel_states = {f"{p}_m": 0.2, f"{p}_h": 0.2, f"{p}_n": 0.2}
            self.current_name = "i_HH"

        def update_states(self, states, dt, v, params):
            p = self._name
            m, h, n = states[f"{p}_m"], states[f"{p}_h"], states[f"{p}_n"]
            return {f"{p}_m": solver.solve_gate_exponential(m, dt, *self.m_gate(v)),
                    f"{p}_h": solver.solve_gate_exponential(h, dt, *self.h_gate(v)),
                    f"{p}_n": solver.solve_gate_exponential(n, dt, *self.n_gate(v))}

        def compute_current(self, states, v, params):
            p = self._name
            m, h, n = states[f"{p}_m"], states[f"{p}_h"], states[f"{p}_n"]
            gNa = params[f"{p}_gNa"] * (m**3) * h
            gK = params[f"{p}_gK"] * n**4
            return (gNa * (v - params[f"{p}_eNa"]) + gK * (v - params["eK"])
                    + params[f"{p}_gLeak"] * (v - params[f"{p}_eLeak"]))

        def init_state(self, states, v, params, delta_t):
            p = self._name
            gates = {"m": self.m_gate(v), "h": self.h_gate(v), "n": self.n_gate(v)}
            return {f"{p}_{g}": a / (a + b) for g, (a, b) in gates.items()}

        @staticmethod
        def m_gate(v):
            return 0.1 * vtrap(-(v + 40), 10), 4.0 * solver.save_exp(-(v + 65) / 18)

        @staticmethod
        def h_gate(v):
            return 0.07 * solver.save_exp(-(v + 65) / 20), 1.0 / (solver.save_exp(-(v + 35) / 10) + 1)

        @staticmethod
        def n_gate(v):
            return 0.01 * vtrap(-(v + 55), 10), 0.125 * solver.save_exp(-(v + 65) / 80)

    return HHj


def k_shared_class(base, solver):
    """A slow K gate with jax.lax.select (different rate above and below -40 mV), a state it does
    not update (returned partially), the shared eK, and jnp.where with save_exp."""

    class KShared(base):
        def __init__(self, name=None):
            self.current_is_in_mA_per_cm2 = True
            super().__init__(name)
            self.channel_params = {"KShared_g": 0.004, "eK": -77.0}  # S/cm^2, mV
            self.channel_states = {"KShared_q": 0.1, "KShared_unused": 0.5}
            self.current_name = "i_KShared"

        def update_states(self, states, dt, v, params):
            fast = jax.nn.sigmoid((v + 40.0) / 5.0) / 2.0  # 1/ms
            slow = jnp.expm1(-(v + 70.0) / 30.0) ** 2 / 50.0 + 1e-3
            rate = jax.lax.select(v > -40.0, fast, slow)
            q_inf = jnp.where(v < -60.0, solver.save_exp((v + 60.0) / 8.0), 1.0 - 0.5 * jnp.tanh(-(v + 60.0) / 9.0) - 0.5)
            q_inf = jnp.clip(q_inf, 0.0, 1.0)
            return {"KShared_q": solver.exponential_euler(states["KShared_q"], dt, q_inf, 1.0 / rate)}

        def compute_current(self, states, v, params):
            q = states["KShared_q"]
            return params["KShared_g"] * jnp.sqrt(q) * jnp.abs(q) * (v - params["eK"])

    return KShared


def cell(pkg, channels, init):
    c = pkg.Cell(pkg.Branch(pkg.Compartment(), ncomp=4), parents=[-1, 0, 0, 1, 1, 2, 2])
    for ch in channels:
        c.insert(ch)
    if init:
        c.set("v", -62.0)
        c.init_states(DT)
    c.branch(0).comp(0).stimulate(pkg.step_current(1.0, 1.0, 0.1, DT, T_MAX), verbose=False)
    for b in (0, 3, 6):
        c.branch(b).loc(0.0).record(verbose=False)
    return c


def both(build):
    """(Ranvier's traces, Jaxley's traces) of build(pkg, base, solver)."""
    jaxley = pytest.importorskip("jaxley")
    from jaxley import solver_gate as jaxley_solver

    ours = rx.integrate(build(rx, rx.channels.Channel, rx_solver), delta_t=DT, t_max=T_MAX)
    theirs = jaxley.integrate(build(jaxley, jaxley.channels.Channel, jaxley_solver), delta_t=DT, t_max=T_MAX)
    return np.asarray(ours), np.asarray(theirs)


def test_tutorial05_potassium_equals_jaxley():
    # With init_states (the tutorial's run without it is the network test's cell).
    ours, theirs = both(lambda pkg, base, solver: cell(pkg, [potassium_class(base, solver)()], init=True))
    assert ours.shape == theirs.shape and np.ptp(theirs) > 1.0  # the stimulus moves the voltage
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_jnp_hh_and_shared_ek_equal_jaxley():
    def build(pkg, base, solver):
        import jaxley.channels
        import jaxley.solver_gate  # the HH uses Jaxley's own solver_gate in both packages

        channels = [jnp_hh_class(base, jaxley.solver_gate)(), k_shared_class(base, solver)()]
        # Jaxley's own built-ins renamed: Ranvier's C++ ones keep their names, these are traced from
        # Jaxley's jnp code (K reads the shared eK too).
        channels += [jaxley.channels.Na("NaP"), jaxley.channels.K("KP")]
        c = cell(pkg, channels, init=True)
        c.branch(0).comp(0).stimulate(pkg.step_current(1.0, 3.0, 0.4, DT, T_MAX), verbose=False)
        c.branch(2).set("HHj_gNa", 0.25)  # S/cm^2
        c.set("eK", -85.0)  # mV, read by HHj, KShared and KP
        c.branch(1).set("NaP_gNa", 0.02)  # S/cm^2
        c.branch(4).comp(3).record("KP_n", verbose=False)
        c.branch(6).comp(1).record("KShared_q", verbose=False)
        c.branch(1).comp(2).record("HHj_m", verbose=False)
        return c

    ours, theirs = both(build)
    assert theirs[0].max() > 0.0  # the cell spikes
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_tutorial05_synapse_equals_jaxley():
    jaxley = pytest.importorskip("jaxley")
    from jaxley import solver_gate as jaxley_solver
    from jaxley import synapses as jaxley_synapses
    from jaxley.connect import connect as jaxley_connect

    from ranvier.synapses.synapse import Synapse  # Jaxley's module path, as tutorial 05 imports it

    def build(pkg, base, syn_base, solver, connect):
        c = cell(pkg, [potassium_class(base, solver)()], init=False)
        c.delete_stimuli()
        c.delete_recordings()
        net = pkg.Network([c for _ in range(3)])
        connect(net.cell(0).branch(0).loc(0.0), net.cell(1).branch(0).loc(0.0), test_synapse_class(syn_base)())
        net.TestSynapse.set("gChol", 0.01)  # uS
        # And the package's own TestSynapse (jaxley.synapses.TestSynapse), renamed: cell 1 -> cell 2.
        connect(net.cell(1).branch(0).loc(0.0), net.cell(2).branch(1).loc(0.5), pkg.synapses.TestSynapse("TS2"))
        net.TS2.set("TS2_gC", 0.02)  # uS
        net.cell(0).branch(0).loc(0.0).stimulate(pkg.step_current(1.0, 2.0, 0.1, DT, T_MAX), verbose=False)
        for i in range(3):
            net.cell(i).branch(0).loc(0.0).record(verbose=False)
        net.TestSynapse.edge(0).record("s_chol", verbose=False)
        net.TS2.edge(0).record("TS2_c", verbose=False)
        return net

    ours = np.asarray(rx.integrate(build(rx, rx.channels.Channel, Synapse, rx_solver, rx.connect), delta_t=DT))
    theirs = np.asarray(jaxley.integrate(
        build(jaxley, jaxley.channels.Channel, jaxley_synapses.Synapse, jaxley_solver, jaxley_connect),
        delta_t=DT))
    assert np.ptp(theirs[1]) > 0.1 and np.ptp(theirs[-1]) > 1e-3  # the synapses move cell 1 and their states
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


# ---- the primitive table: each lowering against JAX evaluating the same function ----
@jax.jit
def _doubled(x):
    return 2.0 * x + jnp.asarray(0.5)  # a jit inside the channel (the pjit primitive)


@jax.custom_vjp
def _clipped_gradient_tanh(x):
    return jnp.tanh(x)


_clipped_gradient_tanh.defvjp(lambda x: (jnp.tanh(x), x), lambda x, g: (jnp.clip(g, -1.0, 1.0),))


# name -> f(v, p, dt) with v in mV, p a parameter (0.7), dt in ms; every primitive the lowering handles.
PRIMITIVES = {
    "exp": lambda v, p, dt: jnp.exp(v / 30.0),
    "log": lambda v, p, dt: jnp.log(jnp.abs(v) + p),
    "tanh": lambda v, p, dt: jnp.tanh(v / 20.0),
    "sqrt_rsqrt": lambda v, p, dt: jnp.sqrt(jnp.abs(v)) + jax.lax.rsqrt(jnp.abs(v) + 1.0),
    "logistic": lambda v, p, dt: jax.nn.sigmoid(v / 7.0),
    "expm1": lambda v, p, dt: jnp.expm1(v / 50.0),
    "expm1_tiny": lambda v, p, dt: jnp.expm1(v * 1e-12),
    "expm1_far": lambda v, p, dt: jnp.expm1(v * 7.05) * jnp.expm1(-v * 7.05),  # beyond +-700 at -100 mV
    "log1p": lambda v, p, dt: jnp.log1p(jnp.abs(v) / 100.0),
    "log1p_tiny": lambda v, p, dt: jnp.log1p(v * 1e-13),
    "exp2": lambda v, p, dt: jnp.exp2(v / 25.0),
    "abs_sign": lambda v, p, dt: jnp.abs(v) * 2.0 + jnp.sign(v),
    "max_min": lambda v, p, dt: jnp.maximum(v, -40.0) - jnp.minimum(v, 0.0),
    "pow": lambda v, p, dt: jnp.power(jnp.abs(v) + 1.0, 1.7) + (jnp.abs(v) + 1.0) ** p,
    "integer_pow": lambda v, p, dt: (v / 10.0) ** 3 + 1.0 / (v**2 + 1.0) + (v / 50.0 + 3.0) ** -2 + jnp.square(v),
    "where": lambda v, p, dt: jnp.where(v > -40.0, v / 3.0, -v),
    "lax_select": lambda v, p, dt: jax.lax.select(v <= 0.0, jnp.exp(v / 10.0), p),
    "comparisons": lambda v, p, dt: (jnp.where(v == -40.0, 1.0, 2.0) + jnp.where(v != 0.0, 3.0, 5.0)
                                     + (v >= -40.0) * 7.0 + (v < 3.0).astype(jnp.float64)),
    "logic": lambda v, p, dt: (jnp.where(jnp.logical_and(v > -70.0, v < 10.0), 1.0, 0.0)
                               + jnp.where(jnp.logical_or(v < -70.0, v > 10.0), 2.0, 0.0)
                               + jnp.where(jnp.logical_not(v > 0.0), 4.0, 0.0)
                               + jnp.where(jnp.logical_xor(v > 0.0, v > -50.0), 8.0, 0.0)),
    "integers": lambda v, p, dt: jnp.where(v > 0.0, 1, 2) * 3 + (v > -20.0).astype(jnp.int32),
    "is_finite": lambda v, p, dt: jnp.where(jnp.isfinite(jnp.exp(v * 30.0)), 1.0, -1.0),
    "clamp_clip": lambda v, p, dt: jax.lax.clamp(-50.0, v, 10.0) + jnp.clip(v, -60.0, 1.0),
    "cond": lambda v, p, dt: jax.lax.cond(v > -40.0, lambda x: x * 2.0, lambda x: x - 1.0, v),
    "switch": lambda v, p, dt: jax.lax.switch(jnp.where(v < -50.0, 0, jnp.where(v < 0.0, 1, 2)),
                                              [lambda x: -x, lambda x: x * 3.0, jnp.exp], v / 20.0),
    "custom_jvp": lambda v, p, dt: jax.nn.relu(v + 50.0) + jax.nn.softplus(v / 10.0),
    "pjit": lambda v, p, dt: _doubled(v),
    "custom_vjp": lambda v, p, dt: _clipped_gradient_tanh(v / 30.0),
    "checkpoint": lambda v, p, dt: jax.checkpoint(lambda x: jnp.exp(x / 40.0) * p)(v),
    "shapes": lambda v, p, dt: jnp.squeeze(jnp.reshape(v, (1, 1))) + jnp.sum(jnp.expand_dims(v, 0)) + jnp.ravel(v)[0],
    "stop_gradient": lambda v, p, dt: jax.lax.stop_gradient(v) * p,
    "dt": lambda v, p, dt: jnp.exp(-dt / p) * v,
    "constant": lambda v, p, dt: 4.5,
    # Equations on constants only are folded by JAX: tables of any shape, iota, a constant predicate.
    "constant_tables": lambda v, p, dt: (_TABLE[1] * v + jnp.sum(jnp.arange(4.0)) + jnp.dot(_TABLE, _TABLE)
                                         + jax.lax.cond(_TABLE[0] > 0.0, lambda x: x * p, lambda x: -x, v)),
}
_TABLE = jnp.asarray([0.5, 2.0, 4.0])
# v (mV) of the compartments: both sides of every threshold above, exact ties and zero.
VOLTAGES = [-100.0, -75.0, -70.0, -50.0, -40.0, -39.9, -3.0, 0.0, 1e-9, 3.0, 10.0, 37.0]


def primitive_channel():
    class Primitives(rx.channels.Channel):
        def __init__(self):
            self.current_is_in_mA_per_cm2 = True
            super().__init__("Prim")
            self.channel_params = {"Prim_p": 0.7}
            self.channel_states = {f"Prim_{k}": 0.0 for k in PRIMITIVES}
            self.current_name = "i_Prim"

        def update_states(self, states, dt, v, params):
            return {f"Prim_{k}": f(v, params["Prim_p"], dt) for k, f in PRIMITIVES.items()}

        def compute_current(self, states, v, params):
            return 0.0 * v

    return Primitives()


def test_every_primitive_equals_jax():
    branch = rx.Branch(rx.Compartment(), ncomp=len(VOLTAGES))
    branch.insert(primitive_channel())
    for i, v in enumerate(VOLTAGES):
        branch.comp(i).set("v", v)
    for k in PRIMITIVES:
        branch.record(f"Prim_{k}", verbose=False)
    # After one step every state is its function of the initial voltage.
    ours = np.asarray(rx.integrate(branch, delta_t=DT, t_max=DT))[:, 1].reshape(len(PRIMITIVES), len(VOLTAGES))
    v = jnp.asarray(VOLTAGES)
    for row, (k, f) in zip(ours, PRIMITIVES.items()):
        expected = jax.jit(jax.vmap(lambda x, f=f: jnp.asarray(f(x, 0.7, DT), jnp.float64)))(v)
        np.testing.assert_allclose(row, np.asarray(expected), rtol=1e-12, atol=0, err_msg=k)


# ---- clear errors ----
def _channel(update, name="Bad"):
    class Bad(rx.channels.Channel):
        def __init__(self):
            self.current_is_in_mA_per_cm2 = True
            super().__init__(name)
            self.channel_params = {f"{name}_g": 1e-3}
            self.channel_states = {f"{name}_x": 0.0}
            self.current_name = f"i_{name}"

        def update_states(self, states, dt, v, params):
            return {f"{name}_x": update(states[f"{name}_x"], v, params)}

        def compute_current(self, states, v, params):
            return params[f"{name}_g"] * states[f"{name}_x"] * v

    return Bad()


def _insert_and_run(channel):
    comp = rx.Compartment()
    comp.insert(channel)
    comp.record(verbose=False)
    return rx.integrate(comp, delta_t=DT, t_max=0.1)


def test_unsupported_primitive_names_itself_and_the_channel():
    with pytest.raises(NotImplementedError, match=r"channel 'Sine' uses the JAX primitive 'sin'.*not supported yet"):
        _insert_and_run(_channel(lambda x, v, p: jnp.sin(v) * x, name="Sine"))


def test_unsupported_primitive_in_a_synapse():
    class CosSynapse(rx.synapses.Synapse):
        def __init__(self):
            super().__init__()
            self.synapse_params = {"CosSynapse_g": 0.1}
            self.synapse_states = {"CosSynapse_s": 0.0}

        def update_states(self, states, delta_t, pre_voltage, post_voltage, params):
            return {"CosSynapse_s": jnp.cos(pre_voltage)}

        def compute_current(self, states, pre_voltage, post_voltage, params):
            return params["CosSynapse_g"] * states["CosSynapse_s"]

    net = rx.Network([rx.Cell(rx.Branch(rx.Compartment(), ncomp=1), parents=[-1]) for _ in range(2)])
    with pytest.raises(NotImplementedError, match=r"synapse 'CosSynapse' uses the JAX primitive 'cos'"):
        rx.connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(0).comp(0), CosSynapse())
        net.cell(0).branch(0).comp(0).record(verbose=False)
        rx.integrate(net, delta_t=DT, t_max=0.1)


def test_arrays_of_several_elements_are_not_supported():
    with pytest.raises(NotImplementedError, match=r"channel 'Bad' computes an array of shape \(2,\)"):
        _insert_and_run(_channel(lambda x, v, p: jnp.sum(jnp.stack([v, x])) * 0.0))


def test_python_branch_on_a_traced_value_is_a_clear_error():
    def update(x, v, p):
        return jnp.exp(v) if v > 0 else x  # Python `if` on a value

    with pytest.raises(TypeError, match=r"channel 'Bad' uses a traced value as a Python bool.*jnp.where"):
        _insert_and_run(_channel(update))


def test_undeclared_parameter_in_jnp_code_is_a_key_error():
    with pytest.raises(KeyError, match=r"reads parameter 'Bad_tau', which it does not declare"):
        _insert_and_run(_channel(lambda x, v, p: jnp.exp(-v / p["Bad_tau"])))


# ---- Jaxley's pieces in Ranvier ----
def test_ranvier_solver_gate_on_jax_values_is_jaxleys():
    sg = pytest.importorskip("jaxley.solver_gate")
    x, a, b = jnp.asarray([0.1, 0.5, 0.9]), jnp.asarray([0.2, 3.0, 40.0]), jnp.asarray([1.5, 0.01, 7.0])
    for ours, theirs, args in [
        (rx_solver.save_exp, sg.save_exp, (jnp.asarray([-3.0, 19.0, 25.0]),)),
        (rx_solver.solve_gate_exponential, sg.solve_gate_exponential, (x, DT, a, b)),
        (rx_solver.exponential_euler, sg.exponential_euler, (x, DT, a, b)),
        (rx_solver.solve_inf_gate_exponential, sg.solve_inf_gate_exponential, (x, DT, a, b)),
        (rx_solver.solve_gate_implicit, sg.solve_gate_implicit, (x, DT, a, b)),
    ]:
        got = jax.jit(ours)(*args)
        assert isinstance(got, jax.Array)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(jax.jit(theirs)(*args)), err_msg=ours.__name__)


def test_a_jaxley_channel_subclass_inserts_into_ranvier():
    jaxley = pytest.importorskip("jaxley")
    from jaxley import solver_gate as jaxley_solver

    def run(base, solver):
        return rx.integrate(cell(rx, [potassium_class(base, solver)()], init=True), delta_t=DT, t_max=T_MAX)

    np.testing.assert_array_equal(run(jaxley.channels.Channel, jaxley_solver), run(rx.channels.Channel, rx_solver))


def test_float64_tracing_without_jax_enable_x64(tmp_path):
    # A user who did not enable x64: the channel's literals (0.01, 1 / 80, ...) stay doubles
    # (Ranvier computes in float64), so the traces are the ones traced with x64 on.
    import subprocess
    import sys

    script = tmp_path / "no_x64.py"
    script.write_text(
        "import sys, numpy as np, jax\n"
        f"sys.path.insert(0, {str(ROOT_TESTS)!r})\n"
        "import ranvier as rx, test_jnp_channels as t\n"
        "jax.config.update('jax_enable_x64', False)  # the test module enables it\n"
        "c = t.cell(rx, [t.potassium_class(rx.channels.Channel, t.rx_solver)()], init=True)\n"
        "np.save(sys.argv[1], rx.integrate(c, delta_t=t.DT, t_max=t.T_MAX))\n"
        "assert not jax.config.jax_enable_x64\n"
    )
    out = tmp_path / "v.npy"
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("JAX_")}
    subprocess.run([sys.executable, str(script), str(out)], check=True, env=env, timeout=120)
    expected = rx.integrate(cell(rx, [potassium_class(rx.channels.Channel, rx_solver)()], init=True), delta_t=DT, t_max=T_MAX)
    np.testing.assert_array_equal(np.load(out), expected)


def test_gradient_through_jnp_channels_equals_jaxley():
    # Through lax.select, where, clip, sigmoid, expm1, sqrt and abs (KShared) and Jaxley's HH in jnp
    # (a small model and 2 ms: Jaxley's gradient compilation dominates this file's time).
    jaxley = pytest.importorskip("jaxley")
    from jaxley import solver_gate as jaxley_solver

    import ranvier.jax as rx_jax

    def build(pkg, base, solver):
        c = pkg.Cell(pkg.Branch(pkg.Compartment(), ncomp=2), parents=[-1, 0])
        c.insert(jnp_hh_class(base, jaxley_solver)())
        c.insert(k_shared_class(base, solver)())
        c.branch(0).comp(0).stimulate(pkg.step_current(0.5, 1.0, 0.3, DT, 2.0), verbose=False)
        c.branch(1).comp(1).record(verbose=False)
        c.branch(1).make_trainable("KShared_g", verbose=False)
        c.make_trainable("HHj_gNa", verbose=False)
        return c

    def grads(pkg, base, solver, integrate):
        c = build(pkg, base, solver)
        return jax.grad(lambda p: jnp.mean(integrate(c, params=p, delta_t=DT, t_max=2.0) ** 2))(c.get_parameters())

    ours = grads(rx, rx.channels.Channel, rx_solver, rx_jax.integrate)
    theirs = grads(jaxley, jaxley.channels.Channel, jaxley_solver, jaxley.integrate)
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        (key, ga), = a.items()
        assert np.abs(np.asarray(b[key])).max() > 0.0
        np.testing.assert_allclose(np.asarray(ga), np.asarray(b[key]), rtol=1e-6, err_msg=key)


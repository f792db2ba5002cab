"""Channels that write the voltage (Jaxley 0.14's Fire, Izhikevich, Rate, AdEx, and Python
channels returning "v") against real Jaxley 0.14, float64: the same script built with both
packages, every recorded trace (voltages, spike indicators, adaptation states) compared.
Stimuli keep the voltage away from threshold ties, so no spike moves by a step."""
import importlib
import warnings

import numpy as np
import pytest

import ranvier as rx

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jaxley = pytest.importorskip("jaxley")

# Voltages (mV, up to ~70 in magnitude) and 0/1 spike indicators; atol covers values passing
# through 0 (Rate's v, AdEx's w at the start), 1e-11 of the voltage scale.
RTOL, ATOL = 1e-8, 1e-9


def run_both(build, **integrate_kwargs):
    """Build the model with each package, integrate, return (ranvier, jaxley) traces."""
    out = []
    for pkg in (rx, jaxley):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the surrogate-gradient warnings of both packages
            module = build(pkg)
            out.append(np.asarray(pkg.integrate(module, **integrate_kwargs)))
    return out


def assert_traces_equal(build, **integrate_kwargs):
    got, expected = run_both(build, **integrate_kwargs)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    return got


def lif_compartment(pkg):
    comp = pkg.Compartment()
    comp.insert(pkg.channels.Leak())
    comp.insert(pkg.channels.Fire())
    comp.record("v", verbose=False)
    comp.record("Fire_spikes", verbose=False)
    comp.stimulate(pkg.step_current(5.0, 20.0, 0.005, 0.1, 40.0), verbose=False)
    return comp


def test_lif_compartment_with_a_step_current():
    r = assert_traces_equal(lif_compartment, delta_t=0.1)
    assert r[1].sum() >= 3  # it spiked, repeatedly
    assert set(np.unique(r[1])) <= {0.0, 1.0}


def lif_cell(pkg):
    cell = pkg.Cell(pkg.Branch(pkg.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.insert(pkg.channels.Leak())
    cell.branch(1).insert(pkg.channels.Fire())
    cell.branch(2).insert(pkg.channels.HH())
    cell.branch(1).set("Fire_vth", -55.0)
    cell.branch(0).comp(0).stimulate(pkg.step_current(2.0, 30.0, 0.05, 0.025, 40.0), verbose=False)
    for b, c in [(0, 0), (1, 0), (1, 1), (2, 1)]:
        cell.branch(b).comp(c).record("v", verbose=False)
    cell.branch(1).comp(1).record("Fire_spikes", verbose=False)
    cell.branch(2).comp(0).record("HH_m", verbose=False)
    return cell


def test_three_branch_cell_with_fire_on_one_branch():
    r = assert_traces_equal(lif_cell, delta_t=0.025)
    assert r[4].sum() >= 1


def izhikevich(pkg):
    cell = pkg.Cell()
    cell.insert(pkg.channels.Izhikevich())
    cell.record("v", verbose=False)
    cell.record("Izhikevich_u", verbose=False)
    cell.stimulate(pkg.step_current(10.0, 80.0, 0.012, 0.1, 100.0), verbose=False)  # tutorial 12, shorter
    return cell


def test_izhikevich_tutorial_cell():
    r = assert_traces_equal(izhikevich, delta_t=0.1)
    assert (np.diff(r[0]) < -50.0).sum() >= 3  # resets


def izhikevich_initialised(pkg):
    comp = pkg.Compartment()
    comp.insert(pkg.channels.Izhikevich())
    comp.set("v", -60.0)
    comp.set("Izhikevich_d", 2.0)
    comp.init_states()  # u = b v
    comp.record("Izhikevich_u", verbose=False)
    comp.record("v", verbose=False)
    comp.stimulate(pkg.step_current(5.0, 40.0, 0.01, 0.1, 50.0), verbose=False)
    return comp


def test_izhikevich_init_states():
    r = assert_traces_equal(izhikevich_initialised, delta_t=0.1)
    assert r[0][0] == pytest.approx(0.2 * -60.0)


def rate(pkg):
    cell = pkg.Cell()
    cell.set("length", 1.0 / (2 * np.pi * 1e-5))
    cell.set("radius", 1.0)
    cell.insert(pkg.channels.Rate())
    cell.stimulate(2.0 * np.ones((5,)), verbose=False)
    cell.set("v", 2.0)
    cell.record("v", verbose=False)
    return cell


def test_rate_tutorial_cell():
    assert_traces_equal(rate, t_max=10.0, delta_t=1.0)


def adex(pkg):
    comp = pkg.Compartment()
    comp.insert(pkg.channels.AdEx())
    comp.set("v", -70.0)
    comp.set("AdEx_b", 0.7)
    comp.set("capacitance", 2.0)
    comp.stimulate(pkg.step_current(2.0, 20.0, 0.25, 0.025, 30.0), verbose=False)
    for key in ("v", "AdEx_w", "AdEx_spikes"):
        comp.record(key, verbose=False)
    return comp


def test_adex_compartment():
    r = assert_traces_equal(adex, delta_t=0.025)
    assert r[2].sum() >= 2  # spikes, each adding b to w


def lif_network(pkg):
    connect = importlib.import_module(pkg.__name__ + ".connect").connect
    synapses = importlib.import_module(pkg.__name__ + ".synapses")
    cells = [pkg.Cell(pkg.Branch(pkg.Compartment(), ncomp=1), parents=[-1]) for _ in range(2)]
    net = pkg.Network(cells)
    net.insert(pkg.channels.Leak())
    net.insert(pkg.channels.Fire())
    connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(0).comp(0), synapses.IonotropicSynapse())
    net.IonotropicSynapse.set("IonotropicSynapse_gS", 0.004)  # uS
    net.cell(0).stimulate(pkg.step_current(2.0, 30.0, 0.01, 0.025, 40.0), verbose=False)
    net.cell(1).stimulate(pkg.step_current(0.0, 40.0, 0.003, 0.025, 40.0), verbose=False)
    net.cell("all").record("v", verbose=False)
    net.cell("all").record("Fire_spikes", verbose=False)
    net.IonotropicSynapse.record("IonotropicSynapse_s", verbose=False)
    return net


def test_two_cell_network_with_a_synapse():
    r = assert_traces_equal(lif_network, delta_t=0.025)
    assert r[2].sum() >= 1 and r[3].sum() >= 1  # both cells fire
    assert r[4].max() > 1e-3  # the synapse opened


class PythonFire(rx.channels.Channel):
    """Fire written in Python with ranvier's math (jx.where), as a user would port it."""

    def __init__(self, name=None):
        self.current_is_in_mA_per_cm2 = True
        super().__init__(name)
        self.channel_params = {f"{self.name}_vth": -50, f"{self.name}_vreset": -70}
        self.channel_states = {f"{self.name}_spikes": False}
        self.current_name = f"{self.name}_fire"

    def update_states(self, states, dt, v, params):
        spike = v > params[f"{self._name}_vth"]
        return {"v": rx.where(spike, params[f"{self._name}_vreset"], v), f"{self.name}_spikes": spike}

    def compute_current(self, states, v, params):
        return np.zeros((1,))


def test_python_channel_returning_v_equals_jaxleys_fire():
    def build(pkg):
        comp = pkg.Compartment()
        comp.insert(pkg.channels.Leak())
        comp.insert(PythonFire(name="Fire") if pkg is rx else pkg.channels.Fire())
        comp.record("v", verbose=False)
        comp.record("Fire_spikes", verbose=False)
        comp.stimulate(pkg.step_current(5.0, 20.0, 0.005, 0.1, 40.0), verbose=False)
        return comp

    r = assert_traces_equal(build, delta_t=0.1)
    assert r[1].sum() >= 3


@pytest.mark.parametrize("name", ["lif_compartment", "izhikevich", "rate", "adex", "lif_cell", "lif_network"])
def test_jit_equals_interpreter(name):
    build, kwargs = {
        "lif_compartment": (lif_compartment, {"delta_t": 0.1}),
        "izhikevich": (izhikevich, {"delta_t": 0.1}),
        "rate": (rate, {"t_max": 10.0, "delta_t": 1.0}),
        "adex": (adex, {"delta_t": 0.025}),
        "lif_cell": (lif_cell, {"delta_t": 0.025}),
        "lif_network": (lif_network, {"delta_t": 0.025}),
    }[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = build(rx)
    jit = np.asarray(rx.integrate(module, backend="jit", **kwargs))
    interp = np.asarray(rx.integrate(module, backend="interpreter", **kwargs))
    if name in ("lif_cell", "lif_network"):
        # The HH branch and the synapse's exp: the interpreter uses libm's exp, the JIT its
        # vectorised exp (1 ulp apart), which an HH spike amplifies; the C++ tests compare such
        # models bit for bit with the interpreter on the JIT's exp.
        np.testing.assert_allclose(jit, interp, rtol=1e-10, atol=1e-10)
    else:
        np.testing.assert_array_equal(jit, interp)


def test_builtin_defaults_and_names_match_jaxley():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("Fire", "Izhikevich", "Rate", "AdEx"):
            ours, theirs = getattr(rx.channels, name)(), getattr(jaxley.channels, name)()
            assert ours.name == theirs.name
            assert ours.current_name == theirs.current_name
            assert ours.channel_params == {k: float(v) for k, v in theirs.channel_params.items()}
            assert ours.channel_states == {k: float(v) for k, v in theirs.channel_states.items()}


def test_fire_warns_about_surrogate_gradients_like_jaxley():
    with pytest.warns(UserWarning, match="surrogate gradients"):
        rx.channels.Fire()


def test_gradients_of_v_writing_channels_are_not_supported():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comp = lif_compartment(rx)
    with pytest.raises(NotImplementedError, match="write the voltage"):
        rx.vjp(comp, delta_t=0.1)

"""``ranvier.integrate`` as a JAX function (``jax.jit``, ``jax.vmap``, ``jax.value_and_grad``),
each result against real Jaxley 0.14 running the same script in float64: traces to 1e-8
relative, gradients to 1e-6 relative. Also: under ``jit(vmap)`` the model is compiled once
and the whole batch is ONE call into Ranvier."""
import importlib

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jaxley = pytest.importorskip("jaxley")
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp  # noqa: E402

import ranvier  # noqa: E402
from ranvier import _core  # noqa: E402

T_MAX = 5.0  # ms
DT = 0.025  # ms


def _close(a, b, rtol):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = np.max(np.abs(b))
    assert np.max(np.abs(a - b)) <= rtol * scale, f"max abs diff {np.max(np.abs(a - b))} vs scale {scale}"


def hh_cell(jx):
    """Tutorial 04's cell, smaller: 3 branches of 2 compartments with Na, K, Leak."""
    channels = importlib.import_module(f"{jx.__name__}.channels")
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.insert(channels.Na())
    cell.insert(channels.K())
    cell.insert(channels.Leak())
    cell.branch(0).loc(0.0).stimulate(jx.step_current(1.0, 1.0, 0.1, DT, T_MAX), verbose=False)
    cell.branch(0).loc(0.0).record(verbose=False)
    cell.branch(2).loc(1.0).record(verbose=False)
    return cell


def data_set_simulate(jx, cell):
    def simulate(params):
        ps = cell.data_set("Na_gNa", params[0], None)
        ps = cell.data_set("K_gK", params[1], ps)
        return jx.integrate(cell, param_state=ps, delta_t=DT)

    return simulate


PARAMS = jnp.asarray(np.random.default_rng(0).uniform([0.05, 0.01], [0.5, 0.1], size=(16, 2)))


@pytest.fixture(scope="module")
def jaxley_vmapped():
    cell = hh_cell(jaxley)
    return np.asarray(jax.jit(jax.vmap(data_set_simulate(jaxley, cell)))(PARAMS))


class Counter:
    """Counts Ranvier's simulation calls (single and batched) and their lanes."""

    def __init__(self, monkeypatch):
        self.calls, self.lanes = 0, []
        for name in ("integrate", "integrate_lanes"):
            real = getattr(_core, name)
            monkeypatch.setattr(_core, name, self._wrap(real, name))
        real_compile = _core.compile

        def compile_(*args, **kwargs):
            model = real_compile(*args, **kwargs)
            counter = self

            class Wrapped:
                def integrate_lanes(self, lanes):
                    counter.calls += 1
                    counter.lanes.append(len(lanes))
                    return model.integrate_lanes(lanes)

            return Wrapped()

        monkeypatch.setattr(_core, "compile", compile_)

    def _wrap(self, real, name):
        def wrapped(core, options, *rest):
            self.calls += 1
            self.lanes.append(len(options) if name == "integrate_lanes" else 1)
            return real(core, options, *rest)

        return wrapped


def test_numpy_inputs_stay_numpy():
    cell = hh_cell(ranvier)
    out = ranvier.integrate(cell, t_max=T_MAX)
    gna = float(cell.nodes["Na_gNa"].iloc[0])
    assert isinstance(out, np.ndarray)
    out_jax = ranvier.integrate(cell, params=[], param_state=cell.data_set("Na_gNa", jnp.asarray(gna), None), t_max=T_MAX)
    assert isinstance(out_jax, jax.Array)
    _close(out_jax, out, 1e-12)  # gNa set to its own value: the same simulation


def test_jit_data_set_matches_jaxley(jaxley_vmapped):
    cell = hh_cell(ranvier)
    jitted = jax.jit(data_set_simulate(ranvier, cell))
    for b in (0, 5):
        _close(jitted(PARAMS[b]), jaxley_vmapped[b], 1e-8)


def test_vmap_is_one_batched_call_and_matches_jaxley(jaxley_vmapped, monkeypatch):
    cell = hh_cell(ranvier)
    simulate = jax.jit(jax.vmap(data_set_simulate(ranvier, cell)))
    first = simulate(PARAMS)  # traces and compiles
    _close(first, jaxley_vmapped, 1e-8)
    compilations = ranvier.compilations()
    counter = Counter(monkeypatch)
    again = simulate(PARAMS[::-1])
    _close(again, jaxley_vmapped[::-1], 1e-8)
    assert counter.calls == 1 and counter.lanes == [16], (counter.calls, counter.lanes)
    assert ranvier.compilations() == compilations, "the model was compiled again for new parameter values"


def test_nested_vmap_matches_jaxley(jaxley_vmapped):
    cell = hh_cell(ranvier)
    nested = jax.jit(jax.vmap(jax.vmap(data_set_simulate(ranvier, cell))))
    out = nested(PARAMS.reshape(4, 4, 2))
    _close(out, jaxley_vmapped.reshape(4, 4, *jaxley_vmapped.shape[1:]), 1e-8)


def test_vmap_in_axes_none_shares_the_unbatched_input(jaxley_vmapped):
    # Only gK is vmapped; gNa is one value shared by every lane.
    cell = hh_cell(ranvier)
    simulate = data_set_simulate(ranvier, cell)
    out = jax.vmap(lambda gna, gk: simulate(jnp.stack([gna, gk])), in_axes=(None, 0))(PARAMS[3, 0], PARAMS[:, 1])
    ref_cell = hh_cell(jaxley)
    ref_sim = data_set_simulate(jaxley, ref_cell)
    ref = jax.jit(jax.vmap(lambda gna, gk: ref_sim(jnp.stack([gna, gk])), in_axes=(None, 0)))(PARAMS[3, 0], PARAMS[:, 1])
    _close(out, ref, 1e-8)
    _close(out[3], jaxley_vmapped[3], 1e-8)


def tanh_net(jx):
    """Tutorial 07's network, with 2 cells: cell 0 drives cell 1 through a TanhRateSynapse."""
    channels = importlib.import_module(f"{jx.__name__}.channels")
    synapses = importlib.import_module(f"{jx.__name__}.synapses")
    connect = importlib.import_module(f"{jx.__name__}.connect")
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    net = jx.Network([cell for _ in range(2)])
    connect.fully_connect(net.cell([0]), net.cell([1]), synapses.TanhRateSynapse())
    net.TanhRateSynapse.set("TanhRateSynapse_x_offset", -60.0)
    net.TanhRateSynapse.set("TanhRateSynapse_gS", 1e-3)
    net.TanhRateSynapse.set("TanhRateSynapse_slope", 0.1)
    net.insert(channels.Leak())
    net.cell(0).branch(0).loc(0.0).record(verbose=False)
    net.cell(1).branch(0).loc(0.0).record(verbose=False)
    net.make_trainable("radius", verbose=False)
    net.cell("all").branch("all").loc("all").make_trainable("Leak_gLeak", verbose=False)
    net.TanhRateSynapse.edge("all").make_trainable("TanhRateSynapse_gS", verbose=False)
    return net


def tanh_loss(jx, net):
    def simulate(params, amps):
        currents = jx.datapoint_to_step_currents(i_delay=1.0, i_dur=1.0, i_amp=amps, delta_t=DT, t_max=T_MAX)
        data_stimuli = net.cell(0).branch(2).loc(1.0).data_stimulate(currents[0], None)
        data_stimuli = net.cell(0).branch(1).loc(1.0).data_stimulate(currents[1], data_stimuli)
        return jx.integrate(net, params=params, data_stimuli=data_stimuli, delta_t=DT, checkpoint_lengths=[15, 15])

    def loss(params, amps, labels):
        predictions = jax.vmap(lambda a: jnp.mean(simulate(params, a)[1]) + 72.0)(amps)
        return jnp.mean(jnp.abs(predictions - labels))

    return loss


AMPS = jnp.asarray(np.random.default_rng(1).uniform(size=(4, 2)) / 10.0)  # nA
LABELS = jnp.asarray([1.0, 0.0, 1.0, 0.0])


def _grads_close(grads, ref, rtol):
    assert len(grads) == len(ref)
    for g, r in zip(grads, ref):
        (key, a), = g.items()
        _close(a, r[key], rtol)


def test_value_and_grad_under_vmap_matches_jaxley(monkeypatch):
    ref_net = tanh_net(jaxley)
    ref_value, ref_grads = jax.jit(jax.value_and_grad(tanh_loss(jaxley, ref_net), argnums=(0, 1)))(
        ref_net.get_parameters(), AMPS, LABELS)
    net = tanh_net(ranvier)
    grad_fn = jax.jit(jax.value_and_grad(tanh_loss(ranvier, net), argnums=(0, 1)))
    params = [{k: jnp.asarray(v)} for p in net.get_parameters() for k, v in p.items()]
    value, (g_params, g_amps) = grad_fn(params, AMPS, LABELS)
    assert abs(float(value) - float(ref_value)) <= 1e-8 * abs(float(ref_value))
    _grads_close(g_params, ref_grads[0], 1e-6)
    _close(g_amps, ref_grads[1], 1e-6)
    # Once traced: one batched forward call and one batched adjoint call of 4 lanes.
    counter = Counter(monkeypatch)
    vjp_calls = []
    real_vjp_batch = _core.vjp_batch
    monkeypatch.setattr(_core, "vjp_batch", lambda core, lanes, threads: vjp_calls.append(len(lanes))
                        or real_vjp_batch(core, lanes, threads))
    grad_fn(params, AMPS, LABELS)
    assert counter.lanes == [4] and vjp_calls == [4], (counter.lanes, vjp_calls)


def test_gradient_of_data_set_values_is_not_supported():
    cell = hh_cell(ranvier)
    simulate = data_set_simulate(ranvier, cell)
    with pytest.raises(NotImplementedError, match="data_set value"):
        jax.grad(lambda p: jnp.sum(simulate(p)))(PARAMS[0])


def test_float32_runs_close_to_float64(jaxley_vmapped):
    cell = hh_cell(ranvier)
    jax.config.update("jax_enable_x64", False)
    try:
        params = jnp.asarray(np.asarray(PARAMS[:4]), dtype=jnp.float32)
        out = jax.jit(jax.vmap(data_set_simulate(ranvier, cell)))(params)
        assert out.dtype == jnp.float32
        net = tanh_net(ranvier)
        value, grads = jax.jit(jax.value_and_grad(tanh_loss(ranvier, net)))(net.get_parameters(), AMPS, LABELS)
        assert value.dtype == jnp.float32 and all(next(iter(g.values())).dtype == jnp.float32 for g in grads)
    finally:
        jax.config.update("jax_enable_x64", True)
    # Spikes move by a fraction of a time step in single precision: compare where v is smooth
    # (the first 1 ms, before the stimulus) tightly and the whole trace loosely (mV).
    ref = jaxley_vmapped[:4]
    _close(np.asarray(out)[..., :40], ref[..., :40], 1e-5)
    assert np.max(np.abs(np.asarray(out) - ref)) < 1.0
    ref_value, _ = jax.value_and_grad(tanh_loss(ranvier, tanh_net(ranvier)))(
        tanh_net(ranvier).get_parameters(), AMPS, LABELS)
    assert abs(float(value) - float(ref_value)) <= 1e-4 * abs(float(ref_value))

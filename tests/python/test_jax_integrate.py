"""``ranvier.integrate`` as a JAX function (``jax.jit``, ``jax.vmap``, ``jax.value_and_grad``),
against real Jaxley 0.14 running the same code in float64 (tests/python/jax_models.py; the
results are written by tests/reference/jaxley_jax/make_jax_refs.py, because compiling Jaxley's
models takes a minute): traces to 1e-8 relative, gradients to 1e-6 relative. Also: under
``jit(vmap)`` the model is compiled once and the whole batch is ONE call into Ranvier."""
import json

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp  # noqa: E402

import ranvier  # noqa: E402
from conftest import ROOT  # noqa: E402
from jax_models import (  # noqa: E402
    AMPS, DT, LABELS, PARAMS, T_MAX, batched_trainables, data_set_simulate, hh_cell, shared_gna_vmap, stimulus_current,
    stimulus_loss, tanh_loss, tanh_net, trainable_cell,
)
from ranvier import _core  # noqa: E402

with open(ROOT / "tests" / "reference" / "jaxley_jax" / "refs.json") as _f:
    REF = json.load(_f)
np.testing.assert_array_equal(REF["params"], PARAMS)  # the references are of these inputs
np.testing.assert_array_equal(REF["amps"], AMPS)
VMAPPED = np.asarray(REF["vmapped"])  # (8, 2, T + 1) mV


def _close(a, b, rtol):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = np.max(np.abs(b))
    assert np.max(np.abs(a - b)) <= rtol * scale, f"max abs diff {np.max(np.abs(a - b))} vs scale {scale}"


class Counter:
    """Counts Ranvier's simulation calls (single, batched and float32-compiled) and their lanes."""

    def __init__(self, monkeypatch):
        self.calls, self.lanes, self.compiled = 0, [], []
        for name in ("integrate", "integrate_lanes"):
            monkeypatch.setattr(_core, name, self._wrap(getattr(_core, name), name))
        real_compile = _core.compile
        counter = self

        class Compiled:
            def __init__(self, model):
                self.model = model

            def integrate_lanes(self, lanes):
                counter.calls += 1
                counter.lanes.append(len(lanes))
                counter.compiled.append(len(lanes))
                return self.model.integrate_lanes(lanes)

        monkeypatch.setattr(_core, "compile", lambda *args: Compiled(real_compile(*args)))

    def _wrap(self, real, name):
        def wrapped(core, options, *rest):
            self.calls += 1
            self.lanes.append(len(options) if name == "integrate_lanes" else 1)
            return real(core, options, *rest)

        return wrapped


def test_numpy_inputs_stay_numpy():
    cell = hh_cell(ranvier)
    out = ranvier.integrate(cell, t_max=T_MAX)
    assert isinstance(out, np.ndarray)
    gna = float(cell.nodes["Na_gNa"].iloc[0])
    out_jax = ranvier.integrate(cell, params=[], param_state=cell.data_set("Na_gNa", jnp.asarray(gna), None), t_max=T_MAX)
    assert isinstance(out_jax, jax.Array)
    _close(out_jax, out, 1e-12)  # gNa set to its own value: the same simulation


def test_jit_data_set_matches_jaxley():
    jitted = jax.jit(data_set_simulate(ranvier, hh_cell(ranvier)))
    for b in (0, 5):
        _close(jitted(jnp.asarray(PARAMS[b])), VMAPPED[b], 1e-8)


def test_vmap_is_one_batched_call_and_matches_jaxley(monkeypatch):
    simulate = jax.jit(jax.vmap(data_set_simulate(ranvier, hh_cell(ranvier))))
    _close(simulate(jnp.asarray(PARAMS)), VMAPPED, 1e-8)  # traces and compiles
    compilations = ranvier.compilations()
    counter = Counter(monkeypatch)
    _close(simulate(jnp.asarray(PARAMS[::-1])), VMAPPED[::-1], 1e-8)
    assert counter.calls == 1 and counter.lanes == [8], (counter.calls, counter.lanes)
    assert ranvier.compilations() == compilations, "the model was compiled again for new parameter values"


def test_nested_vmap_matches_jaxley():
    nested = jax.jit(jax.vmap(jax.vmap(data_set_simulate(ranvier, hh_cell(ranvier)))))
    _close(nested(jnp.asarray(PARAMS.reshape(2, 4, 2))), VMAPPED.reshape(2, 4, *VMAPPED.shape[1:]), 1e-8)


def test_vmap_in_axes_none_shares_the_unbatched_input(monkeypatch):
    counter = Counter(monkeypatch)
    out = shared_gna_vmap(ranvier, hh_cell(ranvier))(PARAMS[3, 0], jnp.asarray(PARAMS[:, 1]))
    _close(out, np.asarray(REF["shared_gna"]), 1e-8)
    _close(out[3], VMAPPED[3], 1e-8)
    assert counter.lanes == [8]


def test_value_and_grad_under_vmap_matches_jaxley(monkeypatch):
    net = tanh_net(ranvier)
    grad_fn = jax.jit(jax.value_and_grad(tanh_loss(ranvier, net), argnums=(0, 1)))
    params = [{k: jnp.asarray(v)} for p in net.get_parameters() for k, v in p.items()]
    value, (g_params, g_amps) = grad_fn(params, jnp.asarray(AMPS), jnp.asarray(LABELS))
    assert abs(float(value) - REF["tanh_value"]) <= 1e-8 * abs(REF["tanh_value"])
    assert [next(iter(g)) for g in g_params] == [next(iter(g)) for g in REF["tanh_grads"]]
    for g, r in zip(g_params, REF["tanh_grads"]):
        (key, a), = g.items()
        _close(a, r[key], 1e-6)
    _close(g_amps, REF["tanh_amps_grad"], 1e-6)
    # Once traced: one batched forward call and one batched adjoint call, 4 lanes each.
    counter = Counter(monkeypatch)
    vjp_lanes = []
    real_vjp_batch = _core.vjp_batch
    monkeypatch.setattr(_core, "vjp_batch", lambda core, lanes, threads: vjp_lanes.append(len(lanes))
                        or real_vjp_batch(core, lanes, threads))
    grad_fn(params, jnp.asarray(AMPS), jnp.asarray(LABELS))
    assert counter.lanes == [4] and vjp_lanes == [4], (counter.lanes, vjp_lanes)


def test_gradient_of_data_set_values_is_not_supported():
    simulate = data_set_simulate(ranvier, hh_cell(ranvier))
    with pytest.raises(NotImplementedError, match="data_set value"):
        jax.grad(lambda p: jnp.sum(simulate(p)))(jnp.asarray(PARAMS[0]))


def test_float32_runs_close_to_float64(monkeypatch):
    cell, net = hh_cell(ranvier), tanh_net(ranvier)
    jax.config.update("jax_enable_x64", False)
    try:
        counter = Counter(monkeypatch)
        out = jax.jit(jax.vmap(data_set_simulate(ranvier, cell)))(jnp.asarray(PARAMS[:4], dtype=jnp.float32))
        assert out.dtype == jnp.float32
        assert counter.compiled == [4], "the float32 kernels did not run"
        amps, labels = (jnp.asarray(x, dtype=jnp.float32) for x in (AMPS, LABELS))
        params = [{k: jnp.asarray(v, dtype=jnp.float32)} for p in net.get_parameters() for k, v in p.items()]
        value, grads = jax.jit(jax.value_and_grad(tanh_loss(ranvier, net)))(params, amps, labels)
        assert value.dtype == jnp.float32 and all(next(iter(g.values())).dtype == jnp.float32 for g in grads)
    finally:
        jax.config.update("jax_enable_x64", True)
    # Single precision: tight before the stimulus (the first ms), loose over the spikes (mV).
    _close(np.asarray(out)[..., :40], VMAPPED[:4, :, :40], 1e-5)
    assert np.max(np.abs(np.asarray(out) - VMAPPED[:4])) < 1.0
    assert abs(float(value) - REF["tanh_value"]) <= 1e-4 * abs(REF["tanh_value"])
    for g, r in zip(grads, REF["tanh_grads"]):
        (key, a), = g.items()
        _close(a, r[key], 1e-3)


def test_vmap_of_grad_over_trainables_and_a_data_stimulus_current_matches_jaxley(monkeypatch):
    # Lanes differ in the trainables; the current is shared; its gradient is per lane. The cell
    # has a stimulus of its own, so the data_stimulate row is not the adjoint's first.
    cell = trainable_cell(ranvier)
    grad_lanes = jax.jit(jax.vmap(jax.value_and_grad(stimulus_loss(ranvier, cell), argnums=(0, 1)), in_axes=(0, None)))
    current = jnp.asarray(stimulus_current())
    values, (g_params, g_current) = grad_lanes(batched_trainables(cell), current)
    _close(values, REF["stimulus_values"], 1e-8)
    for g, r in zip(g_params, REF["stimulus_param_grads"]):
        (key, a), = g.items()
        _close(a, r[key], 1e-6)
    _close(g_current, REF["stimulus_current_grads"], 1e-6)
    # Unbatched, not jitted: lane 2 alone.
    lane = [{k: v[2]} for p in batched_trainables(cell) for k, v in p.items()]
    value, (g_lane, g_cur) = jax.value_and_grad(stimulus_loss(ranvier, cell), argnums=(0, 1))(lane, current)
    _close(value, REF["stimulus_values"][2], 1e-8)
    _close(g_cur, REF["stimulus_current_grads"][2], 1e-6)


def test_clamps_and_all_states_as_jax_values_give_the_numpy_path_numbers():
    # The numpy path is checked against Jaxley elsewhere; the JAX path must give its numbers.
    cell = hh_cell(ranvier)
    clamp = np.full(int(T_MAX // 0.025) + 2, -65.0)  # mV
    ref = ranvier.integrate(cell, data_clamps=cell.branch(1).loc(0.0).data_clamp("v", clamp, None), t_max=T_MAX)
    out = jax.jit(lambda c: ranvier.integrate(cell, data_clamps=cell.branch(1).loc(0.0).data_clamp("v", c, None),
                                              t_max=T_MAX))(jnp.asarray(clamp))
    _close(out, ref, 1e-12)
    recs, states = ranvier.integrate(cell, t_max=2.0, return_states=True)
    ref = ranvier.integrate(cell, all_states=states, t_max=T_MAX)
    out = jax.jit(lambda s: ranvier.integrate(cell, all_states=s, t_max=T_MAX))({k: jnp.asarray(v) for k, v in states.items()})
    _close(out, ref, 1e-12)
    with pytest.raises(NotImplementedError, match="data_clamps"):
        jax.grad(lambda c: jnp.sum(ranvier.integrate(cell, data_clamps=cell.branch(1).loc(0.0).data_clamp("v", c, None),
                                                     t_max=T_MAX)))(jnp.asarray(clamp))
    with pytest.raises(NotImplementedError, match="return_states"):
        ranvier.integrate(cell, all_states={k: jnp.asarray(v) for k, v in states.items()}, t_max=T_MAX, return_states=True)


def test_float32_with_an_interpreted_solver_runs_in_float64_and_rounds():
    cell = hh_cell(ranvier)
    ref = ranvier.integrate(cell, param_state=cell.data_set("Na_gNa", 0.2, None), t_max=T_MAX, solver="exp_euler")
    jax.config.update("jax_enable_x64", False)
    try:
        out = jax.jit(lambda g: ranvier.integrate(cell, param_state=cell.data_set("Na_gNa", g, None), t_max=T_MAX,
                                                  solver="exp_euler"))(jnp.float32(0.2))
    finally:
        jax.config.update("jax_enable_x64", True)
    assert out.dtype == jnp.float32
    _close(out, ref.astype(np.float32), 1e-6)  # only gNa = 0.2 itself is rounded to float32


def test_vmap_over_cotangents_only():
    # jax.vmap of a vjp: every input is shared, only the cotangent is batched (lanes of the
    # backward pass that share the forward pass). Each lane equals its own vjp.
    cell = trainable_cell(ranvier)
    params = [{k: jnp.asarray(v)} for p in cell.get_parameters() for k, v in p.items()]
    recs, vjp_fn = jax.vjp(lambda p: ranvier.integrate(cell, params=p, delta_t=DT, t_max=T_MAX), params)
    cots = jnp.stack([jnp.ones_like(recs), jnp.cos(jnp.arange(recs.size)).reshape(recs.shape)])
    (batched,) = jax.vmap(vjp_fn)(cots)
    for lane in range(2):
        (single,) = vjp_fn(cots[lane])
        for g_b, g_s in zip(batched, single):
            _close(next(iter(g_b.values()))[lane], next(iter(g_s.values())), 1e-12)

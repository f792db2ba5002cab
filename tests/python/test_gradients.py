"""Gradients from Python: ranvier.vjp / value_and_grad and the ranvier.jax bridge
(jax.custom_vjp) against the committed jax.grad references of real Jaxley 0.14 (float64,
tests/reference/jaxley_grad/), to 1e-6 relative."""
import json

import numpy as np
import pytest

import ranvier as jx
from conftest import ROOT, build_case, build_current, build_view

GRAD_REF = ROOT / "tests" / "reference" / "jaxley_grad"
MORPH_DIR = ROOT.parent / "shared" / "data" / "morphologies"
with open(GRAD_REF / "cases.json") as _f:
    CASES = json.load(_f)["cases"]


def build(case):
    if case["module"]["type"] == "swc":
        path = MORPH_DIR / case["module"]["file"]
        if not path.exists():
            pytest.skip(f"shared morphology missing: {path}")
        m = jx.read_swc(str(path), ncomp=case["module"]["ncomp"])
        for op in case["ops"]:
            view = build_view(m, op["view"]) if "view" in op else m
            if op["op"] == "set":
                view.set(op["key"], op["value"])
            elif op["op"] == "insert":
                view.insert(getattr(jx.channels, op["channel"])())
            elif op["op"] == "init_states":
                m.init_states(op.get("delta_t", 0.025))
            elif op["op"] == "stimulate":
                view.stimulate(build_current(jx, op["current"]), verbose=False)
            elif op["op"] == "record":
                view.record(op["state"], verbose=False)
            else:
                raise ValueError(op)
    else:
        m = build_case(jx, case)
    for t in case["trainables"]:
        build_view(m, t["view"]).make_trainable(t["key"], t.get("init"), verbose=False)
    return m


def kwargs_of(case, m):
    spec = dict(case["integrate"])
    kw = dict(t_max=spec["t_max"], delta_t=spec["delta_t"], solver=spec["solver"], voltage_solver=spec["voltage_solver"])
    if "checkpoint_lengths" in spec:
        kw["checkpoint_lengths"] = spec["checkpoint_lengths"]
    param_state = None
    for ps in case.get("param_state", []):
        param_state = build_view(m, ps["view"]).data_set(ps["key"], ps["value"], param_state)
    if param_state is not None:
        kw["param_state"] = param_state
    if "continue_first" in case:
        first = dict(kw, t_max=case["continue_first"]["t_max"])
        first.pop("checkpoint_lengths", None)
        _, kw["all_states"] = jx.integrate(m, m.get_parameters(), return_states=True, backend="interpreter", **first)
    if "data_stimulus" in case:
        ds = case["data_stimulus"]
        kw["data_stimuli"] = build_view(m, ds["view"]).data_stimulate(build_current(jx, ds["current"]))
    return kw


def numpy_loss(case):
    loss = case["loss"]

    def f(recs):
        if loss["type"] == "mse":
            e = recs - loss["target"]
            return np.mean(e**2), 2.0 * e / e.size
        n_rec, n = recs.shape
        w = np.cos(0.05 * np.arange(n)[None, :] + np.arange(n_rec)[:, None]) / n
        return np.sum(recs * w), w

    return f


def check(case, value, grads):
    with open(GRAD_REF / f"{case['name']}.json") as f:
        ref = json.load(f)
    assert abs(value - ref["loss"]) <= 1e-9 * abs(ref["loss"])
    assert len(grads) == len(ref["grads"])
    for got, want in zip(grads, ref["grads"]):
        (key, g), = got.items()
        (key_ref, w), = want.items()
        assert key == key_ref
        g, w = np.asarray(g), np.asarray(w)
        rel = np.abs(g - w) / np.maximum(np.abs(w), 1e-12 * abs(ref["loss"]))
        assert rel.max() <= 1e-6, f"{case['name']} {key}: {g} vs jaxley {w}"


@pytest.mark.parametrize("backend", ["auto", "interpreter"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_value_and_grad_matches_jax_grad(case, backend):
    m = build(case)
    value, grads = jx.value_and_grad(m, numpy_loss(case), m.get_parameters(), backend=backend, **kwargs_of(case, m))
    check(case, value, grads)


def test_stimulus_gradient_matches_jax_grad():
    case = next(c for c in CASES if "data_stimulus" in c)
    m = build(case)
    recs, vjp_fn = jx.vjp(m, **kwargs_of(case, m))
    _value, cot = numpy_loss(case)(recs)
    _grads, g_stimuli = vjp_fn(cot, stimuli=True)
    with open(GRAD_REF / f"{case['name']}.json") as f:
        want = np.asarray(json.load(f)["stimulus_grad"])
    got = g_stimuli[-1]  # the data_stimulate row comes after the module's stimulus
    assert got.shape == want.shape
    assert np.all(np.abs(got - want) <= 1e-6 * np.maximum(np.abs(want), 1e-9 * np.abs(want).max()))


def test_vjp_stats_and_errors():
    case = CASES[0]
    m = build(case)
    kw = kwargs_of(case, m)
    recs, vjp_fn = jx.vjp(m, checkpoint_lengths=[15, 14], **{k: v for k, v in kw.items() if k != "checkpoint_lengths"})
    assert recs.shape == (1, 201)
    stats = vjp_fn.stats()
    assert stats["checkpoint_lengths"] == [15, 14] and stats["peak_stored_states"] <= 30
    assert stats["compiled"]  # backend "auto" compiles the bwd_euler adjoint
    _recs, vjp_interp = jx.vjp(m, backend="interpreter", **kw)
    assert not vjp_interp.stats()["compiled"]
    with pytest.raises(ValueError):
        vjp_fn(np.zeros((2, 3)))
    with pytest.raises(NotImplementedError, match="fwd_euler"):
        jx.vjp(m, **dict(kw, solver="fwd_euler"))


def test_batched_params_equal_single_calls():
    case = next(c for c in CASES if c["name"] == "cell_branched_hh")
    m = build(case)
    kw = kwargs_of(case, m)
    base = m.get_parameters()
    scales = np.array([0.8, 1.0, 1.3])
    (key, val), = base[0].items()
    batched = [{key: np.outer(scales, np.asarray(val))}] + base[1:]
    recs, vjp_fn = jx.vjp(m, batched, threads=2, **kw)
    assert recs.shape[0] == 3
    cot = np.sin(0.01 * np.arange(recs.size)).reshape(recs.shape)
    grads = vjp_fn(cot)
    for b, s in enumerate(scales):
        lane = [{key: s * np.asarray(val)}] + base[1:]
        r1, f1 = jx.vjp(m, lane, **kw)
        np.testing.assert_array_equal(recs[b], r1)
        for g, g1 in zip(grads, f1(cot[b])):
            (k, a), = g.items()
            np.testing.assert_array_equal(a[b], g1[k])


NET_GRAD = ROOT / "tests" / "reference" / "jaxley_net_grad"
with open(NET_GRAD / "cases.json") as f:
    NET_CASES = json.load(f)["cases"]


@pytest.mark.parametrize("case", NET_CASES, ids=[c["name"] for c in NET_CASES])
def test_network_gradients_match_jax_grad(case):
    from test_network import build_case as build_network

    net = build_network(case)
    spec = case["integrate"]
    kw = {k: spec[k] for k in ["t_max", "delta_t", "solver", "voltage_solver"]}
    value, grads = jx.value_and_grad(net, numpy_loss(case), net.get_parameters(), **kw)
    with open(NET_GRAD / f"{case['name']}.json") as f:
        ref = json.load(f)
    assert abs(value - ref["loss"]) <= 1e-9 * abs(ref["loss"])
    assert len(grads) == len(ref["grads"])
    for g, w in zip(grads, ref["grads"]):
        (key, got), = g.items()
        (wkey, want), = w.items()
        assert key == wkey
        want = np.asarray(want)
        rel = np.abs(got - want) / np.maximum(np.abs(want), 1e-12 * abs(ref["loss"]))
        assert rel.max() <= 1e-6, f"{case['name']} {key}: {got} vs jaxley {want}"


def test_jax_bridge_matches_jax_grad():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    import ranvier.jax as rj

    for case in [c for c in CASES if c["name"] in ("comp_hh_bwd", "cell_mixed_channels_clamps")]:
        m = build(case)
        kw = kwargs_of(case, m)
        loss = case["loss"]

        def f(params):
            recs = rj.integrate(m, params, **kw)
            if loss["type"] == "mse":
                return jnp.mean((recs - loss["target"]) ** 2)
            n_rec, n = recs.shape
            w = jnp.cos(0.05 * jnp.arange(n)[None, :] + jnp.arange(n_rec)[:, None]) / n
            return jnp.sum(recs * w)

        value, grads = jax.value_and_grad(f)(m.get_parameters())
        check(case, float(value), grads)
        # Also under jit.
        value_jit, _ = jax.jit(jax.value_and_grad(f))(m.get_parameters())
        assert abs(float(value_jit) - float(value)) <= 1e-9 * abs(float(value))

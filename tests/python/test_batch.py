"""Batched sweeps: B parameter sets run as one compiled call, and new values never recompile."""
import numpy as np
import pytest

import ranvier as jx


def hh_cell():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.insert(jx.channels.HH())
    cell.set("v", -65.0)
    cell.init_states()
    cell.branch(0).comp(0).stimulate(jx.step_current(0.5, 3.0, 0.3, 0.025, 5.0), verbose=False)
    cell.branch(0).comp(0).record("v", verbose=False)
    cell.branch(2).loc(1.0).record("v", verbose=False)
    cell.make_trainable("HH_gNa", verbose=False)
    cell.make_trainable("HH_gK", verbose=False)
    return cell


@pytest.fixture
def count_calls(monkeypatch):
    calls = {"integrate": 0, "integrate_lanes": 0}
    for name in calls:
        orig = getattr(jx._core, name)

        def wrapper(*args, _orig=orig, _name=name, **kwargs):
            calls[_name] += 1
            return _orig(*args, **kwargs)

        monkeypatch.setattr(jx._core, name, wrapper)
    return calls


def test_sweep_1000_one_call_no_recompile(count_calls):
    cell = hh_cell()
    rng = np.random.default_rng(0)
    B = 1000
    gna = rng.uniform(0.05, 0.2, size=(B, 1))
    gk = rng.uniform(0.01, 0.06, size=(B, 1))
    recs = jx.integrate(cell, params=[{"HH_gNa": gna}, {"HH_gK": gk}], t_max=5.0)
    assert recs.shape == (B, 2, 201)
    assert count_calls == {"integrate": 0, "integrate_lanes": 1}
    n = jx.compilations()

    # New values, same structure: no LLVM compilation.
    gna2, gk2 = gna[::-1].copy(), gk * 0.9
    recs2 = jx.integrate(cell, params=[{"HH_gNa": gna2}, {"HH_gK": gk2}], t_max=5.0)
    assert jx.compilations() == n
    assert count_calls["integrate_lanes"] == 2

    # Each lane equals the same simulation run alone.
    for b in [0, 17, 999]:
        one = jx.integrate(cell, params=[{"HH_gNa": gna2[b]}, {"HH_gK": gk2[b]}], t_max=5.0)
        np.testing.assert_allclose(recs2[b], one, rtol=0, atol=1e-12)
    assert jx.compilations() == n
    assert np.ptp(recs2[:, 0, -1]) > 1.0  # the lanes really differ


def test_batch_shapes_and_sharing():
    cell = hh_cell()
    B, T = 5, 201
    cur = np.stack([jx.step_current(0.5, 2.0, a, 0.025, 5.0) for a in np.linspace(0.1, 0.5, B)])[:, None, :]
    ds = cell.branch(1).comp(0).data_stimulate(cur, None)
    ps = cell.branch(2).data_set("radius", 1.5, None)  # unbatched: shared by every lane
    recs, states = jx.integrate(cell, data_stimuli=ds, param_state=ps, t_max=5.0, return_states=True)
    assert recs.shape == (B, 2, T)
    assert states["v"].shape == (B, 6 + 1)
    for b in [0, 4]:
        ds1 = cell.branch(1).comp(0).data_stimulate(cur[b, 0], None)
        one = jx.integrate(cell, data_stimuli=ds1, param_state=ps, t_max=5.0)
        np.testing.assert_allclose(recs[b], one, rtol=0, atol=1e-12)
    # Continue every lane from its own state.
    more = jx.integrate(cell, all_states=states, t_max=1.0)
    assert more.shape == (B, 2, 41)
    np.testing.assert_allclose(more[:, :, 0], recs[:, :, -1], rtol=0, atol=1e-12)


def test_batch_interpreter_solvers():
    cell = hh_cell()
    gna = np.array([[0.08], [0.12], [0.16]])
    recs = jx.integrate(cell, params=[{"HH_gNa": gna}, {"HH_gK": np.array([0.036])}], t_max=3.0, solver="fwd_euler")
    assert recs.shape == (3, 2, 121)
    one = jx.integrate(cell, params=[{"HH_gNa": gna[1]}, {"HH_gK": np.array([0.036])}], t_max=3.0, solver="fwd_euler")
    np.testing.assert_allclose(recs[1], one, rtol=0, atol=1e-12)


def test_mismatched_batch_sizes():
    cell = hh_cell()
    with pytest.raises(ValueError, match="batch sizes differ"):
        jx.integrate(cell, params=[{"HH_gNa": np.ones((3, 1)) * 0.1}, {"HH_gK": np.ones((4, 1)) * 0.03}], t_max=1.0)


def test_batch_size_forces_lanes():
    cell = hh_cell()
    recs = jx.integrate(cell, t_max=1.0, batch_size=3)
    assert recs.shape == (3, 2, 41)
    np.testing.assert_array_equal(recs[0], recs[2])

"""Short scripts written against Jaxley's API, run once with real Jaxley (float64) and once
with `import ranvier as jx`; the traces must agree to 1e-8 mV. Skipped without jaxley."""
import numpy as np

import ranvier

TOL = 1e-8


def hh_cell(jx, parents=(-1, 0, 0, 1), ncomp=3):
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=ncomp), parents=list(parents))
    cell.insert(jx.channels.HH())
    cell.set("v", -65.0)
    cell.init_states()
    cell.branch(0).comp(0).stimulate(jx.step_current(1.0, 3.0, 0.2, 0.025, 6.0), verbose=False)
    cell.branch(0).comp(0).record("v", verbose=False)
    cell.branch(3).loc(1.0).record("v", verbose=False)
    cell.branch(2).comp(1).record("HH_m", verbose=False)
    return cell


def data_set_sweep(jx, values):
    cell = hh_cell(jx)
    out = []
    for g in values:
        ps = cell.branch(1).data_set("HH_gNa", g, None)
        ps = cell.data_set("HH_eLeak", -60.0, ps)
        out.append(np.asarray(jx.integrate(cell, param_state=ps, t_max=6.0)))
    return np.stack(out)


def continuation(jx):
    cell = hh_cell(jx)
    r1, states = jx.integrate(cell, t_max=3.0, return_states=True)
    r2 = jx.integrate(cell, all_states=states, t_max=3.0, delta_t=0.05)
    return np.concatenate([np.asarray(r1), np.asarray(r2)], axis=1)


def trainables(jx):
    cell = hh_cell(jx)
    cell.branch("all").make_trainable("radius", verbose=False)
    cell.make_trainable("HH_gK", verbose=False)
    cell.branch(2).comp("all").make_trainable("axial_resistivity", 3000.0, verbose=False)
    params = cell.get_parameters()
    params = [{k: np.asarray(v) * 1.1} for p in params for k, v in p.items()]
    return np.asarray(jx.integrate(cell, params=params, t_max=6.0, solver="crank_nicolson"))


def data_stimulate_and_clamp(jx):
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.insert(jx.channels.HH())
    cell.branch(0).comp(0).record("v", verbose=False)
    cell.branch(1).comp(1).record("v", verbose=False)
    cell.branch(2).comp(0).record("HH_h", verbose=False)
    cur = jx.datapoint_to_step_currents(0.5, 2.0, np.array([0.1, 0.3]), 0.025, 4.0)
    ds = cell.branch(0).comp(0).data_stimulate(cur[0], None)
    ds = cell.branch(1).comp(1).data_stimulate(cur[1], ds)
    dc = cell.branch(2).comp(1).data_clamp("v", np.full(cur.shape[1], -50.0), None)
    return np.asarray(jx.integrate(cell, data_stimuli=ds, data_clamps=dc, t_max=4.0))


def make_channel_class(Channel, solver_gate, npx):
    """A channel written once against Jaxley's Channel API, for either library."""
    save_exp, solve_gate_exponential = solver_gate.save_exp, solver_gate.solve_gate_exponential

    class KSlow(Channel):
        def __init__(self, name=None):
            self.current_is_in_mA_per_cm2 = True
            super().__init__(name)
            self.channel_params = {"KSlow_gK": 0.004, "KSlow_eK": -80.0, "KSlow_vhalf": -35.0}
            self.channel_states = {"KSlow_n": 0.1}
            self.current_name = "i_KSlow"

        def gates(self, v, params):
            alpha = 0.02 * save_exp((v - params["KSlow_vhalf"]) / 9.0)
            beta = 0.02 * save_exp(-(v - params["KSlow_vhalf"]) / 9.0)
            return alpha, beta

        def update_states(self, states, dt, v, params):
            a, b = self.gates(v, params)
            return {"KSlow_n": solve_gate_exponential(states["KSlow_n"], dt, a, b)}

        def compute_current(self, states, v, params):
            n = states["KSlow_n"]
            g = params["KSlow_gK"] * n**2 * npx.where(v > -100.0, 1.0, 0.5)
            return g * (v - params["KSlow_eK"])

        def init_state(self, states, v, params, delta_t):
            a, b = self.gates(v, params)
            return {"KSlow_n": a / (a + b)}

    return KSlow


def python_channel(jx, KSlow):
    cell = hh_cell(jx)
    cell.branch(1).insert(KSlow())
    cell.init_states()
    cell.branch(1).comp(2).record("KSlow_n", verbose=False)
    return np.asarray(jx.integrate(cell, t_max=6.0))


def assert_close(a, b):
    assert a.shape == b.shape
    err = np.abs(np.asarray(a) - np.asarray(b)).max()
    assert err < TOL, f"max |ranvier - jaxley| = {err:.3g}"


def test_data_set_sweep(real_jaxley):
    values = [0.08, 0.12, 0.2]
    expected = data_set_sweep(real_jaxley, values)
    assert_close(data_set_sweep(ranvier, values), expected)
    # The same sweep as one batched call (B lanes): values with a leading batch axis.
    cell = hh_cell(ranvier)
    ps = cell.branch(1).data_set("HH_gNa", np.asarray(values)[:, None], None)
    ps = cell.data_set("HH_eLeak", -60.0, ps)
    assert_close(ranvier.integrate(cell, param_state=ps, t_max=6.0), expected)


def test_vmap_equals_batch(real_jaxley):
    import jax

    jx = real_jaxley
    cell = hh_cell(jx)
    gs = np.array([0.05, 0.1, 0.15, 0.3])

    def sim(g):
        return jx.integrate(cell, param_state=cell.data_set("HH_gK", g, None), t_max=6.0)

    expected = np.asarray(jax.vmap(sim)(gs))
    rcell = hh_cell(ranvier)
    got = ranvier.integrate(rcell, param_state=rcell.data_set("HH_gK", gs[:, None], None), t_max=6.0)
    assert got.shape == (4, 3, 241)
    assert_close(got, expected)


def test_continuation(real_jaxley):
    assert_close(continuation(ranvier), continuation(real_jaxley))


def test_trainables(real_jaxley):
    assert_close(trainables(ranvier), trainables(real_jaxley))


def test_data_stimulate_and_clamp(real_jaxley):
    assert_close(data_stimulate_and_clamp(ranvier), data_stimulate_and_clamp(real_jaxley))


def test_python_channel(real_jaxley):
    import jax.numpy as jnp
    import jaxley.solver_gate
    from jaxley.channels import Channel as JaxleyChannel

    expected = python_channel(real_jaxley, make_channel_class(JaxleyChannel, jaxley.solver_gate, jnp))
    got = python_channel(ranvier, make_channel_class(ranvier.channels.Channel, ranvier.solver_gate, ranvier))
    assert_close(got, expected)


def test_nodes_columns_match(real_jaxley):
    a, b = hh_cell(ranvier), hh_cell(real_jaxley)
    na, nb = a.branch(1).nodes, b.branch(1).nodes
    assert list(na.index) == list(nb.index)
    for col in ["global_comp_index", "global_branch_index", "local_comp_index", "radius", "area", "HH_gNa", "HH_m", "HH"]:
        np.testing.assert_allclose(na[col].to_numpy(dtype=float), nb[col].to_numpy(dtype=float), rtol=1e-14, err_msg=col)
    assert set(nb.columns) - {"x", "y", "z"} <= set(na.columns)

"""Networks through ranvier's Python API (Jaxley's: jx.Network, jx.connect, synapses,
net.<Synapse>.edge(i)): every case of tests/reference/jaxley_net/cases.json, built with the
same code make_network_refs.py runs on real Jaxley, against its committed float64 traces."""
import json

import numpy as np
import pytest

import ranvier as jx
from conftest import ROOT, read_csv
from ranvier.connect import connect, connectivity_matrix_connect, fully_connect, sparse_connect
from ranvier.solver_gate import save_exp
from ranvier.synapses import IonotropicSynapse, TanhConductanceSynapse, TanhRateSynapse

TOL = 1e-8
NET_REF = ROOT / "tests" / "reference" / "jaxley_net"
with open(NET_REF / "cases.json") as f:
    CASES = json.load(f)["cases"]


def build_cell(spec):
    ncomp, parents = spec["ncomp"], spec.get("parents", [-1])
    if isinstance(ncomp, list):
        cell = jx.Cell([jx.Branch(jx.Compartment(), ncomp=n) for n in ncomp], parents=parents)
    else:
        cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=ncomp), parents=parents)
    for name in spec.get("channels", []):
        cell.insert(getattr(jx.channels, name)())
    if "v" in spec:
        cell.set("v", spec["v"])
    return cell


def view(net, v):
    out = net
    for key in ("cell", "branch", "comp", "loc"):
        if key in v:
            out = getattr(out, key)(v[key])
    return out


def edge_view(net, op):
    out = getattr(net, op["synapse"])
    return out.edge(op["edge"]) if "edge" in op else out


def build_case(case):
    """The network of a case (make_network_refs.py's ops; make_trainable as in
    tests/reference/jaxley_net_grad), with ranvier in place of jaxley."""
    net = jx.Network([build_cell(c) for c in case["cells"]])
    syn = {"IonotropicSynapse": IonotropicSynapse, "TanhRateSynapse": TanhRateSynapse,
           "TanhConductanceSynapse": TanhConductanceSynapse}
    for op in case["ops"]:
        kind = op["op"]
        if kind == "insert":
            view(net, op["view"]).insert(getattr(jx.channels, op["channel"])())
        elif kind == "set":
            view(net, op["view"]).set(op["key"], op["value"])
        elif kind == "connect":
            connect(view(net, op["pre"]), view(net, op["post"]), syn[op["synapse"]]())
        elif kind == "fully_connect":
            fully_connect(view(net, op["pre"]), view(net, op["post"]), syn[op["synapse"]]())
        elif kind == "connectivity_matrix_connect":
            m = np.asarray([[ch == "1" for ch in row] for row in op["matrix"]], dtype=bool)
            connectivity_matrix_connect(view(net, op["pre"]), view(net, op["post"]), syn[op["synapse"]](), m)
        elif kind == "set_edge":
            edge_view(net, op).set(op["key"], op["value"])
        elif kind == "make_trainable_edge":
            edge_view(net, op).make_trainable(op["key"], verbose=False)
        elif kind == "make_trainable":
            view(net, op["view"]).make_trainable(op["key"], verbose=False)
        elif kind == "stimulate":
            s = op["current"]["step_current"]
            view(net, op["view"]).stimulate(jx.step_current(s["i_delay"], s["i_dur"], s["i_amp"], s["delta_t"], s["t_max"]),
                                            verbose=False)
        elif kind == "record":
            view(net, op["view"]).record(op["state"], verbose=False)
        elif kind == "record_edge":
            edge_view(net, op).record(op["state"], verbose=False)
        else:
            raise ValueError(kind)
    return net


def run_case(case, backend):
    """make_network_refs.run_case, with ranvier in place of jaxley."""
    net = build_case(case)
    spec = case["integrate"]
    kwargs = {k: spec[k] for k in ["t_max", "delta_t", "solver", "voltage_solver"]}
    if "params" in spec:
        params = net.get_parameters()
        for p, values in zip(params, spec["params"]):
            key = next(iter(p))
            p[key] = np.asarray(values, dtype=float)
        kwargs["params"] = params
    if "data_set" in spec:
        pstate = None
        for d in spec["data_set"]:
            pstate = edge_view(net, d).data_set(d["key"], d["value"], pstate)
        kwargs["param_state"] = pstate
    return jx.integrate(net, backend=backend, **kwargs)


@pytest.mark.parametrize("backend", ["interpreter", "auto"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_network_matches_jaxley(case, backend):
    recs = run_case(case, backend)
    header, expected = read_csv(NET_REF / f"{case['name']}.csv")
    assert recs.shape == (len(header) - 1, expected.shape[0])
    err = np.abs(recs - expected[:, 1:].T)
    assert not np.isnan(recs).any()
    assert err.max() < TOL, f"max |ranvier - jaxley| = {err.max():.3g}"


def test_random_post_comp_is_seeded_and_within_the_view():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])  # 6 compartments
    cell.insert(jx.channels.HH())

    def posts(seed):
        net = jx.Network([cell] * 6)
        fully_connect(net.cell("all"), net.cell("all").branch(2), IonotropicSynapse(), random_post_comp=True, seed=seed)
        return np.asarray(net.edges["post_index"])

    post = posts(3)
    assert len(post) == 36
    assert set(post % 6) == {4, 5}  # both compartments of branch 2 of the post cells, nothing else
    assert np.array_equal(posts(3), post)
    assert not np.array_equal(posts(4), post)


def test_network_api():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.insert(jx.channels.HH())
    net = jx.Network([cell for _ in range(4)])
    assert net.cell(2).branch(1).comp(0)._comps.tolist() == [14]
    fully_connect(net.cell(0), net.cell("all"), TanhRateSynapse())
    np.random.seed(0)
    sparse_connect(net.cell("all"), net.cell("all"), IonotropicSynapse(), p=0.5)
    edges = net.edges
    # Jaxley 0.14's columns (tests/python/test_groups_edges.py compares the whole table with Jaxley).
    assert list(edges.columns[:8]) == ["global_edge_index", "index_within_type", "pre_index", "post_index", "type",
                                       "type_ind", "pre_locs", "post_locs"]
    assert (edges[edges.type == "TanhRateSynapse"].post_index.tolist()) == [0, 6, 12, 18]
    net.IonotropicSynapse.edge(0).set("IonotropicSynapse_gS", 0.5)
    assert net.edges.query("type == 'IonotropicSynapse'").IonotropicSynapse_gS.iloc[0] == 0.5
    with pytest.raises(KeyError, match="IonotropicSynapse_gs"):
        net.IonotropicSynapse.set("IonotropicSynapse_gs", 1.0)
    with pytest.raises(ValueError, match="cell\\(9\\)"):
        net.cell(9)
    with pytest.raises(ValueError, match="presynaptic view has 2"):
        connect(net.cell(0).branch(0), net.cell(1).branch(0).comp(0), IonotropicSynapse())
    net.cell(0).branch(0).comp(0).record("v", verbose=False)
    net.TanhRateSynapse.record("i_TanhRateSynapse", verbose=False)
    recs = jx.integrate(net, t_max=2.0)
    assert recs.shape == (5, 81)


class PyIonotropic(jx.synapses.Synapse):
    """Jaxley's IonotropicSynapse (jaxley/synapses/ionotropic.py) written as a user synapse."""

    def __init__(self, name=None):
        super().__init__(name)
        prefix = self._name
        self.synapse_params = {f"{prefix}_gS": 1e-4, f"{prefix}_e_syn": 0.0, f"{prefix}_k_minus": 0.025,
                               f"{prefix}_v_th": -35.0, f"{prefix}_delta": 10.0}
        self.synapse_states = {f"{prefix}_s": 0.2}

    def update_states(self, states, delta_t, pre_voltage, post_voltage, params):
        prefix = self._name
        s_inf = 1.0 / (1.0 + save_exp((params[f"{prefix}_v_th"] - pre_voltage) / params[f"{prefix}_delta"]))
        tau_s = (1.0 - s_inf) / params[f"{prefix}_k_minus"]
        exp_term = save_exp(-1.0 / tau_s * delta_t)
        return {f"{prefix}_s": states[f"{prefix}_s"] * exp_term + s_inf * (1.0 - exp_term)}

    def compute_current(self, states, pre_voltage, post_voltage, params):
        prefix = self._name
        return params[f"{prefix}_gS"] * states[f"{prefix}_s"] * (post_voltage - params[f"{prefix}_e_syn"])


def _three_cell_network(synapse):
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.insert(jx.channels.HH())
    net = jx.Network([cell for _ in range(3)])
    connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(2).comp(1), synapse)
    connect(net.cell(1).branch(0).comp(0), net.cell(2).branch(1).comp(0), synapse)
    connect(net.cell(2).branch(0).comp(0), net.cell(1).branch(2).comp(1), synapse)
    name = synapse.name
    getattr(net, name).set(f"{name}_gS", 0.02)
    getattr(net, name).edge(1).set(f"{name}_k_minus", 0.05)
    net.cell(0).branch(0).comp(0).stimulate(jx.step_current(1.0, 3.0, 0.3, 0.025, 20.0))
    net.cell("all").branch(0).comp(0).record("v", verbose=False)
    getattr(net, name).record(f"{name}_s", verbose=False)
    getattr(net, name).record(f"i_{name}", verbose=False)
    return net


@pytest.mark.parametrize("backend", ["interpreter", "jit"])
def test_python_synapse_equals_the_builtin(backend):
    """A synapse written in Python with Jaxley's structure (under another name) is traced into
    the same expressions as the built-in IonotropicSynapse: equal traces, synapse states and
    currents included, through set, edge(i).set and record."""
    ref = jx.integrate(_three_cell_network(IonotropicSynapse()), t_max=20.0, backend=backend)
    mine = jx.integrate(_three_cell_network(PyIonotropic("MySynapse")), t_max=20.0, backend=backend)
    assert ref.shape == mine.shape == (9, 801)
    assert np.max(ref[:3]) > 0.0  # the synapses make cells 1 and 2 spike, so they are exercised
    np.testing.assert_array_equal(mine, ref)


def test_python_synapse_errors_name_the_synapse_and_the_key():
    class Undeclared(PyIonotropic):
        def compute_current(self, states, pre_voltage, post_voltage, params):
            return params["Undeclared_gmax"] * (post_voltage - 0.0)

    class WritesAParameter(PyIonotropic):
        def update_states(self, states, delta_t, pre_voltage, post_voltage, params):
            return {"WritesAParameter_gS": 1.0}

    net = _three_cell_network(IonotropicSynapse())
    with pytest.raises(KeyError, match="synapse 'Undeclared' reads parameter 'Undeclared_gmax'"):
        connect(net.cell(0), net.cell(1), Undeclared())
    with pytest.raises(NotImplementedError, match="updates 'WritesAParameter_gS'"):
        connect(net.cell(0), net.cell(1), WritesAParameter())
    with pytest.raises(ValueError, match="synapse 'Empty' declares no synapse_params"):
        connect(net.cell(0), net.cell(1), jx.synapses.Synapse("Empty"))

    class NoUpdate(jx.synapses.Synapse):
        def __init__(self):
            super().__init__()
            self.synapse_params = {"NoUpdate_gS": 1e-3}

    with pytest.raises(NotImplementedError, match="synapse 'NoUpdate' does not implement update_states"):
        connect(net.cell(0), net.cell(1), NoUpdate())

"""set / make_trainable / record / stimulate through view chains (network, cell, branch, comp,
loc, scope, select, list/array/range/"all" indices) give the traces real Jaxley 0.14 gives for
the same script (float64). Each of the four runs builds one 3-cell HH network with a synapse in
both packages, applies several view operations, integrates both and compares every trace; a
differing trace is reported with the view chain it came from. A fifth run does the same through
group views (soma/basal/apical) of the reconstructed CA1 cell."""
from pathlib import Path

import numpy as np

import ranvier as rx

T_MAX, DT = 5.0, 0.025  # ms
# Traces are membrane voltages (mV, |v| up to ~100) and gating states (in [0, 1]). rtol 1e-8 is
# the bound; atol 1e-9 only covers values passing through zero (a voltage crossing 0 mV),
# where a relative bound alone would ask for exact equality; 1e-9 is 1e-11 of the voltage scale.
RTOL, ATOL = 1e-8, 1e-9
# Per cell: ncomp of each branch and the parent branch of each branch (different ncomp per branch).
SHAPES = [([2, 3, 1], [-1, 0, 0]), ([1, 2, 2, 3], [-1, 0, 0, 1]), ([2, 4], [-1, 0])]
NODE_KEYS = ["radius", "length", "HH_gNa", "HH_gK", "HH_gLeak"]


def network(pkg, connect, synapse):
    """Three branched HH cells; cell 0's first compartment excites cell 1's branch 3."""
    comp = pkg.Compartment()
    cells = [pkg.Cell([pkg.Branch(comp, ncomp=n) for n in ncomp], parents) for ncomp, parents in SHAPES]
    net = pkg.Network(cells)
    net.insert(pkg.channels.HH())
    connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(3).comp(1), synapse())
    net.IonotropicSynapse.set("IonotropicSynapse_gS", 0.05)  # uS
    return net


def labels(net, comps):
    """Jaxley's select(nodes=...) takes row labels of net.nodes, which on a network with
    different ncomp per branch are not the global compartment indices; Ranvier takes indices."""
    by_comp = {int(c): i for i, c in zip(net.nodes.index, net.nodes["global_comp_index"])}
    return [by_comp[c] for c in comps]


def step(amp, delay=0.5, dur=3.0):
    return (delay, dur, amp, DT, T_MAX)  # ms, ms, nA, ms, ms


# Record run: one stimulus (itself a view chain), then record through many chains.
RECORD_STIMULI = [
    ("net.cell(0).branch(0).comp(0)", lambda n, L: n.cell(0).branch(0).comp(0), step(0.6)),
    ("net.cell(2).branch(1).loc(0.0)", lambda n, L: n.cell(2).branch(1).loc(0.0), step(0.4, 1.0)),
]
# Jaxley records a (compartment, state) pair once (a second record of it adds no row), so the
# chains record disjoint pairs: every chain's rows are its own.
RECORDS = [
    ("net.cell(1).branch(2).comp(0)", lambda n, L: n.cell(1).branch(2).comp(0), "v"),
    ("net.branch(1)", lambda n, L: n.branch(1), "v"),
    ("net.cell([0, 2]).branch(0).loc(1.0)", lambda n, L: n.cell([0, 2]).branch(0).loc(1.0), "v"),
    ('net.cell("all").branch(1).comp([0, 1]) HH_h', lambda n, L: n.cell("all").branch(1).comp([0, 1]), "HH_h"),
    ('net.scope("global").branch(5) HH_h', lambda n, L: n.scope("global").branch(5), "HH_h"),
    ('net.cell(1).scope("global").comp(8) HH_m', lambda n, L: n.cell(1).scope("global").comp(8), "HH_m"),
    ("net.select(nodes=[0, 5, 14])", lambda n, L: n.select(nodes=L([0, 5, 14])), "v"),
    ("net.cell(range(1, 3)).branch(np.array([0, 1])).comp(0) HH_m",
     lambda n, L: n.cell(range(1, 3)).branch(np.array([0, 1])).comp(0), "HH_m"),
    ('net.cell(1).branch(3).loc("all")', lambda n, L: n.cell(1).branch(3).loc("all"), "v"),
    ("net.cell(1).branch([1, 3]).loc([0.1, 0.9]) HH_n",
     lambda n, L: n.cell(1).branch([1, 3]).loc([0.1, 0.9]), "HH_n"),
    ("net.cell(0) HH_n", lambda n, L: n.cell(0), "HH_n"),
]

# Set run: parameters set through chains, every compartment recorded.
SETS = [
    ("net.branch(1) HH_gNa", lambda n, L: n.branch(1), "HH_gNa", 0.5),  # S/cm^2
    ("net.cell(2).branch(0).comp(1) radius", lambda n, L: n.cell(2).branch(0).comp(1), "radius", 2.0),  # um
    ("net.cell([0, 1]).branch(2) HH_gK", lambda n, L: n.cell([0, 1]).branch(2), "HH_gK", 0.05),  # S/cm^2
    ('net.scope("global").comp([7, 17]) radius', lambda n, L: n.scope("global").comp([7, 17]), "radius", 0.5),
    ("net.cell(1).select(nodes=[9, 11]) HH_gNa", lambda n, L: n.cell(1).select(nodes=L([9, 11])), "HH_gNa", 0.2),
    ("net.cell(0).branch(1).loc(0.5) HH_gLeak", lambda n, L: n.cell(0).branch(1).loc(0.5), "HH_gLeak", 1e-3),
    ("net.cell(1).branch(range(0, 2)) length", lambda n, L: n.cell(1).branch(range(0, 2)), "length", 50.0),  # um
]
SET_STIMULI = [('net.cell("all").branch(0).comp(0)', lambda n, L: n.cell("all").branch(0).comp(0), step(0.5))]

# Stimulate run: currents through chains, every compartment recorded.
STIMULI = [
    ("net.cell(1).branch(3).loc(0.0)", lambda n, L: n.cell(1).branch(3).loc(0.0), step(0.4)),
    ('net.cell(2).branch("all").comp(0)', lambda n, L: n.cell(2).branch("all").comp(0), step(0.2, 1.0)),
    ('net.cell(0).scope("global").branch(2).scope("local").comp(0)',
     lambda n, L: n.cell(0).scope("global").branch(2).scope("local").comp(0), step(0.8, 0.2, 1.0)),
    ("net.select(nodes=[16, 19])", lambda n, L: n.select(nodes=L([16, 19])), step(0.3, 2.0, 2.0)),
]

# Trainable run: make_trainable through chains, parameters scaled before integrating.
TRAINABLES = [
    ("net.cell(1) HH_gK", lambda n, L: n.cell(1), "HH_gK"),
    ("net.cell([0, 2]).branch(0) HH_gNa", lambda n, L: n.cell([0, 2]).branch(0), "HH_gNa"),
    ('net.branch(1).comp("all") HH_gLeak', lambda n, L: n.branch(1).comp("all"), "HH_gLeak"),
    ("net.cell(2).select(nodes=[16, 18]) radius", lambda n, L: n.cell(2).select(nodes=L([16, 18])), "radius"),
    ("net.cell(0).branch(1).loc([0.0, 1.0]) HH_gK", lambda n, L: n.cell(0).branch(1).loc([0.0, 1.0]), "HH_gK"),
]


def packages(jx):
    from jaxley.connect import connect as jconnect
    from jaxley.synapses import IonotropicSynapse
    return [(jx, (jconnect, IonotropicSynapse)), (rx, (rx.connect, rx.synapses.IonotropicSynapse))]


def stimulate(pkg, net, L, stimuli):
    for _, chain, args in stimuli:
        chain(net, L).stimulate(pkg.step_current(*args), verbose=False)


def compare_rows(jtraces, rtraces, owners):
    """Traces row by row; a differing row names the view chain that recorded it."""
    assert jtraces.shape == rtraces.shape, (jtraces.shape, rtraces.shape)
    assert not np.isnan(jtraces).any()
    for row, owner in enumerate(owners):
        np.testing.assert_allclose(rtraces[row], jtraces[row], rtol=RTOL, atol=ATOL,
                                   err_msg=f"trace {row}, recorded through {owner}")


def compare_node_values(jnet, rnet, keys):
    """The parameter columns of the nodes table, by global compartment (pins a wrong set to its
    compartment before the traces are compared)."""
    jn = jnet.nodes.sort_values("global_comp_index")
    rn = rnet.nodes.sort_values("global_comp_index")
    for key in keys:
        np.testing.assert_allclose(rn[key].to_numpy(float), jn[key].to_numpy(float), rtol=0, atol=0, err_msg=key)


def test_record_through_views(real_jaxley):
    traces, tables, owners = [], [], []
    for pkg, connect in packages(real_jaxley):
        net = network(pkg, *connect)
        L = (lambda c, n=net: labels(n, c)) if pkg is real_jaxley else (lambda c: c)
        stimulate(pkg, net, L, RECORD_STIMULI)
        owners = []
        for name, chain, state in RECORDS:
            view = chain(net, L)
            before = len(net.recordings)
            view.record(state, verbose=False)
            assert len(net.recordings) - before == len(view.nodes), (pkg.__name__, name)
            owners += [name] * len(view.nodes)
        # rec_index is a row label of net.nodes (see labels()); compare compartments.
        comp_of = dict(zip(net.nodes.index, net.nodes["global_comp_index"].astype(int)))
        tables.append([(comp_of[r], s) for r, s in zip(net.recordings["rec_index"], net.recordings["state"])])
        traces.append(np.asarray(pkg.integrate(net, t_max=T_MAX, delta_t=DT)))
    assert tables[0] == tables[1]  # same compartments and states, in the same row order
    compare_rows(traces[0], traces[1], owners)


def test_set_through_views(real_jaxley):
    nets, traces = [], []
    for pkg, connect in packages(real_jaxley):
        net = network(pkg, *connect)
        L = (lambda c, n=net: labels(n, c)) if pkg is real_jaxley else (lambda c: c)
        for _, chain, key, value in SETS:
            chain(net, L).set(key, value)
        stimulate(pkg, net, L, SET_STIMULI)
        net.record("v", verbose=False)
        nets.append(net)
        traces.append(np.asarray(pkg.integrate(net, t_max=T_MAX, delta_t=DT)))
    compare_node_values(nets[0], nets[1], NODE_KEYS)
    compare_rows(traces[0], traces[1], [f"net.record('v') after the sets {[s[0] for s in SETS]}"] * 20)


def test_stimulate_through_views(real_jaxley):
    traces = []
    for pkg, connect in packages(real_jaxley):
        net = network(pkg, *connect)
        L = (lambda c, n=net: labels(n, c)) if pkg is real_jaxley else (lambda c: c)
        stimulate(pkg, net, L, STIMULI)
        net.record("v", verbose=False)
        traces.append(np.asarray(pkg.integrate(net, t_max=T_MAX, delta_t=DT)))
    compare_rows(traces[0], traces[1], [f"net.record('v') with the stimuli {[s[0] for s in STIMULI]}"] * 20)


def scaled(params):
    """Each trainable value times its own factor (1.1, 1.2, ...), so a parameter applied to the
    wrong compartments or swapped with another changes the traces."""
    out, k = [], 0
    for p in params:
        (key, value), = p.items()
        value = np.asarray(value, dtype=np.float64)
        factors = 1.0 + 0.1 * np.arange(k + 1, k + 1 + value.size).reshape(value.shape)
        k += value.size
        out.append({key: value * factors})
    return out


def test_make_trainable_through_views(real_jaxley):
    traces, shapes = [], []
    for pkg, connect in packages(real_jaxley):
        net = network(pkg, *connect)
        L = (lambda c, n=net: labels(n, c)) if pkg is real_jaxley else (lambda c: c)
        for _, chain, key in TRAINABLES:
            chain(net, L).make_trainable(key, verbose=False)
        stimulate(pkg, net, L, SET_STIMULI)
        net.record("v", verbose=False)
        params = net.get_parameters()
        shapes.append([(next(iter(p)), np.asarray(next(iter(p.values()))).tolist()) for p in params])
        traces.append(np.asarray(pkg.integrate(net, t_max=T_MAX, delta_t=DT, params=scaled(params))))
    # Same parameters (keys, one value per group of the view's last indexing call, initial values).
    assert shapes[0] == shapes[1]
    compare_rows(traces[0], traces[1], [f"net.record('v') with trainables {[t[0] for t in TRAINABLES]}"] * 20)


def test_at_least_20_chains_are_compared():
    chains = {c[0] for c in RECORD_STIMULI + RECORDS + SETS + SET_STIMULI + STIMULI + TRAINABLES
              + GROUP_STIMULI + GROUP_SETS + GROUP_RECORDS}
    assert len(chains) >= 20, sorted(chains)


SWC = Path(__file__).resolve().parents[2] / "examples" / "data" / "morph_ca1_n120.swc"
# Group views of a reconstructed cell (groups from the SWC types): branch/comp count within the group.
GROUP_STIMULI = [("cell.soma.branch(0).comp(0)", lambda c: c.soma.branch(0).comp(0), step(0.5, 0.5, 2.0))]
GROUP_SETS = [("cell.basal.branch(40) HH_gNa", lambda c: c.basal.branch(40), "HH_gNa", 0.4),
              ("cell.apical HH_gK", lambda c: c.apical, "HH_gK", 0.02)]
GROUP_RECORDS = [("cell.basal.branch([0, 40]).comp(0)", lambda c: c.basal.branch([0, 40]).comp(0)),
                 ("cell.apical.branch(2).loc(0.5)", lambda c: c.apical.branch(2).loc(0.5))]


def test_group_views_of_a_reconstructed_cell(real_jaxley):
    traces = []
    for pkg in (real_jaxley, rx):
        cell = pkg.read_swc(str(SWC), ncomp=1)
        cell.insert(pkg.channels.HH())
        for _, chain, key, value in GROUP_SETS:
            chain(cell).set(key, value)
        for _, chain, args in GROUP_STIMULI:
            chain(cell).stimulate(pkg.step_current(*args), verbose=False)
        for _, chain in GROUP_RECORDS:
            chain(cell).record("v", verbose=False)
        traces.append(np.asarray(pkg.integrate(cell, t_max=T_MAX, delta_t=DT)))
    owners = [GROUP_RECORDS[0][0]] * 2 + [GROUP_RECORDS[1][0]]
    compare_rows(traces[0], traces[1], owners)

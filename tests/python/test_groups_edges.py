"""Groups, edges tables and parameter sharing against real Jaxley 0.14 (float64): group
membership after add_to_group, net.edges / view.edges after connect, fully_connect and
sparse_connect, select(edges=...), copy_node_property_to_edges, and make_trainable with a
user-written controlled_by_param (parameter shapes, values and traces).

Ranvier labels nodes by global compartment index, Jaxley 0.14 by node index (with gaps for
branchpoints in networks); node labels and pre_index/post_index are compared through
global_comp_index."""
import copy
import importlib
import numpy as np
import pytest

import ranvier

RTOL = 1e-8


def built_once(make):
    """Jaxley builds networks slowly (seconds each): build once, hand out deep copies."""
    cache = {}

    def build(pkg):
        if pkg is ranvier:
            return make(pkg)
        if pkg not in cache:
            cache[pkg] = make(pkg)
        return copy.deepcopy(cache[pkg])

    return build


@built_once
def heterogeneous_net(pkg):
    """Cells with branchpoints and different ncomp (Jaxley's node index != compartment index)."""
    comp = pkg.Compartment()
    shapes = [([2, 3, 1], [-1, 0, 0]), ([1, 2, 2, 3], [-1, 0, 0, 1]), ([2], [-1]), ([2, 2], [-1, 0]),
              ([1, 1, 1], [-1, 0, 0]), ([3], [-1])]
    cells = [pkg.Cell([pkg.Branch(comp, ncomp=n) for n in ncomp], parents) for ncomp, parents in shapes]
    return pkg.Network(cells)


def _tutorial_net(pkg, ncells):
    cell = pkg.Cell(pkg.Branch(pkg.Compartment(), ncomp=2), parents=[-1, 0])
    return pkg.Network([cell for _ in range(ncells)])


_tutorial_nets = {n: built_once(lambda pkg, n=n: _tutorial_net(pkg, n)) for n in (2, 3, 4, 6)}


def tutorial_net(pkg, ncells=6):
    return _tutorial_nets[ncells](pkg)


def api(jx, pkg):
    """(connect module, synapses module) of Jaxley or Ranvier (``pkg.connect`` is the function)."""
    return importlib.import_module(f"{pkg.__name__}.connect"), importlib.import_module(f"{pkg.__name__}.synapses")


def comp_of(net):
    """Node label -> global compartment index (identity for Ranvier)."""
    return dict(zip(net.nodes.index.tolist(), net.nodes["global_comp_index"].tolist()))


def edges_in_comp_labels(net):
    e = net.edges.copy()
    labels = comp_of(net)
    for col in ("pre_index", "post_index"):
        if len(e):
            e[col] = [labels[int(i)] for i in e[col]]
    return e


def assert_same_edges(jnet, rnet, jedges=None, redges=None):
    """Same columns in the same order and the same values (NaN where the other types' columns are)."""
    je = edges_in_comp_labels(jnet) if jedges is None else jedges
    re = edges_in_comp_labels(rnet) if redges is None else redges
    assert list(re.columns) == list(je.columns)
    assert re.index.tolist() == je.index.tolist()
    for col in je.columns:
        if je[col].dtype.kind in "fi" or col.endswith("index"):
            np.testing.assert_array_equal(re[col].to_numpy(float), je[col].to_numpy(float), err_msg=col)
        else:
            assert re[col].tolist() == je[col].tolist(), col


def comps_of_view(view):
    return view.nodes["global_comp_index"].tolist()


# ------------------------------------------------------------------------------------------
# Groups
def label_of(net):
    """Global compartment index -> node label (identity for Ranvier), for select(nodes=...)."""
    inverse = {c: i for i, c in comp_of(net).items()}
    return lambda comps: [inverse[c] for c in comps]


def add_groups(net):
    net.cell([0, 3, 5]).add_to_group("exc")
    net.cell("all").branch(0).comp(0).add_to_group("soma")
    net.cell(1).branch([1, 3]).add_to_group("apical")
    net.cell(0).branch(1).loc(1.0).add_to_group("apical")
    net.select(nodes=label_of(net)([2, 20, 9])).add_to_group("picked")
    net.exc.cell(1).add_to_group("picked")


def test_group_membership_in_networks(real_jaxley):
    jnet, rnet = heterogeneous_net(real_jaxley), heterogeneous_net(ranvier)
    add_groups(jnet)
    add_groups(rnet)
    assert rnet.group_names == jnet.group_names
    for name in jnet.group_names:
        assert comps_of_view(getattr(rnet, name)) == comps_of_view(getattr(jnet, name)), name
        # The boolean column of the nodes table, compartment by compartment.
        jcol = jnet.nodes.sort_values("global_comp_index")[name].tolist()
        assert rnet.nodes[name].tolist() == jcol, name
    # Groups within groups and views within groups.
    assert comps_of_view(rnet.exc.soma) == comps_of_view(jnet.exc.soma)
    assert comps_of_view(rnet.exc.cell(2)) == comps_of_view(jnet.exc.cell(2))
    assert comps_of_view(rnet.cell(1).apical) == comps_of_view(jnet.cell(1).apical)


def test_group_membership_in_cells(real_jaxley):
    def build(pkg):
        cell = pkg.Cell([pkg.Branch(pkg.Compartment(), ncomp=n) for n in [2, 1, 3, 2]], parents=[-1, 0, 0, 1])
        cell.branch([0, 3]).add_to_group("subtree")
        cell.branch(2).comp([0, 2]).add_to_group("subtree")
        cell.branch(1).add_to_group("tip")
        cell.subtree.branch(0).set("radius", 0.1)
        return cell

    jcell, rcell = build(real_jaxley), build(ranvier)
    assert rcell.group_names == jcell.group_names
    for name in jcell.group_names:
        assert comps_of_view(getattr(rcell, name)) == comps_of_view(getattr(jcell, name))
        assert rcell.nodes[name].tolist() == jcell.nodes[name].tolist()
    np.testing.assert_array_equal(rcell.nodes["radius"].to_numpy(), jcell.nodes["radius"].to_numpy())


def test_group_name_may_not_be_a_channel():
    cell = ranvier.Cell()
    cell.insert(ranvier.channels.HH())
    with pytest.raises(ValueError, match="a channel of that name"):
        cell.add_to_group("HH")


# ------------------------------------------------------------------------------------------
# Edges
def connect_all(pkg, net):
    conn, syn = api(None, pkg)
    conn.fully_connect(net.cell([0, 1]), net.cell([2, 3]), syn.IonotropicSynapse())
    conn.connect(net.cell(0).branch(1).comp(1), net.cell(3).branch(0).comp(0), syn.TanhRateSynapse())
    # One pre and one post cell at p = 1: one synapse, the same draw in both packages.
    conn.sparse_connect(net.cell(4), net.cell(5), syn.IonotropicSynapse(), p=1.0)
    conn.connect(net.cell(1).branch(3).comp([1, 2]), net.cell(2).branch(0).comp([0, 1]), syn.IonotropicSynapse())
    conn.fully_connect(net.cell([2, 5]), net.cell([0]), syn.TanhRateSynapse())


def test_edges_table_after_connections(real_jaxley):
    jnet, rnet = heterogeneous_net(real_jaxley), heterogeneous_net(ranvier)
    assert list(rnet.edges.columns) == list(jnet.edges.columns)  # empty table
    connect_all(real_jaxley, jnet)
    connect_all(ranvier, rnet)
    assert_same_edges(jnet, rnet)


@pytest.mark.parametrize("chain", [
    lambda n: n.cell([0, 2]),
    lambda n: n.cell([0, 1, 2, 3]).branch(0),
    lambda n: n.cell(1).branch(3).comp([1, 2]).scope("global"),
    lambda n: n.select(edges=[1, 4, 7]),
    lambda n: n.select(edges=[7, 1, 4]),
    lambda n: n.cell([0, 1, 2, 3]).select(edges=[6, 0]),
    lambda n: n.select(edges=[0, 1, 5, 8]).cell(0),
    lambda n: n.select(nodes=label_of(n)([0, 1, 2, 3, 4]), edges=[2]),
])
def test_edges_and_nodes_of_views(real_jaxley, chain):
    jnet, rnet = heterogeneous_net(real_jaxley), heterogeneous_net(ranvier)
    connect_all(real_jaxley, jnet)
    connect_all(ranvier, rnet)
    jview, rview = chain(jnet), chain(rnet)
    labels = comp_of(jnet)
    jedges = jview.edges.copy()
    for col in ("pre_index", "post_index"):
        jedges[col] = [labels[int(i)] for i in jedges[col]]
    jedges = jedges.drop(columns=[c for c in jedges.columns if c == "local_edge_index"])
    assert_same_edges(jnet, rnet, jedges, rview.edges)
    assert comps_of_view(rview) == comps_of_view(jview)
    np.testing.assert_array_equal(rview.nodes["controlled_by_param"], jview.nodes["controlled_by_param"])


def test_select_edges_set_as_tutorial_09(real_jaxley):
    def run(pkg):
        net = tutorial_net(pkg)
        conn, syn = api(None, pkg)
        conn.fully_connect(net.cell([0, 1, 2]), net.cell([3, 4, 5]), syn.IonotropicSynapse())
        net.select(edges=[3, 4, 5]).set("IonotropicSynapse_gS", 0.2)
        net.copy_node_property_to_edges("global_cell_index")
        df = net.edges.query("pre_global_cell_index in [1, 2]").query("post_global_cell_index in [4, 5]")
        net.select(edges=df.index).set("IonotropicSynapse_gS", 0.3)
        net.select(edges=[0, 8]).set("IonotropicSynapse_e_syn", np.asarray([-10.0, 5.0]))
        net.cell(1).set("IonotropicSynapse_k_minus", 0.5)  # no synapse has both ends in cell 1
        net.cell([0, 3]).set("IonotropicSynapse_v_th", -20.0)
        net.select(edges=[1, 2]).set("radius", 0.4)  # node keys act on the synapses' compartments
        net.cell(0).branch(0).comp(0).insert(pkg.channels.Na())
        net.copy_node_property_to_edges("global_comp_index")
        sodium = net.nodes.query("Na")["global_comp_index"].unique().tolist()
        df = net.edges.query(f"pre_global_comp_index in {sodium}")
        net.select(edges=df.index).set("IonotropicSynapse_gS", 0.6)
        return net

    jnet, rnet = run(real_jaxley), run(ranvier)
    assert_same_edges(jnet, rnet)
    np.testing.assert_array_equal(rnet.nodes["radius"].to_numpy(), jnet.nodes["radius"].to_numpy())


def test_copy_node_property_to_edges(real_jaxley):
    def run(pkg):
        net = heterogeneous_net(pkg)
        connect_all(pkg, net)
        net.cell([0, 1]).add_to_group("exc")
        net.cell([2, 3]).add_to_group("inh")
        net.cell([4, 5]).add_to_group("unknown")
        net.nodes["cell_type"] = net.nodes[["exc", "inh", "unknown"]].idxmax(axis=1)
        net.cell(2).set("radius", 0.7)
        net.copy_node_property_to_edges(["cell_type", "radius", "global_branch_index"])
        net.copy_node_property_to_edges("local_comp_index", pre_or_post="post")
        net.cell(3).set("radius", 0.2)  # copies are not updated afterwards
        net.copy_node_property_to_edges("radius", "pre")  # replaces pre_radius (moved to the end)
        return net

    jnet, rnet = run(real_jaxley), run(ranvier)
    assert_same_edges(jnet, rnet)
    assert rnet.nodes["cell_type"].tolist() == jnet.nodes["cell_type"].tolist()


# ------------------------------------------------------------------------------------------
# Parameter sharing
T_MAX, DT = 4.0, 0.025


def shared_net(pkg):
    """Tutorial 10's sharing (by pre/post cell type, via edges.groupby().ngroup()) plus node
    sharing through a view's and the module's controlled_by_param, and a list init_val."""
    net = tutorial_net(pkg, ncells=4)
    conn, syn = api(None, pkg)
    net.insert(pkg.channels.HH())
    conn.fully_connect(net.cell("all"), net.cell("all"), syn.IonotropicSynapse())
    net.cell([0, 1]).add_to_group("exc")
    net.cell([2, 3]).add_to_group("inh")
    net.nodes["cell_type"] = net.nodes[["exc", "inh"]].idxmax(axis=1)
    net.copy_node_property_to_edges("cell_type")
    net.copy_node_property_to_edges("global_cell_index")

    # Groups of equal size: Jaxley pads unequal groups with index -1, which also writes the
    # value into the last synapse (a Jaxley 0.14 quirk Ranvier does not copy).
    df = net.edges.query("pre_global_cell_index in [0, 1, 2, 3]")
    sub = net.select(edges=df.index)
    sub.edges["controlled_by_param"] = sub.edges.groupby(["pre_cell_type", "post_cell_type"]).ngroup()
    sub.make_trainable("IonotropicSynapse_gS", verbose=False)
    sub2 = net.select(edges=net.edges.query("post_cell_type == 'inh'").index)
    df = sub2.edges
    df["controlled_by_param"] = df["pre_global_cell_index"]
    sub2.make_trainable("IonotropicSynapse_e_syn", verbose=False)
    net.cell(0).make_trainable("IonotropicSynapse_v_th", verbose=False)  # no synapse inside one cell
    net.cell([0, 1]).select(edges="all").make_trainable("IonotropicSynapse_delta", verbose=False)

    view = net.cell([1, 2])
    view.nodes["controlled_by_param"] = view.nodes["local_branch_index"]
    view.make_trainable("HH_gNa", verbose=False)
    net.cell(3).branch(1).make_trainable("HH_gK", init_val=[0.03], verbose=False)
    net.cell([0, 3]).branch("all").make_trainable("HH_gLeak", init_val=[1e-4, 2e-4, 3e-4, 4e-4], verbose=False)
    net.nodes["controlled_by_param"] = net.nodes["global_cell_index"] % 2
    net.make_trainable("radius", verbose=False)
    # Jaxley cannot integrate with text columns in its tables (to_jax()).
    net.nodes.drop(columns=["cell_type"], inplace=True)
    net.edges.drop(columns=["pre_cell_type", "post_cell_type"], inplace=True)

    net.cell(0).branch(0).comp(0).stimulate(pkg.step_current(0.5, 2.0, 0.5, DT, T_MAX), verbose=False)
    net.cell("all").branch(1).comp(1).record("v", verbose=False)
    return net


def test_shared_parameters_and_traces(real_jaxley):
    jnet, rnet = shared_net(real_jaxley), shared_net(ranvier)
    jparams, rparams = jnet.get_parameters(), rnet.get_parameters()
    assert [list(p) for p in rparams] == [list(p) for p in jparams]
    for jp, rp in zip(jparams, rparams):
        key = next(iter(jp))
        np.testing.assert_allclose(np.asarray(rp[key]), np.asarray(jp[key]), rtol=1e-12, err_msg=key)
    # Distinct values per shared parameter: a wrong sharing changes the traces.
    def scale(params):
        return [{k: np.asarray(v) * (1.0 + 0.05 * np.arange(1, np.size(v) + 1)) for k, v in p.items()} for p in params]
    jv = np.asarray(real_jaxley.integrate(jnet, t_max=T_MAX, delta_t=DT, params=scale(jparams)))
    rv = np.asarray(ranvier.integrate(rnet, t_max=T_MAX, delta_t=DT, params=scale(rparams)))
    assert jv.shape == rv.shape and not np.isnan(jv).any()
    assert np.ptp(jv[0]) > 50.0  # the stimulated cell spikes
    np.testing.assert_allclose(rv, jv, rtol=RTOL, atol=1e-8 * np.abs(jv).max())


def test_data_set_of_synapse_keys_through_views(real_jaxley):
    traces = []
    for pkg in (real_jaxley, ranvier):
        net = tutorial_net(pkg, ncells=3)
        conn, syn = api(None, pkg)
        net.insert(pkg.channels.HH())
        conn.fully_connect(net.cell([0]), net.cell([1, 2]), syn.IonotropicSynapse())
        net.cell(0).branch(0).comp(0).stimulate(pkg.step_current(0.5, 2.0, 0.5, DT, T_MAX), verbose=False)
        net.record("v", verbose=False)
        ps = net.select(edges=[1]).data_set("IonotropicSynapse_gS", 0.05, None)
        ps = net.data_set("IonotropicSynapse_e_syn", -5.0, ps)
        traces.append(np.asarray(pkg.integrate(net, t_max=T_MAX, delta_t=DT, param_state=ps)))
    np.testing.assert_allclose(traces[1], traces[0], rtol=RTOL, atol=1e-8 * np.abs(traces[0]).max())


def test_sharing_errors():
    net = tutorial_net(ranvier, ncells=2)
    ranvier.connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(0).comp(0), ranvier.synapses.IonotropicSynapse())
    with pytest.raises(KeyError, match="nodes or edges"):
        net.make_trainable("no_such_key")
    with pytest.raises(ValueError, match="no synapse"):
        net.cell(0).make_trainable("IonotropicSynapse_gS")
    with pytest.raises(ValueError, match="len\\(init_val\\)=3"):
        net.cell("all").make_trainable("radius", init_val=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="synapse 5 does not exist"):
        net.select(edges=[5])
    with pytest.raises(KeyError, match="not found in nodes or edges"):
        net.select(edges=[0]).set("no_such_key", 1.0)
    with pytest.raises(KeyError, match="synapse 0 is not in this view"):
        net.cell(0).select(edges=[0])  # Jaxley: KeyError from pointer.edges.loc[[0]]


def test_sharing_with_groups_of_different_sizes_equals_set(real_jaxley):
    """Jaxley's test_param_sharing_w_different_group_sizes, by traces: a module-level
    controlled_by_param [0, 0, 0, 1, 1, 2] and params [2, 3, 4] must simulate what Jaxley
    simulates after set("radius", [2, 2, 2, 3, 3, 4])."""
    jbranch = real_jaxley.Branch(real_jaxley.Compartment(), ncomp=6)
    jbranch.set("radius", np.array([2.0, 2, 2, 3, 3, 4]))
    rbranch = ranvier.Branch(ranvier.Compartment(), ncomp=6)
    rbranch.nodes["controlled_by_param"] = np.array([0, 0, 0, 1, 1, 2])
    rbranch.make_trainable("radius", verbose=False)
    params = rbranch.get_parameters()
    assert [p["radius"].shape for p in params] == [(3,)]
    for pkg, branch in ((real_jaxley, jbranch), (ranvier, rbranch)):
        branch.insert(pkg.channels.HH())
        branch.comp(0).stimulate(pkg.step_current(0.5, 2.0, 0.5, DT, T_MAX), verbose=False)
        branch.record("v", verbose=False)
    jv = np.asarray(real_jaxley.integrate(jbranch, t_max=T_MAX, delta_t=DT))
    rv = np.asarray(ranvier.integrate(rbranch, t_max=T_MAX, delta_t=DT, params=[{"radius": np.array([2.0, 3.0, 4.0])}]))
    np.testing.assert_allclose(rv, jv, rtol=RTOL, atol=1e-8 * np.abs(jv).max())

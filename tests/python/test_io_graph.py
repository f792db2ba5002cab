"""ranvier.io.graph (Jaxley's graph backend), to_graph and morph_delete/morph_connect against
real Jaxley 0.14: SWC graphs, compartment graphs, cells built from (edited) graphs (nodes
tables, groups, parents, HH traces), export round trips and edited morphologies."""
import numbers

import numpy as np
import pytest

jaxley = pytest.importorskip("jaxley")
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jaxley.io.graph as jgraph  # noqa: E402
import networkx as nx  # noqa: E402
from jaxley.modules.base import to_graph as jto_graph  # noqa: E402
from jaxley.morphology import morph_connect as jmorph_connect  # noqa: E402
from jaxley.morphology import morph_delete as jmorph_delete  # noqa: E402

import ranvier as rv  # noqa: E402
import ranvier.io.graph as rgraph  # noqa: E402
from conftest import ROOT  # noqa: E402
from ranvier.modules.base import to_graph as rto_graph  # noqa: E402
from ranvier.morphology import morph_connect as rmorph_connect  # noqa: E402
from ranvier.morphology import morph_delete as rmorph_delete  # noqa: E402

MORPH = ROOT.parent / "shared" / "data" / "morphologies"
FILES = ["morph_3_types.swc", "morph_3_types_single_point_soma.swc", "morph_somatic_branchpoint.swc",
         "morph_interrupted_soma.swc", "morph_ca1_n120_250.swc"]
# Columns of `nodes` that describe the compartments (Ranvier orders the columns differently).
NODE_COLUMNS = ["global_cell_index", "global_branch_index", "global_comp_index", "local_branch_index", "local_comp_index",
                "length", "radius", "area", "volume", "resistive_load_in", "resistive_load_out", "axial_resistivity",
                "capacitance", "v", "x", "y", "z"]


def path_of(name):
    path = MORPH / name
    if not path.exists():
        pytest.skip(f"missing {path}")
    return str(path)


def same_value(a, b, rtol=1e-12):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=0, equal_nan=True)
    if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        return bool(a) == bool(b)
    if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        return bool(np.isclose(a, b, rtol=rtol, atol=0, equal_nan=True))
    return a == b


def assert_same_graph(jg, rg, keys=None, key_order=True):
    """Same node labels in the same order, same attributes (same key order) and same edges."""
    assert list(jg.nodes) == list(rg.nodes)
    for n in jg.nodes:
        a, b = jg.nodes[n], rg.nodes[n]
        names = list(a) if keys is None else [k for k in keys if k in a]
        if keys is None:
            same = list(a) == list(b) if key_order else sorted(a) == sorted(b)
            assert same, f"node {n}: keys {list(a)} != {list(b)}"
        for k in names:
            assert same_value(a[k], b[k]), f"node {n}, '{k}': {a[k]!r} != {b[k]!r}"
    assert sorted(jg.edges) == sorted(rg.edges)


def assert_same_cell(jcell, rcell, columns=NODE_COLUMNS, group_order=True):
    jn, rn = jcell.nodes, rcell.nodes
    assert len(jn) == len(rn)
    for col in columns:
        if col in jn.columns:
            a, b = jn[col].to_numpy(dtype=np.float64), rn[col].to_numpy(dtype=np.float64)
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=0, err_msg=col)
    assert list(rcell.comb_parents) == [int(p) for p in jcell.comb_parents]
    if group_order:
        assert list(rcell.group_names) == list(jcell.group_names)
    else:
        assert sorted(rcell.group_names) == sorted(jcell.group_names)
    for g in jcell.group_names:
        if g in jcell.nodes.columns and not jcell.nodes[g].any():
            continue  # an empty group: views of it raise, in Jaxley as in Ranvier
        assert list(getattr(rcell, g).nodes.index) == list(getattr(jcell, g).nodes.index), g


def hh_trace(jx, cell, comp=0):
    cell.insert(jx.channels.HH())
    cell.branch(0).comp(comp).record(verbose=False)
    cell.branch(0).comp(comp).stimulate(jx.step_current(0.5, 2.0, 0.2, 0.025, 5.0), verbose=False)
    return np.asarray(jx.integrate(cell, t_max=5.0))


def assert_same_trace(jcell, rcell):
    vj, vr = hh_trace(jaxley, jcell), hh_trace(rv, rcell)
    assert vj.shape == vr.shape
    np.testing.assert_allclose(vr, vj, rtol=1e-8, atol=0)


@pytest.mark.parametrize("name", FILES)
def test_swc_graph_nodes_and_edges(name):
    fname = path_of(name)
    assert_same_graph(jgraph.to_swc_graph(fname), rgraph.to_swc_graph(fname))
    for e, d in jgraph.to_swc_graph(fname).edges.items():
        assert same_value(d["l"], rgraph.to_swc_graph(fname).edges[e]["l"])


OPTIONS = [dict(ncomp=1), dict(ncomp=3, max_len=100.0, ignore_swc_tracing_interruptions=False),
           dict(ncomp=2, min_radius=1.0, relevant_type_ids=[1, 2])]


@pytest.mark.parametrize("name,options", [(f, o) for f in FILES[:4] for o in OPTIONS] + [(FILES[4], OPTIONS[1])])
def test_compartment_graph(name, options):
    fname = path_of(name)
    jg = jgraph.build_compartment_graph(jgraph.to_swc_graph(fname), **options)
    rg = rgraph.build_compartment_graph(rgraph.to_swc_graph(fname), **options)
    assert_same_graph(jg, rg)


@pytest.mark.parametrize("name,ncomp", [("morph_3_types.swc", 1), ("morph_3_types_single_point_soma.swc", 2),
                                        ("morph_ca1_n120_250.swc", 1)])
def test_from_graph_cell(name, ncomp):
    fname = path_of(name)
    jcell = jgraph.from_graph(jgraph.build_compartment_graph(jgraph.to_swc_graph(fname), ncomp=ncomp))
    rcell = rgraph.from_graph(rgraph.build_compartment_graph(rgraph.to_swc_graph(fname), ncomp=ncomp))
    assert_same_cell(jcell, rcell)
    # The graph backend and read_swc give the same cell.
    assert_same_cell(jcell, rv.read_swc(fname, ncomp=ncomp))
    if name == "morph_3_types_single_point_soma.swc" and ncomp == 2:  # one trace: Jaxley compiles each cell
        assert_same_trace(jcell, rcell)


def trimmed(io, fname):
    """Tutorial 13: keep the compartments with two neighbours, longer than 250 um, or somatic."""
    graph = io.build_compartment_graph(io.to_swc_graph(fname), ncomp=1)
    keep = [n for n in graph.nodes if graph.in_degree(n) + graph.out_degree(n) > 1 or graph.nodes[n]["length"] > 250.0
            or "soma" in graph.nodes[n]["groups"]]
    return io.from_graph(nx.subgraph(graph, keep))


def without_type(io, fname, type_id=3):
    """Tutorial 13: delete the SWC samples of one type (there: apical) before building the compartment graph."""
    swc = io.to_swc_graph(fname)
    keep = {k: v for k, v in nx.get_node_attributes(swc, "id").items() if v != type_id}
    return io.from_graph(io.build_compartment_graph(nx.subgraph(swc, keep).copy(), ncomp=2))


def hand_made(io):
    """Tutorial 13: a graph written by hand (edge lengths 1, no parent ids)."""
    nodes = {0: (-1, 0, 0.2), 1: (0, 0, 0.2), 2: (1, 0, 0.2), 3: (2, 1, 0.1), 4: (3, 2, 0.1), 5: (2, -1, 0.1), 6: (3, -2, 0.1)}
    g = nx.DiGraph()
    g.add_nodes_from((k, {"id": 1, "x": x, "y": y, "z": 0, "r": r}) for k, (x, y, r) in nodes.items())
    g.add_edges_from(((0, 1), (1, 2), (2, 3), (3, 4), (2, 5), (5, 6)), l=1)
    return io.from_graph(io.build_compartment_graph(g, ncomp=2))


@pytest.mark.parametrize("make", ["trimmed", "without_type", "hand_made"])
def test_edited_graphs(make):
    if make == "hand_made":
        jcell, rcell = hand_made(jgraph), hand_made(rgraph)
    elif make == "trimmed":
        fname = path_of("morph_ca1_n120_250.swc")
        jcell, rcell = trimmed(jgraph, fname), trimmed(rgraph, fname)
    else:
        fname = path_of("morph_somatic_branchpoint.swc")
        jcell, rcell = without_type(jgraph, fname), without_type(rgraph, fname)
    assert_same_cell(jcell, rcell)
    if make == "hand_made":
        assert_same_trace(jcell, rcell)


def test_edges_only_graph():
    """Jaxley's test_edges_only_to_jaxley: an undirected graph of edges only (no coordinates).
    Jaxley leaves area, volume and resistive loads NaN there (its simulation would give NaN);
    Ranvier takes those of a cylinder of the compartment's length and radius."""
    for edges in ([(0, 1), (1, 2), (2, 3)], [(0, 1), (1, 2), (1, 3), (2, 4), (2, 5), (3, 6), (3, 7)]):
        jg = jgraph.build_compartment_graph(jgraph._add_missing_graph_attrs(nx.Graph(edges)), ncomp=1, min_radius=1.0)
        rg = rgraph.build_compartment_graph(rgraph._add_missing_graph_attrs(nx.Graph(edges)), ncomp=1, min_radius=1.0)
        # Jaxley adds the missing attributes in the order of a Python set of strings.
        assert_same_graph(jg, rg, key_order=False)
        jcell, rcell = jgraph.from_graph(jg), rgraph.from_graph(rg)
        assert list(rcell.comb_parents) == [int(p) for p in jcell.comb_parents]
        for col in ["length", "radius", "global_branch_index"]:
            np.testing.assert_array_equal(rcell.nodes[col].to_numpy(), jcell.nodes[col].to_numpy())
        r, length = rcell.nodes["radius"].to_numpy(), rcell.nodes["length"].to_numpy()
        np.testing.assert_allclose(rcell.nodes["area"].to_numpy(), 2 * np.pi * r * length, rtol=1e-15)


@pytest.mark.parametrize("name", ["morph_3_types.swc", "morph_ca1_n120_250.swc"])
def test_to_graph_round_trip(name):
    fname = path_of(name)
    jcell, rcell = jaxley.read_swc(fname, ncomp=2), rv.read_swc(fname, ncomp=2)
    jcell.insert(jaxley.channels.HH())
    rcell.insert(rv.channels.HH())
    jcell.branch(1).set("HH_gNa", 0.3)
    rcell.branch(1).set("HH_gNa", 0.3)
    jg, rg = jto_graph(jcell, channels=True), rto_graph(rcell, channels=True)
    keys = [k for k in list(jg.nodes[0]) if k != "controlled_by_param"]
    assert_same_graph(jg, rg, keys=keys)
    assert list(jg.edges) == list(rg.edges)
    for traverse in (True, False):
        jre = jgraph.from_graph(jg, traverse_for_solve_order=traverse)
        rre = rgraph.from_graph(rg, traverse_for_solve_order=traverse)
        assert_same_cell(jre, rre)
        np.testing.assert_allclose(rre.nodes["HH_gNa"].to_numpy(), jre.nodes["HH_gNa"].to_numpy(), rtol=0)
    # The exported graph without channels has no channel columns.
    assert "HH_gNa" not in rto_graph(rcell).nodes[0]


def test_inhomogeneous_round_trip():
    """Jaxley's test_from_graph_inhom_compartments: branches with different ncomp."""
    fname = path_of("morph_ca1_n120_250.swc")
    jcell, rcell = jaxley.read_swc(fname, ncomp=1), rv.read_swc(fname, ncomp=1)
    for b, n in [(1, 3), (4, 5), (7, 2)]:
        jcell.branch(b).set_ncomp(n, initialize=False)
        rcell.branch(b).set_ncomp(n)
    jcell.initialize()
    jre, rre = jgraph.from_graph(jto_graph(jcell)), rgraph.from_graph(rto_graph(rcell))
    # Jaxley's set_ncomp gives the new compartments the old centre (x, y, z); Ranvier's
    # computes their own centres, and from_graph keeps whichever the graph has.
    assert_same_cell(jre, rre, columns=[c for c in NODE_COLUMNS if c not in ("x", "y", "z")])
    for col in ["x", "y", "z", "length", "area"]:
        np.testing.assert_array_equal(rre.nodes[col].to_numpy(), rcell.nodes[col].to_numpy())


def test_morph_delete_swc():
    fname = path_of("morph_ca1_n120_250.swc")
    # A whole group: the cell keeps the (now empty) group, as Jaxley's does.
    jcell, rcell = jmorph_delete(jaxley.read_swc(fname, ncomp=1).apical), rmorph_delete(rv.read_swc(fname, ncomp=1).apical)
    assert_same_cell(jcell, rcell)
    # Some terminal branches.
    jcell, rcell = jaxley.read_swc(fname, ncomp=2), rv.read_swc(fname, ncomp=2)
    tips = [b for b in range(rcell.total_nbranches) if b not in rcell.comb_parents][:3]
    jcell, rcell = jmorph_delete(jcell.branch(tips)), rmorph_delete(rcell.branch(tips))
    assert_same_cell(jcell, rcell)
    assert_same_trace(jcell, rcell)


def test_morph_connect_swc_and_stub():
    """Tutorial 08: a stub (an SWC cell's branch, so it has coordinates) attached at the soma."""
    fname = path_of("morph_ca1_n120_250.swc")
    jcell, rcell = jaxley.read_swc(fname, ncomp=1), rv.read_swc(fname, ncomp=1)
    rest = list(range(2, rcell.total_nbranches))
    jstub = jmorph_delete(jaxley.read_swc(fname, ncomp=1).branch(rest))
    rstub = rmorph_delete(rv.read_swc(fname, ncomp=1).branch(rest))
    for at in (0.0, 1.0):
        jnew = jmorph_connect(jcell.branch(0).loc(at), jstub.branch(0).loc(0.0))
        rnew = rmorph_connect(rcell.branch(0).loc(at), rstub.branch(0).loc(0.0))
        # Jaxley joins the group names through a Python set (their order varies between runs).
        assert_same_cell(jnew, rnew, group_order=False)
    assert_same_trace(jnew, rnew)


def test_morph_connect_built_stub():
    """Tutorial 08: a Cell() of length 50 um attached at the end of an SWC cell's first branch
    (Jaxley gives the stub coordinates first; Ranvier's has none, so x, y, z are left out)."""
    fname = path_of("morph_ca1_n120_250.swc")
    made = []
    for io, connect in ((jaxley, jmorph_connect), (rv, rmorph_connect)):
        stub = io.Cell()
        stub.set("length", 50.0)
        made.append(connect(io.read_swc(fname, ncomp=1).branch(0).loc(1.0), stub.branch(0).loc(0.0)))
    assert_same_cell(*made, columns=[c for c in NODE_COLUMNS if c not in ("x", "y", "z")], group_order=False)


def test_morph_edit_rejects_recordings():
    cell = rv.read_swc(path_of("morph_3_types.swc"), ncomp=1)
    cell.branch(0).comp(0).record(verbose=False)
    with pytest.raises(ValueError, match="recordings"):
        rmorph_delete(cell.branch(1))
    with pytest.raises(ValueError, match="only a Cell"):
        rmorph_delete(rv.Branch().comp(0))


def test_vis_compartment_graph():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fname = path_of("morph_3_types.swc")
    for io in (jgraph, rgraph):
        fig, ax = plt.subplots()
        io.vis_compartment_graph(io.build_compartment_graph(io.to_swc_graph(fname), ncomp=1), ax=ax)
        if io is jgraph:
            jcount = len(ax.collections)
        else:
            assert len(ax.collections) == jcount > 0
        plt.close(fig)

"""Coordinates, moving, distances, show and plotting of modules and views, against real Jaxley
0.14 (float64): shape, xyzr and the x, y, z columns after construction, compute_xyz,
compute_compartment_centers, move / move_to / rotate, read_swc, distances, and vis drawing
the same artists with the same data."""
import importlib
from pathlib import Path

import numpy as np
import pytest

import ranvier

jaxley = pytest.importorskip("jaxley")
jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from jaxley.morphology import distance_direct as jx_distance_direct  # noqa: E402
from jaxley.morphology import distance_pathwise as jx_distance_pathwise  # noqa: E402

from ranvier.morphology import distance_direct, distance_pathwise  # noqa: E402

MORPH = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "morphologies"
TOL = dict(rtol=1e-12, atol=1e-12, equal_nan=True)


def assert_xyzr_equal(got, expected, what):
    assert len(got) == len(expected), what
    for b, (g, e) in enumerate(zip(got, expected)):
        g, e = np.asarray(g), np.asarray(e)
        assert g.shape == e.shape, f"{what}: branch {b} has shape {g.shape}, Jaxley {e.shape}"
        np.testing.assert_allclose(g, e, err_msg=f"{what}: branch {b}", **TOL)


def assert_xyz_equal(a, b, what):
    np.testing.assert_allclose(a.nodes[["x", "y", "z"]].to_numpy(float), b.nodes[["x", "y", "z"]].to_numpy(float),
                               err_msg=what, **TOL)


def modules(jx):
    """A compartment, a branch, a cell with unequal branches, and a network of two cells."""
    comp = jx.Compartment()
    branch = jx.Branch(comp, ncomp=3)
    cell = jx.Cell([jx.Branch(comp, ncomp=k) for k in [2, 3, 1, 2, 2]], parents=[-1, 0, 0, 1, 1])
    net = jx.Network([jx.Cell(branch, parents=[-1, 0, 0]), jx.Cell([jx.Branch(comp, ncomp=k) for k in [2, 1]], [-1, 0])])
    return {"comp": comp, "branch": branch, "cell": cell, "net": net}


@pytest.fixture(scope="module")
def pair():
    return modules(ranvier), modules(jaxley)


VIEWS = {
    "comp": [],
    "branch": ["comp(1)", "comp([0, 2])", "loc(0.0)"],
    "cell": ["branch(1)", "branch([1, 3])", "branch(2).comp(0)", "branch(0).loc(1.0)", "branch(1).comp([0, 2])"],
    "net": ["cell(0)", "cell(1)", "cell([0, 1]).branch(0)", "cell(0).branch(1).comp(1)", "branch(1)", "cell('all')"],
}


@pytest.mark.parametrize("kind", list(VIEWS))
def test_construction_coordinates_and_shape(pair, kind):
    r, j = pair[0][kind], pair[1][kind]
    assert r.shape == j.shape
    assert_xyzr_equal(r.xyzr, j.xyzr, kind)
    assert_xyz_equal(r, j, kind)
    for v in VIEWS[kind]:
        rv, jv = eval(f"r.{v}"), eval(f"j.{v}")
        assert rv.shape == jv.shape, v
        assert_xyzr_equal(rv.xyzr, jv.xyzr, f"{kind}.{v}")


def test_compute_xyz_after_new_lengths():
    got, expected = [], []
    for jx, out in [(ranvier, got), (jaxley, expected)]:
        cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0, 1, 1])
        cell.branch(1).set("length", 23.0)
        cell.branch(3).comp(0).set("length", 4.5)
        before = cell.nodes[["x", "y", "z"]].to_numpy(float)
        cell.compute_xyz()  # the x, y, z columns stay until compute_compartment_centers
        np.testing.assert_array_equal(cell.nodes[["x", "y", "z"]].to_numpy(float), before)
        cell.compute_compartment_centers()
        out.append(cell)
    assert_xyzr_equal(got[0].xyzr, expected[0].xyzr, "compute_xyz")
    assert_xyz_equal(got[0], expected[0], "centres")


def moved(jx):
    net = modules(jx)["net"]
    net.compute_xyz()
    net.cell(1).move(10.0, 20.0, 3.0)
    net.cell(0).branch(2).move(1.0, 2.0, 3.0, update_nodes=True)
    net.rotate(33.0, "xz")
    net.cell(0).rotate(-20.0, "yz", update_nodes=True)
    net.move_to(5.0, 6.0, 7.0)
    net.cell(1).move_to(np.array([1.0]), np.array([2.0]), np.array([3.0]), update_nodes=True)
    net.cell([0, 1]).move_to(0, 5.0, 0)  # integer x: every cell's first point goes there
    return net


def test_move_move_to_rotate_network():
    r, j = moved(ranvier), moved(jaxley)
    assert_xyzr_equal(r.xyzr, j.xyzr, "moved net")
    assert_xyz_equal(r, j, "moved net (only the updated compartments changed)")
    r.compute_compartment_centers(), j.compute_compartment_centers()
    assert_xyz_equal(r, j, "moved net, centres")


def laid_out(jx):
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0, 1])
    net = jx.Network([cell for _ in range(5)])
    net.compute_xyz()
    net.rotate(180)
    net.arrange_in_layers(layers=[3, 2], within_layer_offset=150, between_layer_offset=200)
    net.cell([3, 4]).move_to(np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([5.0, 6.0]))
    return net


def test_arrange_in_layers():
    assert_xyzr_equal(laid_out(ranvier).xyzr, laid_out(jaxley).xyzr, "layers")


def test_cell_with_given_xyzr_and_set_ncomp():
    points = [np.array([[5.0, 10.0, 1.0, 1.0], [8.0, 14.0, 1.0, 2.0], [10.0, 15.0, 0.0, 1.5]]),
              np.array([[10.0, 15.0, 0.0, 1.0], [20.0, 15.0, 0.0, 1.0]])]
    cells = []
    for jx in (ranvier, jaxley):
        cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=1), parents=[-1, 0], xyzr=[p.copy() for p in points])
        cell.move(6.0, 9.0, 3.0)
        cell.move_to(1.0, 2.0, 3.0)
        cell.branch(0).set_ncomp(3)  # every radius known: geometry from the traced points
        cells.append(cell)
    assert_xyzr_equal(cells[0].xyzr, cells[1].xyzr, "given xyzr")
    cols = ["radius", "length", "area", "volume", "resistive_load_in", "resistive_load_out"]
    np.testing.assert_allclose(cells[0].nodes[cols].to_numpy(float), cells[1].nodes[cols].to_numpy(float), rtol=1e-10)


def test_set_ncomp_of_built_cell_keeps_mean_coordinates():
    cells = []
    for jx in (ranvier, jaxley):
        cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
        cell.branch(1).set_ncomp(4)
        cells.append(cell)
    assert_xyzr_equal(cells[0].xyzr, cells[1].xyzr, "set_ncomp")
    assert_xyz_equal(cells[0], cells[1], "set_ncomp: new compartments at the mean of the old centres")
    cells[0].compute_compartment_centers(), cells[1].compute_compartment_centers()
    assert_xyz_equal(cells[0], cells[1], "set_ncomp, then centres")


@pytest.fixture(scope="module")
def swc_pair():
    fname = str(MORPH / "morph_minimal.swc")
    return ranvier.read_swc(fname, ncomp=2), jaxley.read_swc(fname, ncomp=2)


def test_read_swc_coordinates(swc_pair):
    r, j = swc_pair
    assert r.shape == j.shape
    assert_xyzr_equal(r.xyzr, j.xyzr, "read_swc")
    assert_xyz_equal(r, j, "read_swc")
    for v in ["soma", "apical", "basal.branch(0)", "branch(3).comp(1)"]:
        assert_xyzr_equal(eval(f"r.{v}").xyzr, eval(f"j.{v}").xyzr, v)
        assert eval(f"r.{v}").shape == eval(f"j.{v}").shape, v
    rc, jc = r.copy(), j.copy()  # centres interpolated along the traced points
    rc.compute_compartment_centers(), jc.compute_compartment_centers()
    assert_xyz_equal(rc, jc, "read_swc centres")


def test_single_point_soma_coordinates():
    fname = str(MORPH / "morph_3_types_single_point_soma.swc")
    r, j = ranvier.read_swc(fname, ncomp=1), jaxley.read_swc(fname, ncomp=1)
    assert_xyzr_equal(r.xyzr, j.xyzr, "single-point soma")
    assert_xyz_equal(r, j, "single-point soma")


def test_distances(swc_pair):
    r, j = swc_pair
    np.testing.assert_allclose(distance_direct(r.soma.branch(0).comp(0), r),
                               jx_distance_direct(j.soma.branch(0).comp(0), j), **TOL)
    np.testing.assert_allclose(distance_pathwise(r.soma.branch(0).comp(0), r),
                               jx_distance_pathwise(j.soma.branch(0).comp(0), j), rtol=1e-12)
    # From a child branch: paths to its sibling (branch 3) go through their branchpoint.
    np.testing.assert_array_equal(distance_pathwise(r.branch(1).comp(1), r), jx_distance_pathwise(j.branch(1).comp(1), j))
    np.testing.assert_array_equal(distance_pathwise(r.branch(3).comp(0), r.branch(1).comp(0)),
                                  jx_distance_pathwise(j.branch(3).comp(0), j.branch(1).comp(0)))
    rn, jn = moved(ranvier), moved(jaxley)
    rn.compute_compartment_centers(), jn.compute_compartment_centers()
    np.testing.assert_allclose(distance_direct(rn.cell(1).branch(0).loc(0.0), rn),
                               jx_distance_direct(jn.cell(1).branch(0).loc(0.0), jn), **TOL)


def test_distance_errors():
    net = modules(ranvier)["net"]
    with pytest.raises(ValueError, match="one compartment"):
        distance_direct(net.cell(0).branch(0), net)
    with pytest.raises(ValueError, match="different cells"):
        distance_pathwise(net.cell(0).branch(0).comp(0), net.cell(1))


def test_show(swc_pair):
    for kind in ["net", "cell"]:
        built = []
        for jx in (ranvier, jaxley):
            m = modules(jx)[kind]
            m.insert(jx.channels.Leak())
            m.branch(0).insert(jx.channels.HH())
            built.append(m)
        r, j = built
        for call in ["show()", "branch(1).show()", "branch(0).show(channel_names=['HH'])",
                     "show(param_names=['HH_gNa', 'Leak_eLeak'])", "show(indices=False, states=False)"]:
            a, b = eval(f"r.{call}"), eval(f"j.{call}")
            assert list(a.columns) == list(b.columns), call
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), err_msg=call, **TOL)
    a, b = swc_pair[0].show(), swc_pair[1].show()
    assert list(a.columns) == list(b.columns)
    np.testing.assert_array_equal(a.to_numpy(float), b.to_numpy(float))


def test_iteration():
    r, j = modules(ranvier)["net"], modules(jaxley)["net"]
    comps = lambda v: v.nodes["global_comp_index"].tolist()  # noqa: E731
    assert [comps(c) for c in r] == [comps(c) for c in j]
    assert [[comps(b) for b in c] for c in r] == [[comps(b) for b in c] for c in j]
    for attr in ["cells", "branches", "comps"]:
        assert [comps(v) for v in getattr(r, attr)] == [comps(v) for v in getattr(j, attr)], attr
        assert [comps(v) for v in getattr(r.cell(1), attr)] == [comps(v) for v in getattr(j.cell(1), attr)], attr
    with r.cell(0).branch(1) as view:
        view.set("radius", 2.0)
    assert r.nodes["radius"].tolist()[:7] == [1.0] * 3 + [2.0] * 3 + [1.0]


def artists(ax):
    """What a vis call drew: the data of every line, the offsets of every scatter, the vertices
    of every filled outline, and every circle (centre, radius)."""
    lines = [np.vstack(ln.get_data_3d() if hasattr(ln, "get_data_3d") else ln.get_data()) for ln in ax.lines]
    dots = [np.asarray(c.get_offsets()) for c in ax.collections]
    patches = []
    for p in ax.patches:
        if hasattr(p, "get_radius"):
            patches.append(np.array([*p.get_center(), p.get_radius()]))
        else:
            patches.append(np.asarray(p.get_xy()))
    return lines, dots, patches


def assert_same_drawing(draw):
    drawn = []
    for jx in (ranvier, jaxley):
        fig, ax = plt.subplots()
        draw(jx, ax)
        drawn.append(artists(ax))
        plt.close(fig)
    for kind, got, expected in zip(["lines", "scatters", "patches"], *drawn):
        assert len(got) == len(expected), f"{len(got)} {kind}, Jaxley draws {len(expected)}"
        for g, e in zip(got, expected):
            assert g.shape == e.shape, kind
            np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=kind)


@pytest.mark.parametrize("kind", ["branch", "cell", "net"])
@pytest.mark.parametrize("type", ["line", "scatter", "comp"])  # "morph" needs radii, built modules have none
def test_vis_built_modules(kind, type):
    def draw(jx, ax):
        m = modules(jx)[kind]
        if kind == "net":
            m.cell(1).move(0, 40.0)
        m.vis(ax=ax, type=type, color="r", resolution=12)
        part = {"branch": lambda: m, "cell": lambda: m.branch(0), "net": lambda: m.cell(1).branch(0)}[kind]()
        part.comp(1).vis(ax=ax, type=type, color="b", resolution=12)
    assert_same_drawing(draw)


@pytest.mark.parametrize("type", ["line", "scatter", "comp", "morph"])
def test_vis_swc_cell(type):
    fname = str(MORPH / "morph_3_types.swc")

    def draw(jx, ax):
        cell = jx.read_swc(fname, ncomp=2)
        cell.vis(ax=ax, type=type, resolution=10)
        cell.branch(1).vis(ax=ax, type=type, color="g", resolution=10)
    assert_same_drawing(draw)


def test_vis_network_with_synapses():
    def draw(jx, ax):
        net = laid_out(jx)
        syn = importlib.import_module(jx.__name__ + ".synapses").IonotropicSynapse()
        connect = importlib.import_module(jx.__name__ + ".connect").connect
        connect(net.cell(0).branch(3).loc(1.0), net.cell(4).branch(0).loc(0.0), syn)
        connect(net.cell(1).branch(2).loc(0.3), net.cell(3).branch(1).loc(0.6), syn)
        net.vis(ax=ax, detail="full")
        net.vis(ax=ax, detail="point")
        net.cell(2).vis(ax=ax, color="g")
    assert_same_drawing(draw)


def test_vis_3d_returns_axes():
    cell = ranvier.Cell(ranvier.Branch(ranvier.Compartment(), ncomp=2), parents=[-1, 0, 0])
    fig = plt.figure()
    ax = fig.add_subplot(111, projection="3d")
    assert cell.vis(ax=ax, dims=[2, 0, 1]) is ax
    assert len(ax.lines) == 3
    plt.close(fig)
    assert cell.vis() is not None
    plt.close("all")


def test_geometry_errors():
    cell = ranvier.Cell(ranvier.Branch(ranvier.Compartment(), ncomp=2), parents=[-1, 0])
    with pytest.raises(ValueError, match="shape"):
        cell.xyzr = [np.zeros((2, 3)), np.zeros((2, 4))]
    with pytest.raises(ValueError, match="2 branches"):
        cell.xyzr = [np.zeros((2, 4))]
    with pytest.raises(ValueError, match="rotation_axis"):
        cell.rotate(10, "xw")
    with pytest.raises(NotImplementedError, match="compute_xyz"):
        cell.branch(0).compute_xyz()
    with pytest.raises(TypeError, match="assigned on a module"):
        cell.branch(0).xyzr = []
    with pytest.raises(ValueError, match="2 branches"):
        ranvier.Cell(ranvier.Branch(), parents=[-1, 0], xyzr=[np.zeros((2, 4))])


def test_network_set_synapse_parameter():
    nets = []
    for jx in (ranvier, jaxley):
        net = jx.Network([jx.Cell() for _ in range(3)])
        syn = importlib.import_module(jx.__name__ + ".synapses").IonotropicSynapse
        connect = importlib.import_module(jx.__name__ + ".connect").connect
        connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(0).comp(0), syn())
        connect(net.cell(1).branch(0).comp(0), net.cell(2).branch(0).comp(0), syn())
        net.set("IonotropicSynapse_gS", 0.0003)
        net.set("IonotropicSynapse_s", 0.2)
        nets.append(net)
    for key in ["IonotropicSynapse_gS", "IonotropicSynapse_s"]:
        np.testing.assert_array_equal(nets[0].edges[key].to_numpy(float), nets[1].edges[key].to_numpy(float))


def test_set_ncomp_of_swc_cell_coordinates():
    fname = str(MORPH / "morph_minimal.swc")
    cells = []
    for jx in (ranvier, jaxley):
        cell = jx.read_swc(fname, ncomp=2)
        cell.branch(1).set_ncomp(3)  # new compartments at the mean of the old centres, as Jaxley
        cell.branch(2).set_ncomp(1)
        cells.append(cell)
    assert_xyzr_equal(cells[0].xyzr, cells[1].xyzr, "set_ncomp")
    assert_xyz_equal(cells[0], cells[1], "set_ncomp")
    np.testing.assert_allclose(distance_direct(cells[0].soma.branch(0).comp(0), cells[0]),
                               jx_distance_direct(cells[1].soma.branch(0).comp(0), cells[1]), **TOL)
    cells[0].compute_compartment_centers(), cells[1].compute_compartment_centers()
    assert_xyz_equal(cells[0], cells[1], "set_ncomp, then centres")

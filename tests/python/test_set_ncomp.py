"""set_ncomp per branch and Jaxley's d_lambda recipe through the Python API, against the
Jaxley 0.14 node tables of tests/reference/set_ncomp (make_set_ncomp_refs.py there)."""
import json

import numpy as np
import pytest

import ranvier as jx
from conftest import ROOT

REF = ROOT / "tests" / "reference" / "set_ncomp"
MORPH = ROOT.parent / "shared" / "data" / "morphologies"
COLUMNS = ["length", "radius", "area", "volume", "resistive_load_in", "resistive_load_out"]


def check_nodes(cell, expected):
    nodes = cell.nodes
    np.testing.assert_array_equal(nodes["global_branch_index"].to_numpy(), expected["branch"])
    for key in COLUMNS:
        np.testing.assert_allclose(nodes[key].to_numpy(), expected[key], rtol=1e-10, atol=0, err_msg=key)


def test_d_lambda_recipe_matches_jaxley():
    spec = json.load(open(REF / "morph_ca1_n120__dlambda.json"))
    path = MORPH / spec["file"]
    if not path.exists():
        pytest.skip(f"missing {path}")
    cell = jx.read_swc(str(path), ncomp=1)
    counts = []
    for branch in cell.branches:  # the recipe of Jaxley's documentation, verbatim
        diameter = 2 * branch.nodes["radius"].to_numpy()[0]
        c_m = branch.nodes["capacitance"].to_numpy()[0]
        r_a = branch.nodes["axial_resistivity"].to_numpy()[0]
        length = branch.nodes["length"].to_numpy()[0]
        lambda_f = 1e5 * np.sqrt(diameter / (4 * np.pi * 100.0 * c_m * r_a))
        ncomp = int((length / (0.1 * lambda_f) + 0.9) / 2) * 2 + 1
        counts.append(ncomp)
        branch.set_ncomp(ncomp, initialize=False)
    cell.initialize()
    assert counts == spec["ncomp"]
    assert cell.ncomp == max(counts)
    check_nodes(cell, spec["nodes"])


def test_apply_d_lambda_matches_the_recipe():
    spec = json.load(open(REF / "morph_ca1_n120__dlambda.json"))
    path = MORPH / spec["file"]
    if not path.exists():
        pytest.skip(f"missing {path}")
    cell = jx.read_swc(str(path), ncomp=1)
    assert jx.d_lambda_ncomp(cell, 100.0, 0.1) == spec["ncomp"]
    assert jx.apply_d_lambda(cell, frequency=100.0, d_lambda=0.1) == spec["ncomp"]
    check_nodes(cell, spec["nodes"])


def test_cylinder_cell_trace_matches_jaxley():
    spec = json.load(open(REF / "cylinder_cell.json"))
    cell = jx.Cell([jx.Branch(jx.Compartment(), 4)] * 4, parents=[-1, 0, 0, 1])
    for b, n in enumerate(spec["ncomp"]):
        cell.branch(b).set_ncomp(n)
    check_nodes(cell, spec["nodes"])
    tr = spec["trace"]
    cell.set("axial_resistivity", 100.0)
    cell.insert(jx.channels.HH())
    cell.set("v", -65.0)
    cell.init_states()
    cell.branch(tr["stim_branch"]).comp(0).stimulate(jx.step_current(1.0, 5.0, tr["amp_nA"], tr["delta_t"], tr["t_max"]))
    for b in tr["record_branches"]:
        cell.branch(b).comp(0).record("v")
    v = np.asarray(jx.integrate(cell, delta_t=tr["delta_t"], t_max=tr["t_max"]))
    np.testing.assert_allclose(v, np.asarray(tr["v"]), rtol=0, atol=1e-8)


def test_set_ncomp_after_record_is_refused():
    cell = jx.Cell([jx.Branch(jx.Compartment(), 2)] * 2, parents=[-1, 0])
    cell.branch(0).comp(0).record("v")
    with pytest.raises(ValueError, match="recordings"):
        cell.branch(1).set_ncomp(3)

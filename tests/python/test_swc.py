"""read_swc through the Python API against the Jaxley 0.14 references of tests/reference/swc
(geometry of every compartment, parents, groups), and a simulation of an SWC cell."""
import json

import numpy as np
import pandas as pd
import pytest

import ranvier as jx
from conftest import ROOT

SWC = ROOT / "tests" / "reference" / "swc"
MORPH = ROOT.parent / "shared" / "data" / "morphologies"


def cases():
    out = []
    for c in json.load(open(SWC / "manifest.json"))["cases"]:
        if "csv" not in c:
            continue
        path = SWC / "extra" / c["file"] if c.get("dir") == "extra" else MORPH / c["file"]
        if c.get("dir") == "extra" or c["name"].startswith("morph_3_types__"):
            out.append((c, path))
    return out


@pytest.mark.parametrize("case,path", cases(), ids=[c["name"] for c, _ in cases()])
def test_geometry_matches_jaxley(case, path):
    if not path.exists():
        pytest.skip(f"missing {path}")
    o = case["options"]
    cell = jx.read_swc(str(path), o["ncomp"], max_branch_len=o["max_branch_len"], min_radius=o["min_radius"],
                       assign_groups=o["assign_groups"], ignore_swc_tracing_interruptions=o["ignore_swc_tracing_interruptions"],
                       relevant_type_ids=o["relevant_type_ids"])
    ref = pd.read_csv(SWC / case["csv"])
    nodes = cell.nodes
    assert len(nodes) == len(ref)
    np.testing.assert_array_equal(nodes["global_branch_index"].to_numpy(), ref["branch"].to_numpy())
    np.testing.assert_array_equal(nodes["local_comp_index"].to_numpy(), ref["comp"].to_numpy())
    for col in ["length", "radius", "area", "volume", "resistive_load_in", "resistive_load_out"]:
        np.testing.assert_allclose(nodes[col].to_numpy(), ref[col].to_numpy(), rtol=1e-10, err_msg=col)
    parents = ref.groupby("branch")["parent_branch"].first().to_numpy()
    assert cell.comb_parents == parents.tolist()
    if o["assign_groups"]:
        groups = {g for gs in ref["groups"].dropna() for g in str(gs).split(";")}
        assert set(cell.group_names) == groups


def test_simulate_swc_cell():
    path = MORPH / "morph_3_types.swc"
    if not path.exists():
        pytest.skip(f"missing {path}")
    cell = jx.read_swc(str(path), ncomp=2)
    cell.insert(jx.channels.HH())
    cell.init_states()
    cell.soma.stimulate(jx.step_current(1.0, 3.0, 1.0, 0.025, 5.0), verbose=False) if "soma" in cell.group_names else \
        cell.branch(0).comp(0).stimulate(jx.step_current(1.0, 3.0, 1.0, 0.025, 5.0), verbose=False)
    cell.branch(0).comp(0).record(verbose=False)
    v = jx.integrate(cell, t_max=5.0)
    assert v.shape == (1, 201) and np.isfinite(v).all()

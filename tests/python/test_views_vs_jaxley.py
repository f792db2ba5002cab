"""Random view chains through Ranvier and real Jaxley 0.14 select the same compartments, with
the same nodes-table index columns (global_*, local_*, controlled_by_param)."""
import random
from pathlib import Path

import numpy as np
import pytest

import ranvier

COLS = ["global_cell_index", "global_branch_index", "global_comp_index",
        "local_cell_index", "local_branch_index", "local_comp_index", "controlled_by_param"]
SWC = Path(__file__).resolve().parents[2] / "examples" / "data" / "morph_ca1_n120.swc"


def network(pkg):
    comp = pkg.Compartment()
    shapes = [([2, 3, 1], [-1, 0, 0]), ([1, 2, 2, 3], [-1, 0, 0, 1]), ([2], [-1])]
    cells = [pkg.Cell([pkg.Branch(comp, ncomp=n) for n in ncomp], parents) for ncomp, parents in shapes]
    return pkg.Network(cells)


def swc_cell(pkg):
    return pkg.read_swc(str(SWC), ncomp=2)


def draw_index(rng, values):
    values = sorted(set(int(v) for v in values))
    kind = rng.randrange(5)
    if kind == 0:
        return "all"
    if kind == 1:
        return rng.choice(values)
    pick = rng.sample(values, min(len(values), rng.randint(1, 3)))
    if kind == 2:
        return pick
    if kind == 3:
        return np.asarray(pick)
    return range(min(pick), min(pick) + 1)


def draw_op(rng, jview, is_net, groups):
    scope = jview._scope
    ops = ["branch", "comp", "loc", "scope", "select"] + (["cell"] if is_net else []) + (["group"] if groups else [])
    op = rng.choice(ops)
    if op in ("cell", "branch", "comp"):
        return op, draw_index(rng, jview.nodes[f"{scope}_{op}_index"])
    if op == "loc":
        return op, rng.choice([0.0, 1.0, 0.5, 0.3, [0.1, 0.9], "all"])
    if op == "scope":
        return op, rng.choice(["local", "global"])
    if op == "group":
        return op, rng.choice(groups)
    nodes = [int(c) for c in jview.nodes["global_comp_index"]]
    return op, rng.sample(nodes, rng.randint(1, min(4, len(nodes))))


def apply(view, op, arg, labels=None):
    if op == "group":
        return getattr(view, arg)
    if op == "select":
        return view.select(nodes=arg if labels is None else [labels[c] for c in arg])
    return getattr(view, op)(arg)


def compare(jview, rview, chain):
    # Row order: Jaxley's base table is not always in compartment order (cells of branches with
    # different ncomp), so rows are compared by compartment index; the selection must be equal.
    # Jaxley's row labels of a network are not its global compartment indices; compare those.
    jn = jview.nodes.sort_values("global_comp_index")
    rn = rview.nodes.sort_values("global_comp_index")
    for col in COLS:
        assert jn[col].astype(int).tolist() == rn[col].astype(int).tolist(), (chain, col)


@pytest.mark.parametrize("which", ["network", "swc"])
def test_random_view_chains(real_jaxley, which):
    jx = real_jaxley
    build = network if which == "network" else swc_cell
    jmod, rmod = build(jx), build(ranvier)
    groups = [g for g in ["soma", "basal", "apical"] if g in jmod.group_names] if which == "swc" else []
    assert sorted(groups) == sorted(g for g in rmod.group_names if g in groups)
    compare(jmod, rmod, "module")
    labels = {int(c): i for i, c in zip(jmod.nodes.index, jmod.nodes["global_comp_index"])}
    rng = random.Random(23 if which == "network" else 24)
    compared = 0
    for _ in range(150):
        jview, rview, chain = jmod, rmod, []
        for _ in range(rng.randint(1, 4)):
            op, arg = draw_op(rng, jview, which == "network", groups)
            chain.append((op, arg))
            try:
                jnext = apply(jview, op, arg, labels)
            except Exception:
                with pytest.raises(Exception):
                    apply(rview, op, arg)
                break
            jview, rview = jnext, apply(rview, op, arg)
            compare(jview, rview, chain)
            compared += 1
    assert compared > 200

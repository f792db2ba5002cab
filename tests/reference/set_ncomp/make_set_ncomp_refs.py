#!/usr/bin/env python3
"""Reference node tables and voltage traces after per-branch `set_ncomp`, written by real
Jaxley 0.14.0 (float64, CPU), for tests/cpp/test_set_ncomp.cpp.

Run with a Python that has jaxley 0.14.0 (e.g. build/venv after scripts/install_python.sh):

    python tests/reference/set_ncomp/make_set_ncomp_refs.py

Cases (the morphologies are read from ../shared/data/morphologies beside the repository):

* "<stem>__pattern": cell = jx.read_swc(path, ncomp=2) (ncomp=1 for single-point somata,
  see below); then, in branch order, cell.branch(b).set_ncomp(PATTERN[b % 4],
  initialize=False) and one cell.initialize(). Written: the node table (one row per
  compartment: branch, length, radius, area, volume, resistive_load_in/out).
* "<stem>__dlambda": Jaxley's documented d_lambda recipe on jx.read_swc(path, ncomp=1)
  (frequency 100 Hz, d_lambda 0.1; the counts written too), then the node table.
* For TRACE_FILES, the pattern cell also gets HH everywhere, axial resistivity 100 ohm cm,
  v = -65 mV, init_states, a step current into branch `stim` comp 0 (the soma's first
  branch) and v recorded at a few sites: jx.integrate(delta_t=0.025, t_max=10).
* LOCAL_FILES (SWC files next to this script) are treated like the shared ones; their specs
  say "local": true.
* "cylinder_cell": jx.Cell([jx.Branch(jx.Compartment(), 4)] * 4, parents=[-1, 0, 0, 1])
  with branch(b).set_ncomp([1, 3, 2, 5][b]), radius 1 um, length 10 um per original
  compartment; then HH and a trace as above (0.05 nA).

Each case writes <case>.json (spec, node table, and traces when present). Where Jaxley's
set_ncomp refuses a branch (an AssertionError, e.g. "Radius 0.0" for a branch whose traced
points have zero length), the case records the error and the branch instead of a table.
"""
import json
import os
import sys
import time
import warnings

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import numpy as np  # noqa: E402
import jaxley as jx  # noqa: E402
from jaxley.channels import HH  # noqa: E402

warnings.filterwarnings("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
MORPH_DIR = os.path.normpath(os.path.join(HERE, "../../../..", "shared", "data", "morphologies"))
PATTERN = [1, 3, 2, 4]
DT, T_MAX, DELAY, DUR = 0.025, 10.0, 1.0, 5.0
FILES = [
    "morph_ca1_n120.swc", "morph_ca1_n120_250.swc", "morph_ca1_n120_250_single_point_soma.swc",
    "morph_minimal.swc",
    "morph_3_types.swc", "morph_3_types_single_point_soma.swc", "morph_somatic_branchpoint.swc",
    "morph_interrupted_soma.swc", "morph_multiple_roots.swc", "morph_non_somatic_branchpoint.swc",
    "morph_single_branch.swc", "morph_soma_both_ends.swc", "morph_variable_radiuses_multi_branch.swc",
    "morph_variable_radiuses_within_branch.swc",
]
# SWC files kept next to this script (not in the shared morphologies).
LOCAL_FILES = ["star_root_branchpoint.swc"]
TRACE_FILES = {"star_root_branchpoint.swc": 0.05, "morph_ca1_n120_250_single_point_soma.swc": 1.0, "morph_soma_both_ends.swc": 0.01,
               "morph_variable_radiuses_multi_branch.swc": 0.01}
COLUMNS = ["length", "radius", "area", "volume", "resistive_load_in", "resistive_load_out"]


def node_table(cell):
    nodes = cell.nodes
    table = {"branch": [int(b) for b in nodes["global_branch_index"]]}
    for c in COLUMNS:
        table[c] = [float(x) for x in nodes[c]]
    return table


def soma_branch(cell):
    nodes = cell.nodes
    if "soma" in nodes.columns and bool(nodes["soma"].any()):
        return int(min(nodes[nodes["soma"] == True]["global_branch_index"]))  # noqa: E712
    return 0


def simulate(cell, amp):
    cell.set("axial_resistivity", 100.0)
    cell.insert(HH())
    cell.set("v", -65.0)
    cell.init_states()
    nb = cell.total_nbranches
    stim = soma_branch(cell)
    cell.branch(stim).comp(0).stimulate(jx.step_current(DELAY, DUR, amp, DT, T_MAX))
    rec = []
    for b in [stim, nb - 1, nb // 2, 0]:
        if b not in rec:
            rec.append(b)
    for b in rec:
        cell.branch(b).comp(0).record("v")
    v = np.asarray(jx.integrate(cell, delta_t=DT, t_max=T_MAX))
    return {"amp_nA": amp, "stim_branch": stim, "record_branches": rec, "delta_t": DT, "t_max": T_MAX,
            "v": [[float(x) for x in row] for row in v]}


def write(name, spec):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(spec, f, indent=0)


def main():
    only = set(sys.argv[1:])
    for fname in FILES + LOCAL_FILES:
        if only and fname not in only:
            continue
        t0 = time.time()
        stem = os.path.splitext(fname)[0]
        local = fname in LOCAL_FILES
        path = os.path.join(HERE if local else MORPH_DIR, fname)
        # A single-point soma read with ncomp >= 2 has a zero-length xyzr that Jaxley's
        # set_ncomp rejects ("Radius 0.0"); those files are read with ncomp 1.
        read_ncomp = 1 if "single_point" in fname else 2
        cell = jx.read_swc(path, ncomp=read_ncomp)
        counts = [PATTERN[b % 4] for b in range(cell.total_nbranches)]
        try:
            for b, n in enumerate(counts):
                failed = b
                cell.branch(b).set_ncomp(n, initialize=False)
        except AssertionError as e:  # Jaxley refuses: Ranvier must refuse the same branch
            write(stem + "__pattern", {"file": fname, "read_ncomp": read_ncomp, "ncomp": counts,
                                       "jaxley_error": str(e), "failed_branch": failed})
            print(f"{fname}: Jaxley refuses branch {failed}: {e}", flush=True)
            continue
        cell.initialize()
        spec = {"file": fname, "read_ncomp": read_ncomp, "ncomp": counts, "nodes": node_table(cell)}
        if local:
            spec["local"] = True
        if fname in TRACE_FILES:
            spec["trace"] = simulate(cell, TRACE_FILES[fname])
        write(stem + "__pattern", spec)

        # Jaxley's d_lambda recipe (docs: "How to set the number of compartments").
        cell = jx.read_swc(path, ncomp=1)
        frequency, d_lambda = 100.0, 0.1
        counts = []
        for branch in cell.branches:
            diameter = 2 * branch.nodes["radius"].to_numpy()[0]
            c_m = branch.nodes["capacitance"].to_numpy()[0]
            r_a = branch.nodes["axial_resistivity"].to_numpy()[0]
            length = branch.nodes["length"].to_numpy()[0]
            lambda_f = 1e5 * np.sqrt(diameter / (4 * np.pi * frequency * c_m * r_a))
            ncomp = int((length / (d_lambda * lambda_f) + 0.9) / 2) * 2 + 1
            counts.append(ncomp)
            branch.set_ncomp(ncomp, initialize=False)
        cell.initialize()
        spec = {"file": fname, "read_ncomp": 1, "frequency_hz": frequency, "d_lambda": d_lambda,
                "ncomp": counts, "nodes": node_table(cell)}
        if local:
            spec["local"] = True
        write(stem + "__dlambda", spec)
        print(f"{fname}: {time.time() - t0:.1f}s", flush=True)

    if not only or "cylinder_cell" in only:
        cell = jx.Cell([jx.Branch(jx.Compartment(), 4)] * 4, parents=[-1, 0, 0, 1])
        counts = [1, 3, 2, 5]
        for b, n in enumerate(counts):
            cell.branch(b).set_ncomp(n)  # initialize every time: both paths are exercised
        spec = {"file": None, "read_ncomp": 4, "ncomp": counts, "nodes": node_table(cell)}
        spec["trace"] = simulate(cell, 0.05)
        write("cylinder_cell", spec)


if __name__ == "__main__":
    main()

"""Reference voltage traces of an HH cell on reconstructed morphologies, written by real
Jaxley 0.14.0 (float64), for tests/cpp/test_swc_traces.cpp.

Run with the pyenv python3 (jaxley 0.14.0):

    python3 tests/reference/swc_traces/make_swc_trace_refs.py

For every SWC file in CASES (from ../shared/data/morphologies beside the repository):
    cell = jx.read_swc(path, ncomp=NCOMP)      # default reader arguments
    cell.set("axial_resistivity", 100.0); cell.insert(HH())   # HH everywhere, defaults
    cell.set("v", -65.0); cell.init_states()
    cell.branch(sb).comp(sc).stimulate(jx.step_current(1, 5, AMP, 0.025, 10))
    (AMP = 1 nA, or AMP_NA[file] for the small synthetic cells)
    record v at the stimulated compartment and at a few other (branch, comp) sites
    v = jx.integrate(cell, delta_t=0.025, t_max=10)
The stimulus site is the first branch of the "soma" group, comp 0 (branch 0 when the
file has no soma). Writes <stem>.csv (header step,<site labels>; one row per sample,
%.17g; sample 0 is t = 0) and <stem>.json (the spec), and manifest.json.
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
MORPH_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../..", "shared", "data", "morphologies"))
DT, T_MAX, DELAY, DUR, AMP = 0.025, 10.0, 1.0, 5.0, 1.0
RA, V_INIT = 100.0, -65.0

# file -> ncomp
CASES = {
    "morph_ca1_n120.swc": 2,
    "morph_ca1_n120_single_point_soma.swc": 2,
    "morph_allen_485574832.swc": 2,
    "arbor_single_cell_allen.swc": 2,
    "morph_l5pc_with_axon.swc": 2,
    "morph_minimal.swc": 2,
    "morph_3_types_single_point_soma.swc": 2,
    "morph_somatic_branchpoint.swc": 2,
    "morph_3_types.swc": 2,
    "morph_ca1_n120_250.swc": 2,
    "morph_ca1_n120_250_single_point_soma.swc": 2,
    "morph_interrupted_soma.swc": 2,
    "morph_multiple_roots.swc": 2,
    "morph_non_somatic_branchpoint.swc": 2,
    "morph_single_branch.swc": 2,
    "morph_soma_both_ends.swc": 2,
    "morph_variable_radiuses_multi_branch.swc": 2,
    "morph_variable_radiuses_within_branch.swc": 3,
}
# Small synthetic cells (a few hundred um^2 of membrane) are driven to hundreds of mV by
# 1 nA; they get a smaller current (nA) so that every trace is physiological (< 60 mV).
AMP_NA = {
    "morph_3_types.swc": 0.01,
    "morph_3_types_single_point_soma.swc": 0.01,
    "morph_somatic_branchpoint.swc": 0.01,
    "morph_interrupted_soma.swc": 0.01,
    "morph_multiple_roots.swc": 0.01,
    "morph_non_somatic_branchpoint.swc": 0.01,
    "morph_single_branch.swc": 0.01,
    "morph_soma_both_ends.swc": 0.01,
    "morph_variable_radiuses_multi_branch.swc": 0.01,
    "morph_variable_radiuses_within_branch.swc": 0.01,
}
SKIPPED = {
    "morph_flywire_t4_720575940626407426.swc": (
        'Jaxley 0.14 reads it but its frustum geometry gives compartments with negative resistive_load_out (e.g. branch 16: -2.2e12 /um; radii are in nm-scale units, up to hundreds of um), which Ranvier rejects at lowering; the Jaxley trace barely moves (-65.00..-64.94 mV), so it is not a sane simulation'),
    "morph_retina_20161028_1.swc":
        "has samples with radius 0: jx.read_swc asserts 'Radius 0.0 in SWC file' "
        "(it needs min_radius, and zero-area compartments cannot be simulated)",
}


def sites_for(cell, ncomp):
    nodes = cell.nodes
    nb = cell.total_nbranches
    if "soma" in nodes.columns and bool(nodes["soma"].any()):
        sb = int(min(nodes[nodes["soma"] == True]["global_branch_index"]))  # noqa: E712
    else:
        sb = 0
    stim = (sb, 0)
    rec = [stim]
    for b, c in [(nb - 1, ncomp - 1), (nb // 2, ncomp - 1), (0, ncomp - 1)]:
        if (b, c) not in rec:
            rec.append((b, c))
    return stim, rec


def main():
    only = set(sys.argv[1:])
    manifest = {"generator": "make_swc_trace_refs.py", "jaxley": jx.__version__,
                "cases": [], "skipped": SKIPPED}
    for fname, ncomp in CASES.items():
        if only and fname not in only:
            continue
        t0 = time.time()
        stem = os.path.splitext(fname)[0]
        cell = jx.read_swc(os.path.join(MORPH_DIR, fname), ncomp=ncomp)
        cell.set("axial_resistivity", RA)
        cell.insert(HH())
        cell.set("v", V_INIT)
        cell.init_states()
        stim, rec = sites_for(cell, ncomp)
        amp = AMP_NA.get(fname, AMP)
        current = jx.step_current(DELAY, DUR, amp, DT, T_MAX)
        cell.branch(stim[0]).comp(stim[1]).stimulate(current)
        for b, c in rec:
            cell.branch(b).comp(c).record("v")
        v = np.asarray(jx.integrate(cell, delta_t=DT, t_max=T_MAX))
        labels = [f"b{b}c{c}" for b, c in rec]
        with open(os.path.join(HERE, stem + ".csv"), "w") as f:
            f.write("step," + ",".join(labels) + "\n")
            for k in range(v.shape[1]):
                f.write(str(k) + "," + ",".join("%.17g" % x for x in v[:, k]) + "\n")
        spec = {"file": fname, "ncomp": ncomp, "n_branches": int(cell.total_nbranches),
                "n_compartments": int(len(cell.nodes)),
                "axial_resistivity": RA, "v_init": V_INIT, "channel": "HH (defaults)",
                "delta_t": DT, "t_max": T_MAX, "n_samples": int(v.shape[1]),
                "stimulus": {"branch": stim[0], "comp": stim[1], "amp_nA": amp,
                             "delay_ms": DELAY, "dur_ms": DUR,
                             "stimulus_in_soma_group": bool(
                                 "soma" in cell.nodes.columns and
                                 bool(cell.nodes["soma"].any()))},
                "record": [{"branch": b, "comp": c, "label": label}
                           for (b, c), label in zip(rec, labels)],
                "v_min": float(v.min()), "v_max": float(v.max()),
                "csv": stem + ".csv"}
        with open(os.path.join(HERE, stem + ".json"), "w") as f:
            json.dump(spec, f, indent=1)
        manifest["cases"].append(stem + ".json")
        if not only:  # written after every case, so a partial run leaves a usable manifest
            with open(os.path.join(HERE, "manifest.json"), "w") as f:
                json.dump(manifest, f, indent=1)
        print(f"{fname}: {spec['n_compartments']} comps, v in [{v.min():.2f}, "
              f"{v.max():.2f}], {time.time() - t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()

"""Ranvier vs NEURON 8.2 on reconstructed morphologies (HH everywhere).

    python3 scripts/swc_vs_neuron.py [--ncomp 3] [--files a.swc,b.swc] [--out docs/...md]

Run with the pyenv python3 (jaxley, numpy). It drives
  * Ranvier: `build/ranvier bench --model-file F.json --trace out.npy --backend jit`, one
    call per recording site (the bench contract records one site), model kind "swc"
    (bench/README.md): jx.read_swc(path, ncomp) geometry, Ra 100, cm 1, HH defaults,
    v_init -65 mV with gates at steady state, a step current into the soma (1 nA; 0.01 nA
    for the small synthetic cells in AMP_NA);
  * NEURON: this same file under /usr/bin/python3 with --neuron-worker: Import3d,
    nseg = ncomp in every section, the same HH (bench/neuron_runner.set_hh), Ra 100,
    celsius 6.3, usetable_hh 0, secondorder 0, finitialize(-65), fixed dt 0.025.
Sites are chosen in the Jaxley/Ranvier numbering (stimulus: the first soma compartment;
recordings: it and three distal compartments) and matched to the NEURON segment whose
centre is nearest in 3-d (as Jaxley's own tests/test_swc.py does in later versions).
The number that is compared is Jaxley's criterion: the mean over time of |v_ranvier -
v_neuron| per recording (Jaxley 0.14 test_swc_voltages: < 0.5 mV; later versions < 0.3 mV).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
import models  # noqa: E402

MORPH_DIR = models.MORPH_DIR
FILES = ["morph_ca1_n120.swc", "morph_ca1_n120_single_point_soma.swc",
         "morph_allen_485574832.swc", "arbor_single_cell_allen.swc",
         "morph_l5pc_with_axon.swc", "morph_minimal.swc",
         "morph_3_types_single_point_soma.swc", "morph_somatic_branchpoint.swc"]
V_INIT, AMP, DELAY, DUR, T_MAX = -65.0, 1.0, 5.0, 20.0, 30.0
# Cells with a few hundred um^2 of membrane are driven to hundreds of mV by 1 nA; they get
# the current the Jaxley trace references use for them (tests/reference/swc_traces).
AMP_NA = {"morph_minimal.swc": 0.01, "morph_somatic_branchpoint.swc": 0.01,
          "morph_3_types_single_point_soma.swc": 0.01}


# ----------------------------------------------------------------------------- NEURON side
def neuron_worker(spec_path, out_path):
    saved = sys.argv
    sys.argv = [saved[0]]          # neuron_runner parses sys.argv at import
    import neuron_runner            # noqa: E402  (bench/, NEURON only under /usr/bin/python3)
    sys.argv = saved
    from neuron import h
    spec = models.load(spec_path)
    h.load_file("stdlib.hoc")
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.input(spec["swc"])
    i3d = h.Import3d_GUI(reader, False)
    i3d.instantiate(None)
    secs = list(h.allsec())
    segs, xyz = [], []
    for sec in secs:
        sec.nseg = spec["ncomp"]
        sec.Ra = spec["Ra"]
        sec.cm = spec["cm"]
        neuron_runner.set_hh(sec, spec)
        n = int(h.n3d(sec=sec))
        arc = np.array([h.arc3d(i, sec=sec) for i in range(n)])
        pts = np.array([[h.x3d(i, sec=sec), h.y3d(i, sec=sec), h.z3d(i, sec=sec)]
                        for i in range(n)])
        for seg in sec:
            s = seg.x * sec.L
            xyz.append([np.interp(s, arc, pts[:, k]) for k in range(3)])
            segs.append(seg)
    xyz = np.array(xyz)

    def nearest(p):
        d = np.linalg.norm(xyz - np.asarray(p), axis=1)
        i = int(np.argmin(d))
        return segs[i], float(d[i])

    stim_seg, stim_d = nearest(spec["stim_xyz"])
    ic = h.IClamp(stim_seg)
    ic.amp, ic.delay, ic.dur = (spec["stim"]["amp_nA"], spec["stim"]["delay_ms"],
                                spec["stim"]["dur_ms"])
    recs, sites = [], []
    for p in spec["record_xyz"]:
        seg, d = nearest(p)
        recs.append(h.Vector().record(seg._ref_v))
        sites.append({"segment": f"{seg.sec.name()}({seg.x:.4g})", "distance_um": d})
    h.CVode().active(0)
    h.secondorder = 0
    h.usetable_hh = 0
    h.celsius = spec["celsius"]
    h.dt = spec["dt_ms"]
    h.finitialize(spec["v_init_mV"])
    for _ in range(models.n_steps(spec)):
        h.fadvance()
    out = {"n_sections": len(secs), "n_compartments": int(sum(s.nseg for s in secs)),
           "area_um2": float(sum(seg.area() for seg in segs)),
           "stim": {"segment": f"{stim_seg.sec.name()}({stim_seg.x:.4g})",
                    "distance_um": stim_d},
           "record": sites, "v": [list(r) for r in recs]}
    with open(out_path, "w") as f:
        json.dump(out, f)


# ----------------------------------------------------------------------------- driver
def jaxley_sites(path, ncomp):
    """Stimulus + recording sites (branch, comp) and their xyz, from jx.read_swc."""
    import jax
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platform_name", "cpu")
    import jaxley as jx
    cell = jx.read_swc(path, ncomp=ncomp)
    nodes = cell.nodes
    nb = cell.total_nbranches
    if "soma" in nodes.columns and bool(nodes["soma"].any()):
        sb = int(min(nodes[nodes["soma"] == True]["global_branch_index"]))  # noqa: E712
    else:
        sb = 0
    rec = [(sb, 0)]
    for bc in [(nb - 1, ncomp - 1), (nb // 2, ncomp - 1), (0, ncomp - 1)]:
        if bc not in rec:
            rec.append(bc)

    def xyz(b, c):
        row = nodes[(nodes["global_branch_index"] == b) & (nodes["local_comp_index"] == c)]
        return [float(row[k].iloc[0]) for k in ("x", "y", "z")]
    return rec[0], rec, [xyz(*bc) for bc in rec], len(nodes), float(nodes["area"].sum())


def run_file(fname, ncomp, ranvier, tmp):
    path = os.path.join(MORPH_DIR, fname)
    stim, rec, rec_xyz, n_jx, area_jx = jaxley_sites(path, ncomp)
    spec = models._base(f"swc:{path}:{ncomp}", T_MAX)
    spec.update({"kind": "swc", "swc": path, "ncomp": ncomp, "v_init_mV": V_INIT,
                 "stim": models.stim(stim[0], stim[1], AMP_NA.get(fname, AMP), DELAY, DUR),
                 "stim_xyz": rec_xyz[0], "record_xyz": rec_xyz})
    stem = os.path.join(tmp, os.path.splitext(fname)[0])
    # Ranvier, one run per recording site
    v_rv = []
    for k, (b, c) in enumerate(rec):
        spec["record"] = {"section": b, "seg": c}
        mf = f"{stem}_{k}.json"
        with open(mf, "w") as f:
            json.dump(spec, f)
        npy = f"{stem}_{k}.npy"
        r = subprocess.run([ranvier, "bench", "--model", spec["name"], "--model-file", mf,
                            "--trace", npy, "--backend", "jit"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"ranvier bench failed: {r.stderr[-2000:]}")
        info = json.loads(r.stdout.strip().splitlines()[-1])
        v_rv.append(np.load(npy))
    # NEURON
    out = f"{stem}_neuron.json"
    r = subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--neuron-worker",
                        mf, out], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"NEURON worker failed: {r.stderr[-2000:]}")
    with open(out) as f:
        nrn = json.load(f)
    rows = []
    for k, (b, c) in enumerate(rec):
        vn = np.asarray(nrn["v"][k])
        vr = v_rv[k]
        if len(vn) != len(vr):
            raise RuntimeError(f"{fname}: {len(vn)} NEURON vs {len(vr)} Ranvier samples")
        rows.append({"site": f"b{b}c{c}", "neuron": nrn["record"][k]["segment"],
                     "match_um": nrn["record"][k]["distance_um"],
                     "mean_abs_mV": float(np.mean(np.abs(vr - vn))),
                     "max_abs_mV": float(np.max(np.abs(vr - vn))),
                     "spikes_ranvier": len(models.spikes(vr, spec["dt_ms"])),
                     "spikes_neuron": len(models.spikes(vn, spec["dt_ms"]))})
    return {"file": fname, "ncomp": ncomp, "n_comp_ranvier": info["n_compartments"],
            "n_comp_jaxley": n_jx, "n_comp_neuron": nrn["n_compartments"],
            "n_sections_neuron": nrn["n_sections"], "area_neuron_um2": nrn["area_um2"],
            "area_jaxley_um2": area_jx,
            "stim_ranvier": f"b{stim[0]}c{stim[1]}", "stim_neuron": nrn["stim"]["segment"],
            "stim_match_um": nrn["stim"]["distance_um"], "rows": rows}


def markdown(results, cmd, ncomp):
    L = ["# Ranvier vs NEURON 8.2 on reconstructed morphologies", "",
         f"Generated by `{cmd}` ({time.strftime('%Y-%m-%d')}).", "",
         "Both: HH everywhere (gNa 0.12, gK 0.036, gLeak 0.0003 S/cm^2, eNa 50, eK -77, "
         "eLeak -54.3 mV), Ra 100 ohm cm, cm 1 uF/cm^2, v_init -65 mV with gates at steady "
         f"state, backward Euler, dt 0.025 ms, t_max {T_MAX:g} ms, a step current from "
         f"{DELAY:g} to {DELAY + DUR:g} ms into the first soma compartment ({AMP:g} nA; "
         "the small synthetic cells get less, see the `stim nA` column). "
         f"Ranvier: `read_swc(path, ncomp={ncomp})` (Jaxley's reader and geometry), JIT "
         f"backend. NEURON: Import3d, nseg = {ncomp} per section, celsius 6.3, "
         "usetable_hh 0, secondorder 0, fadvance loop.", "",
         "Sites are picked in Ranvier's (= Jaxley's) numbering, `bBcC` = branch B comp C, "
         "and matched to the NEURON segment whose centre is nearest in 3-d (`match um` = "
         "that distance). Criterion (Jaxley's own NEURON comparison, "
         "`tests/test_swc.py::test_swc_voltages`): mean over time of |v_ranvier - v_neuron| "
         "per recording < 0.5 mV (Jaxley 0.14; newer Jaxley: < 0.3 mV).", "",
         "**The two simulators segment the morphology differently**: Jaxley/Ranvier make "
         "one branch per unbranched SWC path (somata handled Jaxley's way) with ncomp "
         "equal compartments of frustum geometry; Import3d makes its own sections (soma "
         "as a separate section or contour, different splitting at the soma) with nseg "
         "segments whose diam is sampled from the 3-d points. Compartment counts differ "
         "(table), so the traces agree only to discretisation error, not to round-off.", "",
         "| file | comps Ranvier (= Jaxley) | comps NEURON (sections) | membrane um^2 Jaxley / NEURON | stim nA | stim Ranvier -> NEURON (match um) |",
         "|---|--:|--:|--:|--:|---|"]
    for r in results:
        if "error" in r:
            continue
        L.append(f"| {r['file']} | {r['n_comp_ranvier']} ({r['n_comp_jaxley']}) | "
                 f"{r['n_comp_neuron']} ({r['n_sections_neuron']}) | {r['area_jaxley_um2']:.1f} / {r['area_neuron_um2']:.1f} | "
                 f"{AMP_NA.get(r['file'], AMP):g} | {r['stim_ranvier']} -> "
                 f"{r['stim_neuron']} ({r['stim_match_um']:.2f}) |")
    L += ["", "| file | site | NEURON segment | match um | mean abs mV | max abs mV | "
          "spikes R/N | < 0.5 | < 0.3 |", "|---|---|---|--:|--:|--:|--:|:-:|:-:|"]
    for r in results:
        if "error" in r:
            L.append(f"| {r['file']} | failed: {r['error']} | | | | | | | |")
            continue
        for s in r["rows"]:
            L.append(f"| {r['file']} | {s['site']} | {s['neuron']} | {s['match_um']:.2f} | "
                     f"{s['mean_abs_mV']:.3f} | {s['max_abs_mV']:.2f} | "
                     f"{s['spikes_ranvier']}/{s['spikes_neuron']} | "
                     f"{'yes' if s['mean_abs_mV'] < 0.5 else 'NO'} | "
                     f"{'yes' if s['mean_abs_mV'] < 0.3 else 'NO'} |")
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--neuron-worker", nargs=2, metavar=("SPEC", "OUT"))
    ap.add_argument("--ncomp", type=int, default=3)
    ap.add_argument("--files", default=",".join(FILES))
    ap.add_argument("--ranvier", default=os.path.join(REPO, "build", "ranvier"))
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "swc_neuron_comparison.md"))
    ap.add_argument("--json", help="also write the raw numbers here")
    a = ap.parse_args()
    if a.neuron_worker:
        neuron_worker(*a.neuron_worker)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for fname in a.files.split(","):
            t0 = time.time()
            try:
                res = run_file(fname, a.ncomp, a.ranvier, tmp)
            except Exception as e:  # report and go on
                res = {"file": fname, "error": f"{type(e).__name__}: {e}"[:300]}
            results.append(res)
            worst = max((s["mean_abs_mV"] for s in res.get("rows", [])), default=None)
            print(f"{fname}: worst mean abs {worst} mV ({time.time() - t0:.0f}s)",
                  flush=True)
    cmd = "python3 scripts/swc_vs_neuron.py" + \
        ("" if a.ncomp == 3 else f" --ncomp {a.ncomp}") + \
        ("" if a.files == ",".join(FILES) else f" --files {a.files}")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(markdown(results, cmd, a.ncomp))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

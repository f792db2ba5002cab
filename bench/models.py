"""Benchmark model descriptions shared by every system (NEURON, Jaxley, Ranvier).

One model = one plain JSON-serialisable dict ("spec").  compare.py writes each spec
to ``bench/out/<file>.json``; the NEURON runner, the Jaxley runner and
``ranvier bench --model-file`` all build their model from that file, so every system
simulates the same thing.  Units: um, ohm cm, uF/cm^2, S/cm^2, mV, nA, ms.

This module must import under both Pythons (Debian /usr/bin/python3 with NEURON and
the pyenv python3 with Jaxley): standard library + numpy only.

Two kinds of spec (see bench/README.md for the full format):

* ``"kind": "tree"`` -- cylindrical sections given by a ``parents`` array
  (section s's 0-end is attached to the 1-end of section parents[s]; -1 = root),
  ``length_um``/``radius_um`` per section and ``nseg`` compartments per section.
  In Jaxley terms: ``Cell(Branch(Compartment(), nseg), parents)`` with
  branch(s) length = length_um[s] / nseg *per compartment*.
* ``"kind": "swc"`` -- a morphology file read with Jaxley's ``read_swc(path, ncomp)``
  (Ranvier reproduces that reader); NEURON uses Import3d with nseg = ncomp, so
  the compartment counts and areas differ slightly (reported, not hidden).
"""

import json
import math
import os

import numpy as np

DT_MS = 0.025
V_INIT_MV = -70.0
CELSIUS = 6.3          # q10 of hh.mod = 1, i.e. Jaxley's HH rates
RA_OHM_CM = 100.0
CM_UF_PER_CM2 = 1.0

# hh.mod defaults == Jaxley HH defaults
HH = {"gNa": 0.12, "gK": 0.036, "gLeak": 0.0003,
      "eNa": 50.0, "eK": -77.0, "eLeak": -54.3}

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
OUT_DIR = os.path.join(BENCH_DIR, "out")
MORPH_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "morphologies"))
DEFAULT_SWC = os.path.join(MORPH_DIR, "morph_ca1_n120.swc")

# Where to put the soma electrode for SWC files we know.  "section"/"seg" use the
# Jaxley (= Ranvier) numbering of read_swc: branch index, compartment within branch.
# "neuron" names the Import3d section and x of the matching NEURON segment.
# For morph_ca1_n120 with ncomp 4: Jaxley branch 17 is the soma chain
# SWC 1 -> 852 -> 853 -> 854 (L 8.32 um), traced from sample 1, so its comp 0 is at
# the root sample; in NEURON that chain is soma[1] (0-end at sample 1).
SWC_SITES = {
    "morph_ca1_n120.swc": {"section": 17, "seg": 0,
                           "neuron": {"section": "soma[1]", "seg": 0}},
}


def _base(name, t_max_ms):
    return {
        "name": name,
        "t_max_ms": float(t_max_ms),
        "dt_ms": DT_MS,
        "v_init_mV": V_INIT_MV,
        "init": "steady_state",          # gates at their steady state for v_init
        "celsius": CELSIUS,
        "Ra": RA_OHM_CM,
        "Ra_ohm_cm": RA_OHM_CM,        # alias of "Ra" (bench/tree127.json's key)
        "cm": CM_UF_PER_CM2,
        "hh": dict(HH),
        "solver": "bwd_euler",
    }


def tree_spec(name, parents, length_um, radius_um, nseg, stim, t_max_ms,
              record=None):
    spec = _base(name, t_max_ms)
    spec.update({
        "kind": "tree",
        "parents": [int(p) for p in parents],
        "length_um": [float(x) for x in length_um],
        "radius_um": [float(x) for x in radius_um],
        "nseg": int(nseg),
        "stim": dict(stim),
        "record": dict(record or {"section": stim["section"], "seg": stim["seg"]}),
    })
    spec["n_compartments"] = len(spec["parents"]) * spec["nseg"]
    return spec


def stim(section, seg, amp_nA, delay_ms, dur_ms):
    return {"section": int(section), "seg": int(seg), "amp_nA": float(amp_nA),
            "delay_ms": float(delay_ms), "dur_ms": float(dur_ms)}


def bintree_geometry(depth, seed=0):
    """Full binary tree of ``depth`` levels, 2**depth - 1 sections numbered
    breadth-first (children of s are 2s+1, 2s+2).  Same random stream as
    make_refs.binary_tree_sections: first all lengths ~ U(100, 300) rounded to
    1 um, then all radii ~ U(0.5, 1.5) rounded to 0.01 um, from
    np.random.default_rng(seed)."""
    nsec = 2 ** depth - 1
    rng = np.random.default_rng(seed)
    lengths = np.round(rng.uniform(100.0, 300.0, nsec))
    radii = np.round(rng.uniform(0.5, 1.5, nsec), 2)
    parents = [-1] + [(s - 1) // 2 for s in range(1, nsec)]
    return parents, lengths.tolist(), radii.tolist()


def single(t_max_ms=100.0):
    """One HH compartment, L 10 um, r 1 um; 0.03 nA (about 48 uA/cm^2) from 1 to
    81 ms: a regular spike train (case1 of the NEURON references, stretched)."""
    return tree_spec("single", [-1], [10.0], [1.0], 1,
                     stim(0, 0, 0.03, 1.0, 80.0), t_max_ms)


def bintree(depth, nseg=8, t_max_ms=100.0, name=None):
    parents, lengths, radii = bintree_geometry(depth)
    return tree_spec(name or f"bintree:{depth}:{nseg}", parents, lengths, radii,
                     nseg, stim(0, 0, 0.2, 1.0, 80.0), t_max_ms)


def tree127(t_max_ms=100.0):
    """case5_tree127_hh_bwd_euler of make_refs.py: depth 7, 127 sections x 8."""
    return bintree(7, 8, t_max_ms, name="tree127")


def swc(path=DEFAULT_SWC, ncomp=4, t_max_ms=100.0, amp_nA=1.0):
    site = SWC_SITES.get(os.path.basename(path))
    if site is None:
        raise ValueError(f"no electrode site known for {path}; add it to "
                         "models.SWC_SITES")
    spec = _base(f"swc:{path}:{ncomp}", t_max_ms)
    spec.update({
        "kind": "swc",
        "swc": os.path.abspath(path),
        "ncomp": int(ncomp),
        "stim": stim(site["section"], site["seg"], amp_nA, 1.0, 80.0),
        "record": {"section": site["section"], "seg": site["seg"]},
        "neuron_site": dict(site["neuron"]),
    })
    return spec


def by_name(name, t_max_ms=100.0):
    """'single' | 'tree127' | 'bintree:<depth>:<nseg>' | 'swc:<path>:<ncomp>'."""
    if name == "single":
        return single(t_max_ms)
    if name == "tree127":
        return tree127(t_max_ms)
    if name.startswith("bintree:"):
        _, d, n = name.split(":")
        return bintree(int(d), int(n), t_max_ms)
    if name.startswith("swc:"):
        path, ncomp = name[4:].rsplit(":", 1)
        return swc(path, int(ncomp), t_max_ms)
    raise ValueError(f"unknown model name {name!r}")


def file_stem(spec):
    n = spec["name"]
    if n.startswith("bintree:"):
        _, d, k = n.split(":")
        return f"bintree_{d}_{k}"
    if n.startswith("swc:"):
        return "swc_" + os.path.splitext(os.path.basename(spec["swc"]))[0] + \
            f"_{spec['ncomp']}"
    return n


def write(spec, out_dir=OUT_DIR):
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, file_stem(spec) + ".json")
    with open(path, "w") as f:
        json.dump(spec, f, indent=1)
    return path


def load(path):
    with open(path) as f:
        return json.load(f)


def n_steps(spec):
    """Jaxley's number of steps T = int(t_max // dt + 1) (Python float floor
    division); the trace has T + 1 samples.  For dt = 0.025 and t_max a multiple
    of it, T = t_max/dt (because 0.025 is stored slightly too large)."""
    return int(spec["t_max_ms"] // spec["dt_ms"] + 1)


def batch_scales(B):
    """Per-lane factor on HH_gNa for batch runs (the same in every system):
    lane b of B gets 0.9 + 0.2 * b / (B - 1); B = 1 gets 1.0."""
    if B == 1:
        return [1.0]
    return [0.9 + 0.2 * b / (B - 1) for b in range(B)]


def step_current_window(spec):
    """Steps k (k -> k+1) during which the electrode is on, by jaxley's
    step_current: int(delay/dt) <= k < int((delay+dur)/dt)."""
    s, dt = spec["stim"], spec["dt_ms"]
    return int(s["delay_ms"] / dt), int((s["delay_ms"] + s["dur_ms"]) / dt)


def spikes(trace, dt, thr=0.0):
    v = np.asarray(trace, dtype=float)
    up = np.nonzero((v[:-1] < thr) & (v[1:] >= thr))[0]
    return [float((i + (thr - v[i]) / (v[i + 1] - v[i])) * dt) for i in up]


def isfinite_trace(trace):
    return bool(np.all(np.isfinite(np.asarray(trace, dtype=float))))


if __name__ == "__main__":  # print a model spec summary
    import sys
    for nm in sys.argv[1:] or ["single", "tree127", "bintree:3:8"]:
        sp = by_name(nm)
        print(nm, sp["kind"], sp.get("n_compartments"), "steps", n_steps(sp),
              "window", step_current_window(sp), math.fsum(sp.get("length_um", [0])))

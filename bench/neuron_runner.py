#!/usr/bin/python3
"""Build one benchmark model in NEURON, time it, print one JSON object.

Run with the Python that has NEURON (Debian: /usr/bin/python3)::

    /usr/bin/python3 bench/neuron_runner.py --model-file bench/out/tree127.json \
        [--model-file MORE.json ...] [--repeats 3] [--budget-s 30] \
        [--variants fadvance,fadvance_ce,psolve_ce] [--trace-dir DIR]

Prints one JSON object per model, one per line (``{"error": ...}`` for a model
that failed).

Settings: fixed step (CVode off), secondorder 0 (implicit Euler), usetable_hh 0
(exact rate functions, as Jaxley's HH), celsius 6.3 (q10 = 1), v_init from the
spec, gates at steady state (finitialize).  Timed region per run: finitialize +
all fadvance steps (n_steps = Jaxley's T), with the recorded voltage vector
attached.  Variants:

* ``fadvance``    -- Python loop of h.fadvance(), cache_efficient(0)
* ``fadvance_ce`` -- same with h.CVode().cache_efficient(1)
* ``psolve_ce``   -- cache_efficient(1), the step loop in C:
  ParallelContext().psolve(t_stop)
  (no Python per step; matters for tiny models)

Each variant: best of up to --repeats runs (stops early once --budget-s of
wall time was spent on that variant; at least one run).  The JSON has one entry
per variant (best wall s, cpu s of that run, all runs) and "best" = the fastest.
With --trace-dir, the trace (v at the recording site, n_steps + 1 samples, row
0 = v_init, float64 .npy) goes to <dir>/<stem>_neuron.npy; all variants' traces
are checked to agree ("variants_max_abs_diff_mV").
"""

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")

import numpy as np  # noqa: E402
import neuron  # noqa: E402
from neuron import h  # noqa: E402


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402


def set_hh(sec, spec):
    p = spec["hh"]
    sec.insert("hh")
    sec.gnabar_hh = p["gNa"]
    sec.gkbar_hh = p["gK"]
    sec.gl_hh = p["gLeak"]
    sec.el_hh = p["eLeak"]
    sec.ena = p["eNa"]
    sec.ek = p["eK"]


class Built:
    """A spec instantiated in NEURON (sections live as long as this object)."""

    def __init__(self, spec):
        self.spec = spec
        if spec["kind"] == "tree":
            self._build_tree(spec)
        elif spec["kind"] == "swc":
            self._build_swc(spec)
        else:
            raise ValueError(f"unknown model kind {spec['kind']!r}")
        for sec in self.secs:
            sec.Ra = spec["Ra"]
            sec.cm = spec["cm"]
            set_hh(sec, spec)
        self.n_compartments = sum(sec.nseg for sec in self.secs)
        self.area_um2 = float(sum(seg.area() for sec in self.secs for seg in sec))
        st = spec["stim"]
        self.iclamp = h.IClamp(self.stim_seg)
        self.iclamp.amp = st["amp_nA"]
        self.iclamp.delay = st["delay_ms"]
        self.iclamp.dur = st["dur_ms"]
        self.vrec = h.Vector().record(self.rec_seg._ref_v)
        self.pc = h.ParallelContext()   # psolve: the fixed-step loop in C
        self.pc.set_maxstep(10)

    def _build_tree(self, spec):
        nseg = spec["nseg"]
        self.secs = []
        for s, (par, L, r) in enumerate(zip(spec["parents"], spec["length_um"],
                                            spec["radius_um"])):
            sec = h.Section(name=f"s{s}")
            sec.nseg = nseg
            sec.L = L
            sec.diam = 2.0 * r
            if par >= 0:
                sec.connect(self.secs[par](1.0), 0.0)
            self.secs.append(sec)

        def seg(site):
            sec = self.secs[site["section"]]
            return sec((site["seg"] + 0.5) / sec.nseg)
        self.stim_seg = seg(spec["stim"])
        self.rec_seg = seg(spec["record"])
        self.site_names = {k: f"s{spec[k]['section']}[seg {spec[k]['seg']}]"
                           for k in ("stim", "record")}

    def _build_swc(self, spec):
        h.load_file("stdlib.hoc")
        h.load_file("import3d.hoc")
        reader = h.Import3d_SWC_read()
        reader.input(spec["swc"])
        self._i3d = h.Import3d_GUI(reader, False)
        self._i3d.instantiate(None)
        self.secs = list(h.allsec())
        for sec in self.secs:
            sec.nseg = spec["ncomp"]
        site = spec["neuron_site"]
        sec = next(s for s in self.secs if s.name() == site["section"])
        self.stim_seg = self.rec_seg = sec((site["seg"] + 0.5) / sec.nseg)
        self.site_names = {"stim": f"{sec.name()}({self.stim_seg.x})",
                           "record": f"{sec.name()}({self.rec_seg.x})"}
        self.n_sections = len(self.secs)

    def run(self, variant, n_steps):
        spec = self.spec
        h.CVode().active(0)
        h.CVode().cache_efficient(0 if variant == "fadvance" else 1)
        h.secondorder = 0
        h.usetable_hh = 0
        h.celsius = spec["celsius"]
        h.dt = spec["dt_ms"]
        t_stop = n_steps * spec["dt_ms"]
        w0, c0 = time.perf_counter(), time.process_time()
        h.finitialize(spec["v_init_mV"])
        if variant == "psolve_ce":
            self.pc.psolve(t_stop)
        else:
            for _ in range(n_steps):
                h.fadvance()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        v = np.array(self.vrec)
        return v, wall, cpu


def run_model(path):
    spec = models.load(path)
    n_steps = models.n_steps(spec)
    tb = time.perf_counter()
    m = Built(spec)
    build_s = time.perf_counter() - tb

    out = {"system": "neuron", "model": spec["name"], "model_file": path,
           "neuron_version": neuron.__version__,
           "python": f"{sys.executable} {platform.python_version()}",
           "n_compartments": m.n_compartments, "n_sections": len(m.secs),
           "area_um2": m.area_um2, "n_steps": n_steps, "batch": 1,
           "build_s": build_s, "compile_s": 0.0, "sites": m.site_names,
           "variants": {}}
    ref = None
    max_diff = 0.0
    for variant in args.variants.split(","):
        runs = []
        spent = 0.0
        for _ in range(max(1, args.repeats)):
            v, wall, cpu = m.run(variant, n_steps)
            if len(v) != n_steps + 1:
                raise RuntimeError(f"{variant}: {len(v)} samples, expected "
                                   f"{n_steps + 1}")
            runs.append({"wall_s": wall, "cpu_s": cpu})
            spent += wall
            if ref is None:
                ref = v.copy()
            else:
                max_diff = max(max_diff, float(np.max(np.abs(v - ref))))
            if spent >= args.budget_s:
                break
        best = min(runs, key=lambda r: r["wall_s"])
        out["variants"][variant] = {"run_s": best["wall_s"], "cpu_s": best["cpu_s"],
                                    "runs": runs}
    bv = min(out["variants"], key=lambda k: out["variants"][k]["run_s"])
    best = out["variants"][bv]
    work = m.n_compartments * n_steps
    out.update({"best_variant": bv, "run_s": best["run_s"], "cpu_s": best["cpu_s"],
                "comp_steps_per_s": work / best["run_s"],
                "ns_per_comp_step": best["run_s"] / work * 1e9,
                "variants_max_abs_diff_mV": max_diff,
                "spikes_ms": models.spikes(ref, spec["dt_ms"]),
                "finite": models.isfinite_trace(ref)})
    if args.trace_dir:
        p = os.path.join(args.trace_dir, f"{models.file_stem(spec)}_neuron.npy")
        np.save(p, ref)
        out["trace"] = os.path.abspath(p)
    del m
    for sec in list(h.allsec()):  # Import3d's sections are owned by hoc
        h.delete_section(sec=sec)
    return out


def main():
    if args.version:
        print(json.dumps({"neuron_version": neuron.__version__}))
        return
    if args.trace_dir:
        os.makedirs(args.trace_dir, exist_ok=True)
    for path in args.model_file or []:
        try:
            out = run_model(path)
        except Exception as e:  # report and go on with the next model
            out = {"system": "neuron", "model_file": path,
                   "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-file", action="append",
                    help="repeatable: several models in one process")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--budget-s", type=float, default=30.0,
                    help="stop repeating a variant after this much wall time")
    ap.add_argument("--variants", default="fadvance,fadvance_ce,psolve_ce")
    ap.add_argument("--trace-dir", help="write traces here as .npy")
    ap.add_argument("--version", action="store_true")
    return ap.parse_args()


args = parse()


if __name__ == "__main__":
    main()

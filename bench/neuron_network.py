#!/usr/bin/env python3
"""The network of bench/bench_network.cpp and bench/jaxley_network.py in NEURON 8.2, for the
side-by-side numbers in bench/README.md ("Networks").

    PY bench/neuron_network.py N_CELLS N_SYNAPSES T_MAX_MS [--trace FILE.npy] [--order jaxley|neuron]

PY is a Python whose NEURON can compile mechanisms (nrnivmodl next to it), e.g. a venv
with `pip install "neuron==8.2.*"` (Debian's python3-neuron has no nrnivmodl).
bench/neuron_mod/ionotropic_synapse.mod (Jaxley's IonotropicSynapse) is compiled once into
bench/out/nrnmech/ (again when the .mod is newer than the library).

N cells of 10 sections x nseg 10 (parents -1,0,0,1,1,2,2,3,3,4; a child's 0-end on its
parent's 1-end), each section L 100 um, diam 2 um, Ra 5000 ohm cm, cm 1 uF/cm^2 (Jaxley's
default compartment: length 10 um, radius 1 um), hh everywhere with Jaxley's HH parameters,
celsius 6.3 (q10 = 1), exact rates (usetable_hh 0 where the build has tables).
IonotropicSynapses (gS 2e-4 uS) from section 0 segment 0 of cell i onto section 0 segment 0
of cell j wherever np.random.default_rng(1234).random((N, N)) < N_SYNAPSES / N^2: the same
draw as jaxley_network.py, so the same network (Ranvier's bench_network draws with
sparse_connect, the sizes match). IClamp 0.5 nA, 1-6 ms, into section 0 segment 0 of every
10th cell; v recorded there in the first 10 cells. dt 0.025 ms, fixed step, backward Euler
(secondorder 0), CVode().cache_efficient(1), T = int(t_max // dt + 1) steps by
ParallelContext().psolve (the step loop in C).

Initial state (--order jaxley, default): v -70 mV, synapse s = 0.2, and the HH gates one
Jaxley gate update from 0.2 at -70 mV. Jaxley updates gates from the voltages at the start
of a step and then solves for v; NEURON's hh solves first and updates the gates with the new
voltages, so NEURON's gates lag Jaxley's by one update; starting them one update ahead
makes the two sequences the same (the synapse mechanism updates s before the current
evaluation itself, see the .mod). --order neuron: gates and s start at 0.2 and s is updated
after the solve (NEURON's usual order).

Prints one JSON line: build (Python model construction and synapse wiring), compile
(nrnivmodl, 0 when cached), run (finitialize + all steps) and peak resident memory.
"""
import argparse
import glob
import json
import os
import platform
import resource
import subprocess
import sys
import time

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")

import numpy as np  # noqa: E402
import neuron  # noqa: E402
from neuron import h  # noqa: E402

BENCH = os.path.dirname(os.path.abspath(__file__))
MOD_DIR = os.path.join(BENCH, "neuron_mod")
BUILD_DIR = os.path.join(BENCH, "out", "nrnmech")
DT = 0.025
V_INIT = -70.0
HH = {"gNa": 0.12, "gK": 0.036, "gLeak": 0.0003, "eNa": 50.0, "eK": -77.0, "eLeak": -54.3}
PARENTS = [-1, 0, 0, 1, 1, 2, 2, 3, 3, 4]
NSEG = 10


def mech_library():
    """Compile bench/neuron_mod/*.mod into bench/out/nrnmech (if needed); return the .so path."""
    mods = sorted(glob.glob(os.path.join(MOD_DIR, "*.mod")))
    arch = platform.machine()

    def find():
        for p in (os.path.join(BUILD_DIR, arch, ".libs", "libnrnmech.so"),
                  os.path.join(BUILD_DIR, arch, "libnrnmech.so")):
            if os.path.exists(p):
                return p
        return None

    lib = find()
    if lib and os.path.getmtime(lib) >= max(os.path.getmtime(m) for m in mods):
        return lib, 0.0
    t0 = time.perf_counter()
    os.makedirs(BUILD_DIR, exist_ok=True)
    env = dict(os.environ)
    # The PyPI wheels' nocmodl looks for its units table at the build machine's path.
    units = os.path.join(os.path.dirname(neuron.__file__), ".data", "share", "nrn", "lib", "nrnunits.lib")
    if "MODLUNIT" not in env and os.path.exists(units):
        env["MODLUNIT"] = units
    nrnivmodl = os.path.join(os.path.dirname(sys.executable), "nrnivmodl")
    if not os.path.exists(nrnivmodl):
        nrnivmodl = "nrnivmodl"
    r = subprocess.run([nrnivmodl, MOD_DIR], cwd=BUILD_DIR, env=env, capture_output=True, text=True)
    lib = find()
    if r.returncode != 0 or lib is None:
        raise RuntimeError(f"nrnivmodl failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return lib, time.perf_counter() - t0


def gate_update(x, v, dt):
    """One of Jaxley's HH gate updates (solve_gate_exponential) of x at voltage v."""
    def vtrap(a, b):
        return a / (np.exp(a / b) - 1.0)
    rates = {"m": (0.1 * vtrap(-(v + 40), 10), 4.0 * np.exp(-(v + 65) / 18)),
             "h": (0.07 * np.exp(-(v + 65) / 20), 1.0 / (np.exp(-(v + 35) / 10) + 1)),
             "n": (0.01 * vtrap(-(v + 55), 10), 0.125 * np.exp(-(v + 65) / 80))}
    out = {}
    for g, (alpha, beta) in rates.items():
        tau = 1 / (alpha + beta)
        e = np.exp(-dt / tau)
        out[g] = x * e + alpha * tau * (1.0 - e)
    return out


class Net:
    def __init__(self, n_cells, n_syn, order):
        self.cells = []
        for c in range(n_cells):
            secs = []
            for b, par in enumerate(PARENTS):
                sec = h.Section(name=f"c{c}b{b}")
                sec.nseg = NSEG
                sec.L = 10.0 * NSEG
                sec.diam = 2.0
                sec.Ra = 5000.0
                sec.cm = 1.0
                sec.insert("hh")
                sec.gnabar_hh = HH["gNa"]
                sec.gkbar_hh = HH["gK"]
                sec.gl_hh = HH["gLeak"]
                sec.el_hh = HH["eLeak"]
                sec.ena = HH["eNa"]
                sec.ek = HH["eK"]
                if par >= 0:
                    sec.connect(secs[par](1.0), 0.0)
                secs.append(sec)
            self.cells.append(secs)
        self.sites = [secs[0](0.5 / NSEG) for secs in self.cells]  # branch 0, comp 0
        p = min(1.0, n_syn / n_cells**2)
        matrix = np.random.default_rng(1234).random((n_cells, n_cells)) < p
        self.syns = []
        for i, j in zip(*np.where(matrix)):
            syn = h.IonotropicSynapse(self.sites[j])
            h.setpointer(self.sites[i]._ref_v, "vpre", syn)
            syn.gS = 2e-4  # uS
            syn.jaxley_order = 1 if order == "jaxley" else 0
            self.syns.append(syn)
        self.stims = []
        for c in range(0, n_cells, 10):
            ic = h.IClamp(self.sites[c])
            ic.delay, ic.dur, ic.amp = 1.0, 5.0, 0.5  # ms, ms, nA
            self.stims.append(ic)
        self.recs = [h.Vector().record(seg._ref_v) for seg in self.sites[:10]]
        self.order = order
        self.pc = h.ParallelContext()
        self.pc.set_maxstep(10)

    def run(self, n_steps):
        h.CVode().active(0)
        h.CVode().cache_efficient(1)
        h.secondorder = 0
        if hasattr(h, "usetable_hh"):
            h.usetable_hh = 0
        h.celsius = 6.3
        h.dt = DT
        h.finitialize(V_INIT)
        g = gate_update(0.2, V_INIT, DT) if self.order == "jaxley" else {"m": 0.2, "h": 0.2, "n": 0.2}
        for secs in self.cells:
            for sec in secs:
                sec.m_hh, sec.h_hh, sec.n_hh = g["m"], g["h"], g["n"]
        self.pc.psolve(n_steps * DT)
        return np.array([np.array(r) for r in self.recs])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n_cells", type=int, nargs="?", default=10)
    ap.add_argument("n_synapses", type=float, nargs="?", default=None)
    ap.add_argument("t_max", type=float, nargs="?", default=10.0)
    ap.add_argument("--trace", help="save the recorded v (10 x (T + 1), mV) as .npy")
    ap.add_argument("--order", choices=["jaxley", "neuron"], default="jaxley")
    a = ap.parse_args()
    n_syn = 100 * a.n_cells if a.n_synapses is None else a.n_synapses
    n_steps = int(a.t_max // DT + 1)  # Jaxley's T

    lib, compile_s = mech_library()
    if not hasattr(h, "IonotropicSynapse"):
        h.nrn_load_dll(lib)
    t0 = time.perf_counter()
    net = Net(a.n_cells, n_syn, a.order)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    v = net.run(n_steps)
    run_s = time.perf_counter() - t0
    if v.shape[1] != n_steps + 1:
        raise RuntimeError(f"{v.shape[1]} samples, expected {n_steps + 1}")
    if a.trace:
        np.save(a.trace, v)
    print(json.dumps({"system": "neuron", "cells": a.n_cells, "compartments": a.n_cells * len(PARENTS) * NSEG,
                      "synapses": len(net.syns), "t_max_ms": a.t_max, "steps": n_steps, "order": a.order,
                      "build_s": round(build_s, 3), "compile_s": round(compile_s, 3), "run_s": round(run_s, 3),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "neuron": neuron.__version__}))


if __name__ == "__main__":
    main()

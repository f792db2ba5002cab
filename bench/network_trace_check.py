#!/usr/bin/env python3
"""NEURON vs Jaxley vs Ranvier on one small network of bench/bench_network.cpp, traces
compared sample by sample (bench/README.md, "Networks").

    PY bench/network_trace_check.py [--cells 10] [--synapses 30] [--t-max 100] \
        [--neuron-python NPY] [--systems ranvier,jaxley,neuron] [--order jaxley]

PY has jaxley and ranvier (build/venv/bin/python); NPY has NEURON with nrnivmodl
(default build/neuron-venv/bin/python). All three get the same network: the connectivity
matrix of jaxley_network.py / neuron_network.py (numpy seed 1234; Ranvier through its Python
API's connectivity_matrix_connect), HH gates and synapse states at Jaxley's initial 0.2,
v recorded at branch 0 comp 0 of the first 10 cells. Prints, for each pair, the largest
|v difference| over all samples and the largest difference of the spike times (upward
crossings of 0 mV, linearly interpolated; the spike counts must match).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DT = 0.025


def build(jx, connectivity_matrix_connect, IonotropicSynapse, HH, n_cells, n_syn, t_max):
    cell = jx.Cell(jx.Branch(jx.Compartment(), 10), parents=[-1, 0, 0, 1, 1, 2, 2, 3, 3, 4])
    cell.insert(HH())
    net = jx.Network([cell] * n_cells)
    p = min(1.0, n_syn / n_cells**2)
    matrix = np.random.default_rng(1234).random((n_cells, n_cells)) < p
    connectivity_matrix_connect(net.cell("all"), net.cell("all"), IonotropicSynapse(), matrix)
    net.IonotropicSynapse.set("IonotropicSynapse_gS", 2e-4)  # uS (both APIs)
    current = jx.step_current(1.0, 5.0, 0.5, DT, t_max)
    for c in range(0, n_cells, 10):
        net.cell(c).branch(0).comp(0).stimulate(current, verbose=False)
    for c in range(min(n_cells, 10)):
        net.cell(c).branch(0).comp(0).record("v", verbose=False)
    return net, int(matrix.sum())


def run_jaxley(n_cells, n_syn, t_max):
    import jax
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platform_name", "cpu")
    import jaxley as jx
    from jaxley.channels import HH
    from jaxley.connect import connectivity_matrix_connect
    from jaxley.synapses import IonotropicSynapse
    net, _ = build(jx, connectivity_matrix_connect, IonotropicSynapse, HH, n_cells, n_syn, t_max)
    return np.asarray(jx.integrate(net, delta_t=DT, t_max=t_max))


def run_ranvier(n_cells, n_syn, t_max):
    import ranvier as rv
    from ranvier.channels import HH
    from ranvier.synapses import IonotropicSynapse
    net, _ = build(rv, rv.connectivity_matrix_connect, IonotropicSynapse, HH, n_cells, n_syn, t_max)
    return np.asarray(rv.integrate(net, delta_t=DT, t_max=t_max))


def run_neuron(py, n_cells, n_syn, t_max, order):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "v.npy")
        r = subprocess.run([py, os.path.join(REPO, "bench", "neuron_network.py"), str(n_cells), str(n_syn),
                            str(t_max), "--trace", path, "--order", order],
                           capture_output=True, text=True, cwd=REPO)
        if r.returncode != 0:
            raise RuntimeError(r.stderr[-2000:])
        return np.load(path)


def spike_times(v, threshold=0.0):
    """Upward crossings of threshold per trace (ms), linearly interpolated."""
    out = []
    for tr in v:
        k = np.where((tr[:-1] < threshold) & (tr[1:] >= threshold))[0]
        out.append((k + (threshold - tr[k]) / (tr[k + 1] - tr[k])) * DT)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cells", type=int, default=10)
    ap.add_argument("--synapses", type=float, default=30)
    ap.add_argument("--t-max", type=float, default=100.0)
    ap.add_argument("--systems", default="ranvier,jaxley,neuron")
    ap.add_argument("--neuron-python", default=os.path.join(REPO, "build", "neuron-venv", "bin", "python"))
    ap.add_argument("--order", choices=["jaxley", "neuron"], default="jaxley", help="neuron_network.py --order")
    ap.add_argument("--save", help="save all traces to this .npz")
    a = ap.parse_args()
    traces = {}
    for s in a.systems.split(","):
        if s == "jaxley":
            traces[s] = run_jaxley(a.cells, a.synapses, a.t_max)
        elif s == "ranvier":
            traces[s] = run_ranvier(a.cells, a.synapses, a.t_max)
        elif s == "neuron":
            traces[s] = run_neuron(a.neuron_python, a.cells, a.synapses, a.t_max, a.order)
        else:
            sys.exit(f"unknown system {s}")
    if a.save:
        np.savez(a.save, **traces)
    spikes = {s: spike_times(v) for s, v in traces.items()}
    names = list(traces)
    result = {"cells": a.cells, "synapses_requested": a.synapses, "t_max_ms": a.t_max, "neuron_order": a.order,
              "shape": {s: list(v.shape) for s, v in traces.items()},
              "spikes_per_trace": {s: [len(x) for x in sp] for s, sp in spikes.items()}, "pairs": {}}
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            x, y = names[i], names[j]
            n = min(traces[x].shape[1], traces[y].shape[1])
            dv = float(np.max(np.abs(traces[x][:, :n] - traces[y][:, :n])))
            same_counts = all(len(p) == len(q) for p, q in zip(spikes[x], spikes[y]))
            dts = [float(np.max(np.abs(p - q))) for p, q in zip(spikes[x], spikes[y]) if len(p) == len(q) and len(p)]
            result["pairs"][f"{x} vs {y}"] = {"max_abs_dv_mV": dv, "same_spike_counts": same_counts,
                                              "max_spike_time_diff_ms": max(dts) if dts else None}
    for k, v in result.items():
        print(f"{k}: {json.dumps(v)}")


if __name__ == "__main__":
    main()

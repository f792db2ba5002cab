#!/usr/bin/env python3
"""The network of bench/bench_network.cpp in Jaxley 0.14 (float64, CPU, jax.jit), for the
side-by-side numbers in bench/README.md ("Networks").

    python3 bench/jaxley_network.py N_CELLS N_SYNAPSES T_MAX_MS    # a Python with jaxley

N cells of 10 branches x 10 compartments (parents -1,0,0,1,1,2,2,3,3,4), HH everywhere,
IonotropicSynapses (gS 2e-4 uS) between branch-0 comp-0 compartments drawn with probability
N_SYNAPSES / N_CELLS^2 (numpy seed 1234; the draw differs from Ranvier's sparse_connect, the
sizes match), a 0.5 nA step (1-6 ms) into every 10th cell, v recorded in the first 10 cells.
Prints one JSON line: build, first call (compile + run) and second call (run) times, and
the peak resident memory.
"""
import json
import os
import resource
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jaxley as jx  # noqa: E402
from jaxley.channels import HH  # noqa: E402
from jaxley.connect import connectivity_matrix_connect  # noqa: E402
from jaxley.synapses import IonotropicSynapse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from network_trace_check import build  # noqa: E402


def main():
    n_cells = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    n_syn = float(sys.argv[2]) if len(sys.argv) > 2 else 100 * n_cells
    t_max = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    dt = 0.025
    t0 = time.perf_counter()
    # The network of network_trace_check.py (same matrix draw, stimuli and recordings).
    net, n_synapses = build(jx, connectivity_matrix_connect, IonotropicSynapse, HH, n_cells, n_syn, t_max)
    build_s = time.perf_counter() - t0

    sim = jax.jit(lambda: jx.integrate(net, delta_t=dt, t_max=t_max))
    t0 = time.perf_counter()
    sim().block_until_ready()
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim().block_until_ready()
    run_s = time.perf_counter() - t0
    print(json.dumps({"system": "jaxley", "cells": n_cells, "compartments": 100 * n_cells,
                      "synapses": n_synapses, "t_max_ms": t_max, "build_s": round(build_s, 3),
                      "first_call_s": round(first_s, 3), "run_s": round(run_s, 3),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "jaxley": jx.__version__}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Ranvier vs Jaxley on the network of bench/bench_network.cpp, side by side in one run.

    python3 bench/network_compare.py [--sizes 10,100,1000] [--t-max 10] [--python PY]

For each N: build/bench/bench_network N 100N T 0 THREADS (Ranvier JIT; its threads split the
cells of the one simulation) and
bench/jaxley_network.py N 100N T under PY (default build/venv/bin/python, which has jaxley).
Prints a markdown table (build, compile / first call, run of a compiled simulation, peak
memory). Jaxley's run is its second jitted call; Ranvier's the second integrate. Jaxley's
random connections differ from Ranvier's sparse_connect draw; the sizes match.
"""
import argparse
import json
import os
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, timeout):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr[-500:]}")
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--t-max", type=float, default=10.0)
    ap.add_argument("--python", default=os.path.join(REPO, "build", "venv", "bin", "python"))
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="Ranvier threads")
    a = ap.parse_args()
    rows = []
    for n in [int(x) for x in a.sizes.split(",")]:
        s = 100 * n
        rv = run([os.path.join(REPO, "build", "bench", "bench_network"), str(n), str(s), str(a.t_max), "0",
                  str(a.threads)], 3600)
        try:
            jx = run([a.python, os.path.join(REPO, "bench", "jaxley_network.py"), str(n), str(s), str(a.t_max)], 3600)
        except Exception as e:  # report and go on
            jx = {"error": str(e)[:200]}
        rows.append((n, rv, jx))
        print(f"N={n}: ranvier {rv['jit_run_s']} s, jaxley {jx.get('run_s')} s", flush=True)
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f}, "
          f"t_max {a.t_max:g} ms (dt 0.025 ms), Ranvier {a.threads} thread(s), "
          f"`python3 bench/network_compare.py --sizes {a.sizes} --threads {a.threads}`\n")
    print("| cells | compartments | synapses (Ranvier / Jaxley) | Ranvier build + compile | Jaxley build + first call "
          "| Ranvier run | Jaxley run | Jaxley / Ranvier | Ranvier peak RSS | Jaxley peak RSS |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, rv, jx in rows:
        if "error" in jx:
            jcells = ["failed"] * 2 + ["-", "-"]
            ratio = "-"
        else:
            jcells = [f"{jx['build_s']:.1f} s + {jx['first_call_s']:.1f} s", f"{jx['run_s']:.3g} s", "", f"{jx['peak_rss_mib']:.0f} MiB"]
            ratio = f"{jx['run_s'] / rv['jit_run_s']:.2f}"
        print(f"| {n} | {rv['compartments']} | {rv['synapses']} / {jx.get('synapses', '-')} | "
              f"{rv['build_s']:.2f} s + {rv['compile_s']:.2f} s | {jcells[0]} | {rv['jit_run_s']:.3g} s | {jcells[1]} | "
              f"{ratio} | {rv['peak_rss_after_jit_run_mib']:.0f} MiB | {jcells[3]} |")


if __name__ == "__main__":
    main()

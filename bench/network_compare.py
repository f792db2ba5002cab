#!/usr/bin/env python3
"""Ranvier vs Jaxley vs NEURON on the network of bench/bench_network.cpp, side by side in one run.

    python3 bench/network_compare.py [--sizes 10,100,1000] [--t-max 10] [--systems ranvier,jaxley,neuron]
        [--python PY] [--neuron-python NPY] [--threads N] [--timeout S]

For each N, one after another (never two at once): build/bench/bench_network N 100N T 0 THREADS
(Ranvier JIT; its threads split the cells of the one simulation),
bench/jaxley_network.py N 100N T under PY (default build/venv/bin/python, which has jaxley)
and bench/neuron_network.py N 100N T under NPY (default build/neuron-venv/bin/python, a venv
with `pip install "neuron==8.2.*"`, whose nrnivmodl compiles bench/neuron_mod/).
Prints a markdown table (build, compile / first call, run of a compiled simulation, peak
memory). Jaxley's run is its second jitted call; Ranvier's the second integrate; NEURON's
finitialize + psolve on one thread. Jaxley and NEURON draw the same connections (numpy seed
1234); Ranvier's sparse_connect draw differs, the sizes match. A system that fails or runs
past --timeout seconds (default 600) is reported as such and the others go on.
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


def fmt_s(x):
    return f"{x:.3g} s" if x < 100 else f"{x:.0f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--t-max", type=float, default=10.0)
    ap.add_argument("--systems", default="ranvier,jaxley,neuron")
    ap.add_argument("--python", default=os.path.join(REPO, "build", "venv", "bin", "python"))
    ap.add_argument("--neuron-python", default=os.path.join(REPO, "build", "neuron-venv", "bin", "python"))
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="Ranvier threads")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per system and size")
    a = ap.parse_args()
    systems = [s for s in a.systems.split(",") if s]
    for s in systems:
        if s not in ("ranvier", "jaxley", "neuron"):
            raise SystemExit(f"unknown system {s!r}")
    rows = []
    loads = []
    for n in [int(x) for x in a.sizes.split(",")]:
        s = 100 * n
        res = {}
        for system in systems:
            cmd = {"ranvier": [os.path.join(REPO, "build", "bench", "bench_network"), str(n), str(s), str(a.t_max), "0",
                               str(a.threads)],
                   "jaxley": [a.python, os.path.join(REPO, "bench", "jaxley_network.py"), str(n), str(s), str(a.t_max)],
                   "neuron": [a.neuron_python, os.path.join(REPO, "bench", "neuron_network.py"), str(n), str(s),
                              str(a.t_max)]}[system]
            load = os.getloadavg()[0]
            loads.append(load)
            try:
                r = run(cmd, a.timeout)
                if system == "ranvier":  # one shape for all systems
                    r = {**r, "run_s": r["jit_run_s"], "peak_rss_mib": r["peak_rss_after_jit_run_mib"],
                         "first_call_s": r["compile_s"]}
            except subprocess.TimeoutExpired:
                r = {"error": f"over {a.timeout:.0f} s"}
            except Exception as e:  # report and go on
                r = {"error": str(e)[:200]}
            r["load"] = load
            res[system] = r
            print(f"N={n} {system} (load {load:.1f}): " + (f"run {r['run_s']} s" if "error" not in r else r["error"]),
                  flush=True)
        rows.append((n, res))
    versions = []
    for _, res in rows[-1:]:
        if "jaxley" in res.get("jaxley", {}):
            versions.append(f"Jaxley {res['jaxley']['jaxley']}")
        if "neuron" in res.get("neuron", {}):
            versions.append(f"NEURON {res['neuron']['neuron']}")
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {min(loads):.1f}-{max(loads):.1f} "
          f"(1 min, at the start of each run), t_max {a.t_max:g} ms (dt 0.025 ms), Ranvier {a.threads} thread(s), "
          f"NEURON 1 thread, {', '.join(versions)}, "
          f"`python3 bench/network_compare.py --t-max {a.t_max:g} --sizes {a.sizes} --systems {a.systems}`\n")
    names = {"ranvier": "Ranvier", "jaxley": "Jaxley", "neuron": "NEURON"}
    first = {"ranvier": "build + compile", "jaxley": "build + first call", "neuron": "build + nrnivmodl"}
    head = ["cells", "compartments", "synapses (" + " / ".join(names[s] for s in systems) + ")"]
    head += [f"{names[s]} {first[s]}" for s in systems]
    head += [f"{names[s]} run" for s in systems]
    others = [s for s in systems if s != "ranvier"] if "ranvier" in systems else []
    head += [f"{names[s]} / Ranvier" for s in others]
    head += [f"{names[s]} peak RSS" for s in systems]
    print("| " + " | ".join(head) + " |")
    print("|" + " ---: |" * len(head))
    for n, res in rows:
        ok = {s: r for s, r in res.items() if "error" not in r}
        cells = [str(n), str(100 * n), " / ".join(str(res[s].get("synapses", "-")) for s in systems)]
        cells += [f"{ok[s]['build_s']:.2f} s + {ok[s]['first_call_s' if s != 'neuron' else 'compile_s']:.2f} s"
                  if s in ok else "failed: " + res[s]["error"][:60] for s in systems]
        cells += [fmt_s(ok[s]["run_s"]) if s in ok else "-" for s in systems]
        cells += [f"{ok[s]['run_s'] / ok['ranvier']['run_s']:.2f}" if s in ok and "ranvier" in ok else "-" for s in others]
        cells += [f"{ok[s]['peak_rss_mib']:.0f} MiB" if s in ok else "-" for s in systems]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Side-by-side benchmark: NEURON vs Jaxley vs Ranvier on the same models.

    python3 bench/compare.py            # full run (~20 min on 2 cores), writes
                                        # bench/RESULTS.md, bench/cost_curve.png,
                                        # bench/batch_scaling.png
    python3 bench/compare.py --quick    # smoke test (< 1 min on a quiet machine),
                                        # writes bench/out/RESULTS_quick.md + plots

Run it with the pyenv python3 (jaxley, jax, matplotlib).  NEURON runs in
subprocesses of /usr/bin/python3 (bench/neuron_runner.py), Jaxley in
subprocesses of this python (bench/jaxley_runner.py), Ranvier as
``build/ranvier bench ...`` (contract in bench/README.md).  A system that is
missing or fails is recorded as "not available" with the reason; the others
still run.  Raw results go to bench/out/results.json (quick:
bench/out/results_quick.json), model files to bench/out/*.json, traces to
bench/out/traces/.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time

import numpy as np

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)
import models  # noqa: E402

REPO = models.REPO_DIR
OUT = models.OUT_DIR
TRACES = os.path.join(OUT, "traces")
NEURON_PY = "/usr/bin/python3"
NEURON_VARIANT_LABELS = {
    "fadvance": "neuron (fadvance loop)",
    "fadvance_ce": "neuron (fadvance loop, cache_efficient)",
    "psolve_ce": "neuron (psolve, cache_efficient)",
}
RANVIER_BACKENDS = ("jit", "interpreter", "sparse")


def settings(quick):
    if quick:
        return {
            "main": [("single", 20.0), ("bintree:2:8", 20.0)],
            "sweep": {"depths": [1, 2], "nseg": 8, "t_max": 20.0},
            "batch": {"models": [("single", 20.0)], "sizes": [1, 4, 16]},
            "repeats": 2, "budget_s": 2.0, "max_run_s": 10.0,
            "max_run_s_generic": 5.0, "max_batch_call_s": 5.0,
            "max_setup_s": 60.0, "timeout_s": 120.0, "jaxley_timeout_s": 300.0,
        }
    return {
        "main": [("single", 100.0), ("tree127", 100.0),
                 (f"swc:{models.DEFAULT_SWC}:4", 100.0)],
        "sweep": {"depths": [1, 3, 5, 7, 9, 11, 13, 14], "nseg": 8,
                  "t_max": 10.0},
        "batch": {"models": [("single", 100.0), ("tree127", 100.0)],
                  "sizes": [1, 4, 16, 64, 256, 1024, 4096]},
        # best of up to 7 timed runs per system (fewer past 10 s of runs):
        # runs of a millisecond vary by 30% on a shared VM from one moment to
        # the next, and every system gets the same number of tries
        "repeats": 7, "budget_s": 10.0, "max_run_s": 60.0,
        # Ranvier's interpreter / sparse backends in the size sweep, and one
        # batch call (Ranvier JIT, Jaxley vmap): lower limits keep the whole
        # run near 20 minutes
        "max_run_s_generic": 15.0, "max_batch_call_s": 30.0,
        "max_setup_s": 240.0, "timeout_s": 600.0, "jaxley_timeout_s": 1800.0,
    }


# ----------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------

def log(msg):
    print(f"[compare {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr,
          flush=True)


def tail(text, n=400):
    text = (text or "").strip()
    return text if len(text) <= n else "..." + text[-n:]


def parse_json_objects(stdout):
    """All JSON objects printed on stdout: whole output, one per line, or the
    span from the first '{' to the last '}' (pretty-printed)."""
    stdout = stdout or ""
    try:
        obj = json.loads(stdout)
        return [obj] if isinstance(obj, dict) else []
    except ValueError:
        pass
    objs = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                objs.append(json.loads(line))
            except ValueError:
                pass
    if not objs and "{" in stdout:
        try:
            obj = json.loads(stdout[stdout.index("{"):stdout.rindex("}") + 1])
            if isinstance(obj, dict):
                objs.append(obj)
        except ValueError:
            pass
    return objs


def run_json(cmd, timeout, env=None):
    """Runs cmd; returns (list of JSON objects, error string or None)."""
    log("$ " + " ".join(shlex.quote(c) for c in cmd))
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           cwd=REPO, env=env)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout
        return parse_json_objects(out), f"timed out after {timeout:.0f} s"
    except OSError as e:
        return [], f"{type(e).__name__}: {e}"
    log(f"  ... {time.perf_counter() - t0:.1f} s, exit {p.returncode}")
    objs = parse_json_objects(p.stdout)
    if p.returncode != 0:
        return objs, f"exit {p.returncode}: {tail(p.stderr or p.stdout)}"
    if not objs:
        return objs, f"no JSON on stdout: {tail(p.stdout)} {tail(p.stderr)}"
    return objs, None


def load_trace(path):
    if not path or not os.path.exists(path):
        return None
    if path.endswith(".csv"):
        a = np.genfromtxt(path, delimiter=",", names=True)
        cols = [c for c in a.dtype.names if c.lower() not in ("t", "t_ms")]
        return np.asarray(a[cols[0]], dtype=float)
    a = np.load(path)
    a = np.asarray(a, dtype=float)
    if a.ndim == 2:  # (B, T+1) or (n_rec, T+1): lane / recording 0
        a = a[0]
    return a.reshape(-1)


def max_abs_diff(a, b):
    if a is None or b is None:
        return None
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    return float(np.max(np.abs(a - b)))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gb():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def git(*args):
    try:
        return subprocess.run(["git", "-C", REPO, *args], capture_output=True,
                              text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def pkg_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001
        return "not installed"


# ----------------------------------------------------------------------------
# the harness
# ----------------------------------------------------------------------------

class Harness:
    def __init__(self, args):
        self.args = args
        self.cfg = settings(args.quick)
        if args.max_run_s:
            self.cfg["max_run_s"] = args.max_run_s
        self.systems = set(args.systems.split(","))
        self.ranvier_bin = os.path.abspath(args.ranvier)
        self.specs = {}          # (name, t_max) -> (spec, path)
        self.stem_tmax = {}
        self.rows = []           # one dict per (system, model, t_max, batch)
        self.skipped = []        # (system, what, why)
        self.unavailable = {}    # system -> reason
        self.ranvier_ok = {}     # backend -> True / reason
        os.makedirs(TRACES, exist_ok=True)

    # -- models --------------------------------------------------------------
    def spec(self, name, t_max, stem=None):
        key = (name, t_max)
        if key not in self.specs:
            sp = models.by_name(name, t_max)
            stem = stem or models.file_stem(sp)
            if self.stem_tmax.setdefault(stem, t_max) != t_max:
                stem = f"{stem}_t{t_max:g}"
            path = os.path.join(OUT, stem + ".json")
            with open(path, "w") as f:
                json.dump(sp, f, indent=1)
            sp["_stem"] = stem
            self.specs[key] = (sp, path)
        return self.specs[key]

    def add(self, system, name, t_max, batch, res, group):
        sp, _ = self.spec(name, t_max)
        row = dict(res)
        if "system" in res and res["system"] != system:
            row["reported_system"] = res["system"]
        if "model" in res and res["model"] != name:
            row["reported_model"] = res["model"]
        row.update({"system": system, "model": name, "t_max": t_max,
                    "batch": batch, "group": group,
                    "expected_steps": models.n_steps(sp)})
        self.rows.append(row)
        return row

    def find(self, system, name, t_max, batch=1):
        for r in self.rows:
            if (r["system"], r["model"], r["t_max"], r["batch"]) == \
                    (system, name, t_max, batch):
                return r
        return None

    # -- NEURON --------------------------------------------------------------
    def neuron(self, name, t_max, group, repeats=None, variants=None):
        if "neuron" not in self.systems or "neuron" in self.unavailable:
            return None
        if self.find("neuron", name, t_max):
            return self.find("neuron", name, t_max)
        sp, path = self.spec(name, t_max)
        objs, err = run_json(
            [NEURON_PY, os.path.join(BENCH_DIR, "neuron_runner.py"),
             "--model-file", path, "--trace-dir", TRACES,
             "--repeats", str(repeats or self.cfg["repeats"]),
             "--budget-s", str(self.cfg["budget_s"])] +
            (["--variants", variants] if variants else []),
            self.cfg["timeout_s"])
        res = objs[0] if objs else {}
        if err or "error" in res:
            self.skipped.append(("neuron", name, err or res.get("error")))
            if not os.path.exists(NEURON_PY):
                self.unavailable["neuron"] = err
            return None
        row = self.add("neuron", name, t_max, 1, res, group)
        # one row per variant too (same trace)
        for var, v in res.get("variants", {}).items():
            self.add(NEURON_VARIANT_LABELS.get(var, var), name, t_max, 1,
                     {"run_s": v["run_s"], "cpu_s": v["cpu_s"],
                      "n_compartments": res["n_compartments"],
                      "n_steps": res["n_steps"], "build_s": res["build_s"],
                      "trace": res.get("trace"), "variant_of": "neuron"}, group)
        return row

    # -- Jaxley --------------------------------------------------------------
    def jaxley(self, entries, timeout=None):
        """entries: list of (name, t_max, batch sizes, group); all run in one
        process (jax's start-up paid once), in this order; entries of group
        "sweep" are sizes, smallest first, which the runner stops once one is
        predicted to take more than max_run_s (or max_setup_s to build)."""
        if "jaxley" not in self.systems or not entries:
            return
        plan = []
        for name, t_max, batches, group in entries:
            _, path = self.spec(name, t_max)
            plan.append({"model_file": path, "batch": list(batches),
                         "sweep": group == "sweep", "name": name,
                         "t_max": t_max, "group": group})
        plan_path = os.path.join(OUT, "jaxley_plan.json")
        with open(plan_path, "w") as f:
            json.dump(plan, f, indent=1)
        cmd = [sys.executable, os.path.join(BENCH_DIR, "jaxley_runner.py"),
               "--plan", plan_path, "--trace-dir", TRACES, "--warmup",
               "--repeats", str(self.cfg["repeats"]),
               "--budget-s", str(self.cfg["budget_s"]),
               "--max-run-s", str(self.cfg["max_run_s"]),
               "--max-batch-call-s", str(self.cfg["max_batch_call_s"]),
               "--max-setup-s", str(self.cfg["max_setup_s"])]
        objs, err = run_json(cmd, timeout or self.cfg["jaxley_timeout_s"])
        by_file = {o.get("model_file"): o for o in objs}
        for p in plan:
            name, t_max, what = p["name"], p["t_max"], \
                f"{p['name']} ({p['t_max']:g} ms)"
            o = by_file.get(p["model_file"])
            if o is None or "skipped" in o or "error" in o:
                why = (o or {}).get("skipped") or (o or {}).get("error") or \
                    err or "no result"
                self.skipped.append(("jaxley", what, why))
                continue
            self.add("jaxley", name, t_max, 1, o, p["group"])
            for bb in o.get("batches", []):
                self.add("jaxley-vmap", name, t_max, bb["batch"],
                         dict(bb, n_compartments=o["n_compartments"],
                              n_steps=o["n_steps"], build_s=o["build_s"],
                              trace=bb.get("trace_lane0")), "batch")
            for sk in o.get("batches_skipped", []):
                self.skipped.append(("jaxley-vmap", f"{name} B={sk['batch']}",
                                     sk["reason"]))
        if err:
            log(f"jaxley: {err}")
            self.skipped.append(("jaxley", "runner", err))

    # -- Ranvier -------------------------------------------------------------
    def ranvier_call(self, backend, name, t_max, batch, threads, stem=None):
        sp, path = self.spec(name, t_max, stem)
        label = f"ranvier-{backend}" + (f" x{threads}t" if threads > 1 else "")
        suffix = f"_B{batch}" if batch > 1 else ""
        trace = os.path.join(
            TRACES, f"{sp['_stem']}_ranvier-{backend}_t{threads}{suffix}.npy")
        if os.path.exists(trace):
            os.remove(trace)
        cmd = [self.ranvier_bin, "bench", "--model", sp["name"], "--model-file", path,
               "--backend", backend, "--batch", str(batch), "--threads",
               str(threads), "--t-max", repr(float(t_max)), "--dt",
               repr(sp["dt_ms"]), "--trace", trace,
               "--repeats", str(self.cfg["repeats"]),
               "--budget-s", str(self.cfg["budget_s"])]
        objs, err = run_json(cmd, self.cfg["timeout_s"])
        res = objs[-1] if objs else {}
        if not err:
            missing = [k for k in ("n_compartments", "n_steps", "compile_s",
                                   "run_s") if k not in res]
            if missing:
                err = f"JSON lacks {missing}: {tail(json.dumps(res))}"
        if err:
            return label, None, err
        res["trace"] = trace if os.path.exists(trace) else None
        res["command"] = " ".join(shlex.quote(c) for c in cmd)
        res.setdefault("comp_steps_per_s",
                       res["n_compartments"] * res["n_steps"] * batch / res["run_s"])
        return label, res, None

    def probe_ranvier(self):
        if "ranvier" not in self.systems:
            return
        if not os.access(self.ranvier_bin, os.X_OK):
            for b in RANVIER_BACKENDS:
                self.ranvier_ok[b] = f"{self.ranvier_bin} not found"
            return
        for b in RANVIER_BACKENDS:
            _, res, err = self.ranvier_call(b, "single", 1.0, 1, 1,
                                            stem="probe_single")
            self.ranvier_ok[b] = True if res else f"not available: {err}"
            log(f"ranvier-{b}: {'ok' if res else err}")

    def ranvier(self, name, t_max, group, backends=RANVIER_BACKENDS, batch=1,
                threads=1):
        out = []
        for b in backends:
            if "ranvier" not in self.systems:
                continue
            if self.ranvier_ok.get(b) is not True:
                continue
            label = f"ranvier-{b}" + (f" x{threads}t" if threads > 1 else "")
            done = self.find(label, name, t_max, batch)
            if done:
                out.append(done)
                continue
            label, res, err = self.ranvier_call(b, name, t_max, batch, threads)
            if err:
                self.skipped.append((label, f"{name} ({t_max:g} ms, B={batch})",
                                     err))
                continue
            out.append(self.add(label, name, t_max, batch, res, group))
        return out

    # -- the three parts -----------------------------------------------------
    def run_main(self):
        log("== main models: NEURON, Ranvier")
        for name, t_max in self.cfg["main"]:
            self.neuron(name, t_max, "main")
            self.ranvier(name, t_max, "main")

    def sweep_names(self):
        s = self.cfg["sweep"]
        return [(f"bintree:{d}:{s['nseg']}", s["t_max"]) for d in s["depths"]]

    def run_sweep(self):
        log("== size sweep: NEURON, Ranvier")
        maxrun = self.cfg["max_run_s"]

        def predicted(system, name, t_max):
            """Run time predicted from the largest smaller model this system
            ran, linear in compartment-steps; None if nothing to go by."""
            sp, _ = self.spec(name, t_max)
            prev = [r for r in self.rows if r["system"] == system and
                    r["batch"] == 1 and r.get("run_s") and
                    r.get("n_compartments", 0) < sp["n_compartments"]]
            if not prev:
                return None
            p = max(prev, key=lambda r: r["n_compartments"])
            work = sp["n_compartments"] * models.n_steps(sp)
            return p["run_s"] * work / (p["n_compartments"] * p["n_steps"])

        stopped = set()
        for name, t_max in self.sweep_names():
            for system in ["neuron"] + [f"ranvier-{b}" for b in RANVIER_BACKENDS]:
                if system == "neuron" and "neuron" not in self.systems or \
                        system != "neuron" and (
                            "ranvier" not in self.systems or
                            self.ranvier_ok.get(system[8:]) is not True):
                    continue
                if system in stopped:
                    self.skipped.append((system, f"{name} ({t_max:g} ms)",
                                         "a smaller size was skipped"))
                    continue
                pr = predicted(system, name, t_max)
                limit = maxrun if system in ("neuron", "ranvier-jit") else \
                    self.cfg["max_run_s_generic"]
                if pr is not None and pr > limit:
                    stopped.add(system)
                    self.skipped.append((system, f"{name} ({t_max:g} ms)",
                                         f"predicted {pr:.0f} s per simulation "
                                         f"> {limit:g} s"))
                    continue
                if system == "neuron":
                    # the default loop and the fastest way; cache_efficient
                    # with the Python loop is measured on the main models
                    self.neuron(name, t_max, "sweep", repeats=2,
                                variants="fadvance,psolve_ce")
                else:
                    self.ranvier(name, t_max, "sweep", backends=[system[8:]])

    def run_batch(self):
        log("== batches: NEURON reference, Ranvier JIT")
        sizes = self.cfg["batch"]["sizes"]
        threads = [1] + ([self.args.threads] if self.args.threads > 1 else [])
        for name, t_max in self.cfg["batch"]["models"]:
            self.neuron(name, t_max, "batch")  # reference line
            if self.ranvier_ok.get("jit") is not True or \
                    "ranvier" not in self.systems:
                continue
            for th in threads:
                prev = None
                for B in sizes:
                    if prev is not None and \
                            prev * B > self.cfg["max_batch_call_s"]:
                        self.skipped.append((f"ranvier-jit x{th}t",
                                             f"{name} B={B}",
                                             f"predicted {prev * B:.0f} s per "
                                             "call"))
                        continue
                    rows = self.ranvier(name, t_max, "batch", ["jit"], B, th)
                    if rows:
                        prev = rows[0]["run_s"] / B

    def run_jaxley(self):
        log("== Jaxley (one process)")
        batch = self.cfg["batch"]
        entries, seen = [], set()
        if "main" in self.parts:
            for n, t in self.cfg["main"]:
                bs = batch["sizes"] if "batch" in self.parts and \
                    (n, t) in batch["models"] else []
                entries.append((n, t, bs, "main"))
                seen.add((n, t))
        if "batch" in self.parts:
            for n, t in batch["models"]:
                if (n, t) not in seen:
                    entries.append((n, t, batch["sizes"], "batch"))
                    seen.add((n, t))
        if "sweep" in self.parts:
            for n, t in self.sweep_names():
                if (n, t) not in seen:
                    entries.append((n, t, [], "sweep"))
        self.jaxley(entries)

    def run(self):
        self.parts = set(self.args.parts.split(","))
        self.t_start = time.perf_counter()
        self.env = self.environment()
        self.probe_ranvier()
        if "main" in self.parts:
            self.run_main()
        if "sweep" in self.parts:
            self.run_sweep()
        if "batch" in self.parts:
            self.run_batch()
        if "micro" in self.parts:
            self.run_micro()
        self.run_jaxley()
        self.env["load_end"] = os.getloadavg()
        self.env["elapsed_s"] = time.perf_counter() - self.t_start
        self.check_traces()

    def run_micro(self):
        """Google Benchmark microbenchmarks (bench/micro_benchmarks.cpp), Ranvier only."""
        exe = os.path.join(os.path.dirname(self.args.ranvier), "bench", "micro_benchmarks")
        if not os.path.exists(exe):
            self.skipped.append(("ranvier", "microbenchmarks",
                                 f"{exe} not built (scripts/build.sh builds it)"))
            return
        min_time = "0.001" if self.args.quick else "0.3"
        log(f"microbenchmarks: {exe}")
        try:
            r = subprocess.run([exe, f"--benchmark_min_time={min_time}", "--benchmark_format=json"],
                               capture_output=True, text=True, cwd=REPO, timeout=1800)
            out = json.loads(r.stdout)
        except Exception as e:  # report and go on
            self.skipped.append(("ranvier", "microbenchmarks", f"{type(e).__name__}: {e}"))
            return
        self.micro = [{k: b.get(k) for k in ("name", "real_time", "cpu_time", "time_unit",
                                              "iterations", "items_per_second")}
                      for b in out.get("benchmarks", [])]

    # -- environment ---------------------------------------------------------
    def environment(self):
        objs, err = ([], "skipped")
        if "neuron" in self.systems:
            objs, err = run_json([NEURON_PY, os.path.join(BENCH_DIR,
                                                          "neuron_runner.py"),
                                  "--version"], 60)
        if err and "neuron" in self.systems:
            self.unavailable["neuron"] = err
        dirty = git("status", "--porcelain", "--untracked-files=no")
        return {
            "date": datetime.datetime.now(datetime.timezone.utc)
            .strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu_model(), "logical_cpus": os.cpu_count(),
            "mem_gb": mem_total_gb(), "load_start": os.getloadavg(),
            "neuron": objs[0].get("neuron_version") if objs else f"n/a ({err})",
            "jaxley": pkg_version("jaxley"), "jax": pkg_version("jax"),
            "jaxlib": pkg_version("jaxlib"), "numpy": np.__version__,
            "python": f"{sys.executable} {platform.python_version()}",
            "ranvier_commit": (git("rev-parse", "HEAD") or "unknown") +
            (" (+ uncommitted changes)" if dirty else ""),
            "ranvier_binary": self.ranvier_bin,
            "command": "python3 " + " ".join(shlex.quote(a) for a in sys.argv),
            "quick": self.args.quick,
        }

    # -- trace checks ----------------------------------------------------------
    def check_traces(self):
        for r in self.rows:
            tr = load_trace(r.get("trace"))
            r["_v"] = tr
        for r in self.rows:
            if r["_v"] is None:
                continue
            ref = self.find("neuron", r["model"], r["t_max"]) \
                if r["batch"] == 1 else None
            interp = self.find("ranvier-interpreter", r["model"], r["t_max"],
                               r["batch"])
            jax_ = self.find("jaxley-vmap" if r["batch"] > 1 else "jaxley",
                             r["model"], r["t_max"], r["batch"])
            r["diff_vs_neuron"] = max_abs_diff(r["_v"], ref["_v"]) if ref else None
            r["diff_vs_interp"] = max_abs_diff(r["_v"], interp["_v"]) \
                if interp else None
            r["diff_vs_jaxley"] = max_abs_diff(r["_v"], jax_["_v"]) \
                if jax_ else None
            sp = models.spikes(r["_v"], models.DT_MS)
            r["n_spikes"] = len(sp)
            if ref is not None and ref["_v"] is not None:
                sp0 = models.spikes(ref["_v"], models.DT_MS)
                r["spike_shift_vs_neuron_ms"] = (
                    max((abs(a - b) for a, b in zip(sp, sp0)), default=0.0)
                    if len(sp) == len(sp0) else
                    f"{len(sp)} vs {len(sp0)} spikes")
            if r.get("n_steps") is not None and \
                    r["n_steps"] != r["expected_steps"]:
                r.setdefault("notes", []).append(
                    f"n_steps {r['n_steps']} != expected {r['expected_steps']}")


# ----------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------

def fmt_s(x):
    """seconds, always in s."""
    return "-" if x is None else (f"{x:.3g}" if x < 100 else f"{x:.0f}")


def fmt_d(x):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    return "0" if x == 0 else f"{x:.1e}"


def fmt_r(x):
    return "-" if x is None else (f"{x:.2f}" if x < 10 else f"{x:.1f}")


def per_sim(r):
    return r["run_s"] / r["batch"] if r.get("run_s") else None


def system_order(s):
    order = ["neuron", "neuron (fadvance loop)",
             "neuron (fadvance loop, cache_efficient)",
             "neuron (psolve, cache_efficient)", "jaxley", "jaxley-vmap",
             "ranvier-jit", "ranvier-jit x2t", "ranvier-interpreter",
             "ranvier-sparse"]
    if s.startswith("ranvier-jit x"):
        s = "ranvier-jit x2t"
    return order.index(s) if s in order else len(order)


def write_report(h, path, plot_paths):
    env = h.env
    L = []
    L.append("# Ranvier vs NEURON vs Jaxley: side-by-side benchmark")
    L.append("")
    L.append("Generated by `bench/compare.py` (see `bench/README.md`); do not "
             "edit by hand." + (" **Smoke run (`--quick`): tiny sizes, numbers "
                                "mean nothing.**" if env["quick"] else ""))
    L.append("")
    L.append(f"- date: {env['date']}; total harness time "
             f"{env['elapsed_s'] / 60:.1f} min")
    L.append(f"- command: `{env['command']}`")
    L.append(f"- CPU: {env['cpu']}, {env['logical_cpus']} logical CPUs, "
             f"{env['mem_gb']:.0f} GB; load average at start "
             f"{env['load_start'][0]:.1f}, at end {env['load_end'][0]:.1f} "
             "(a load above the number of CPUs means other work shared the "
             "machine: wall times are then inflated; `CPU s` columns less so)")
    L.append(f"- NEURON {env['neuron']} ({NEURON_PY}); Jaxley {env['jaxley']}, "
             f"jax {env['jax']}, jaxlib {env['jaxlib']} (float64, CPU), numpy "
             f"{env['numpy']}, {env['python']}")
    L.append(f"- Ranvier commit {env['ranvier_commit']}, binary "
             f"`{os.path.relpath(env['ranvier_binary'], REPO)}`")
    L.append("- all times are wall-clock seconds of one simulation (best of "
             "several runs unless noted), single thread unless the system "
             "name says `x<N>t` (N threads); Jaxley/XLA may use more than one thread (its "
             "`CPU s` then exceeds wall). dt = 0.025 ms, backward Euler, HH "
             "everywhere, gates at steady state for v_init = -70 mV.")
    L.append("")

    na = {b: v for b, v in h.ranvier_ok.items() if v is not True}
    if na or h.unavailable:
        L.append("**Not available:** " + "; ".join(
            [f"ranvier-{b}: {first_line(v)}" for b, v in na.items()] +
            [f"{s}: {first_line(v)}" for s, v in h.unavailable.items()]))
        L.append("")

    # ---- main table
    L.append("## Single simulations")
    L.append("")
    L.append("`x vs NEURON` = NEURON's fastest variant time / this system's "
             "time (above 1 = faster than NEURON); `x vs Jaxley` likewise with "
             "Jaxley's jitted run. `compile s`: Ranvier's compile; Jaxley's "
             "first call minus a steady call (tracing + XLA); `build s`: "
             "model construction (Jaxley: Python objects + init_states).")
    L.append("")
    L.append("| model | system | comps | steps | build s | compile s | run s "
             "(wall) | CPU s | ns / comp-step | comp-steps / s | x vs NEURON "
             "| x vs Jaxley |")
    L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for (m, t) in h.cfg["main"]:
        rows = sorted([r for r in h.rows if r["model"] == m and r["t_max"] == t
                       and r["batch"] == 1 and r["system"] not in
                       ("neuron", "jaxley-vmap")],
                      key=lambda r: system_order(r["system"]))
        nrn = h.find("neuron", m, t)
        jx = h.find("jaxley", m, t)
        for r in rows:
            ps = per_sim(r)
            work = r["n_compartments"] * r["n_steps"]
            best = " (best)" if nrn and r.get("variant_of") == "neuron" and \
                NEURON_VARIANT_LABELS.get(nrn["best_variant"]) == r["system"] \
                else ""
            L.append("| " + " | ".join([
                short_model(m) + f" ({t:g} ms)", r["system"] + best,
                str(r["n_compartments"]), str(r["n_steps"]),
                fmt_s(r.get("build_s")), fmt_s(r.get("compile_s")),
                fmt_s(ps), fmt_s(r.get("cpu_s")),
                f"{ps / work * 1e9:.1f}" if ps else "-",
                f"{work / ps:.3g}" if ps else "-",
                fmt_r(nrn["run_s"] / ps) if nrn and ps else "-",
                fmt_r(jx["run_s"] / ps) if jx and ps else "-"]) + " |")
    L.append("")

    # ---- trace agreement
    L.append("## Trace agreement")
    L.append("")
    L.append("Max |v - v_ref| (mV) of the recorded voltage over all "
             "n_steps + 1 samples; spikes = upward crossings of 0 mV. For SWC models NEURON's Import3d and "
             "Jaxley's `read_swc` discretise differently (compartment counts "
             "and areas below), so only Jaxley vs Ranvier must agree there.")
    L.append("")
    L.append("| model | system | comps | area um^2 | spikes | max spike-time "
             "shift vs NEURON (ms) | vs NEURON | vs Jaxley | vs "
             "ranvier-interpreter |")
    L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    groups = list(h.cfg["main"]) + h.sweep_names()
    seen = set()
    for (m, t) in groups:
        if (m, t) in seen:
            continue
        seen.add((m, t))
        for r in sorted([r for r in h.rows if r["model"] == m and r["t_max"] == t
                         and r["batch"] == 1 and not r.get("variant_of")
                         and r["system"] != "jaxley-vmap"],
                        key=lambda r: system_order(r["system"])):
            L.append("| " + " | ".join([
                short_model(m) + f" ({t:g} ms)", r["system"],
                str(r.get("n_compartments", "-")),
                f"{r['area_um2']:.0f}" if r.get("area_um2") else "-",
                str(r.get("n_spikes", "-")),
                fmt_d(r.get("spike_shift_vs_neuron_ms")),
                fmt_d(r.get("diff_vs_neuron")),
                fmt_d(r.get("diff_vs_jaxley")),
                fmt_d(r.get("diff_vs_interp"))]) + " |")
    notes = [(r["system"], r["model"], n) for r in h.rows
             for n in r.get("notes", [])]
    if notes:
        L.append("")
        for s, m, n in notes:
            L.append(f"- {s} {m}: {n}")
    L.append("")

    # ---- sweep
    sw = h.sweep_names()
    if sw and "sweep" in h.parts:
        systems = sorted({r["system"] for r in h.rows if r["group"] == "sweep"
                          and not r.get("variant_of")} |
                         {r["system"] for r in h.rows if r["model"] in
                          dict(sw) and r["batch"] == 1
                          and not r.get("variant_of")},
                         key=system_order)
        L.append("## Cost curve (size sweep)")
        L.append("")
        L.append(f"Full binary trees of depth d, {h.cfg['sweep']['nseg']} "
                 f"compartments per section, {h.cfg['sweep']['t_max']:g} ms "
                 f"simulated. Wall seconds per simulation, with ns per "
                 "compartment-step in parentheses; NEURON = its fastest "
                 "variant. Plot: `" +
                 os.path.relpath(plot_paths["cost"], REPO) + "`.")
        L.append("")
        L.append("| depth | comps | " + " | ".join(systems) + " |")
        L.append("|--:|--:|" + "--:|" * len(systems))
        for m, t in sw:
            sp, _ = h.spec(m, t)
            cells = []
            for s in systems:
                r = h.find(s, m, t)
                if r and r.get("run_s"):
                    w = r["n_compartments"] * r["n_steps"]
                    cells.append(f"{fmt_s(r['run_s'])} "
                                 f"({r['run_s'] / w * 1e9:.0f})")
                else:
                    cells.append("skipped")
            L.append(f"| {m.split(':')[1]} | {sp['n_compartments']} | " +
                     " | ".join(cells) + " |")
        L.append("")

    # ---- batch
    if "batch" in h.parts:
        L.append("## Batches")
        L.append("")
        L.append("B simulations of one model in one call, lane b with HH_gNa "
                 "x (0.9 + 0.2 b/(B-1)). Time per simulation = call time / B "
                 "(wall, best of runs); `lane 0 diff` = max |v| difference of "
                 "lane 0 between the system and Jaxley's vmap. NEURON (one "
                 "simulation at a time) for reference. Plot: `" +
                 os.path.relpath(plot_paths["batch"], REPO) + "`.")
        L.append("")
        bsys = sorted({r["system"] for r in h.rows if r["batch"] > 1},
                      key=system_order)
        bsys = [s for s in bsys if s not in ("neuron",) and
                not s.startswith("neuron (")]
        dsys = [x for x in bsys if x != "jaxley-vmap"]
        head = ["model", "B"] + [f"{x} s/sim" for x in bsys] + \
            [f"{x} lane 0 diff" for x in dsys] + \
            (["x vs jaxley-vmap (" + x + ")" for x in dsys]
             if "jaxley-vmap" in bsys else []) + ["NEURON s/sim"]
        L.append("| " + " | ".join(head) + " |")
        L.append("|---|" + "--:|" * (len(head) - 1))
        for m, t in h.cfg["batch"]["models"]:
            nrn = h.find("neuron", m, t)
            for B in h.cfg["batch"]["sizes"]:
                rs = {x: h.find(x, m, t, B) for x in bsys}
                cells = [fmt_s(per_sim(rs[x])) if rs[x] else "skipped"
                         for x in bsys]
                cells += [fmt_d(rs[x].get("diff_vs_jaxley")) if rs[x] else "-"
                          for x in dsys]
                jv = rs.get("jaxley-vmap")
                if "jaxley-vmap" in bsys:
                    cells += [fmt_r(per_sim(jv) / per_sim(rs[x]))
                              if jv and rs[x] else "-" for x in dsys]
                cells.append(fmt_s(nrn["run_s"]) if nrn else "-")
                L.append(f"| {short_model(m)} ({t:g} ms) | {B} | " +
                         " | ".join(cells) + " |")
        L.append("")

    # ---- microbenchmarks
    if getattr(h, "micro", None):
        L.append("## Microbenchmarks (Google Benchmark, Ranvier only)")
        L.append("")
        L.append("`build/bench/micro_benchmarks` (bench/micro_benchmarks.cpp says what each "
                 "measures), one thread. `Integrate/<model>/<backend>/<steps>`: the 400-step "
                 "minus the 40-step time is the cost of 360 full steps; items are "
                 "compartment-steps (for LinearSolve: nodes solved).")
        L.append("")
        L.append("| benchmark | wall time | CPU time | iterations | items/s |")
        L.append("|---|--:|--:|--:|--:|")
        for b in h.micro:
            ips = b.get("items_per_second")
            L.append(f"| {b['name']} | {b['real_time']:.4g} {b['time_unit']} | "
                     f"{b['cpu_time']:.4g} {b['time_unit']} | {b['iterations']} | "
                     f"{'' if ips is None else f'{ips:.3g}'} |")
        L.append("")

    # ---- skipped
    if h.skipped:
        L.append("## Skipped or failed")
        L.append("")
        for s, what, why in h.skipped:
            L.append(f"- {s}, {what}: {first_line(why)}")
        L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def first_line(text):
    return str(text).strip().splitlines()[0] if str(text).strip() else ""


def short_model(m):
    if m.startswith("swc:"):
        p, n = m[4:].rsplit(":", 1)
        return f"swc:{os.path.basename(p)}:{n}"
    return m


def plots(h, paths):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        log(f"no plots: {e}")
        return
    style = {"neuron": ("k", "o"), "jaxley": ("tab:orange", "s"),
             "jaxley-vmap": ("tab:orange", "s"), "ranvier-jit": ("tab:blue", "^"),
             "ranvier-jit xNt": ("tab:cyan", "^"),
             "ranvier-interpreter": ("tab:green", "v"),
             "ranvier-sparse": ("tab:purple", "D")}
    # cost curve
    sw = dict(h.sweep_names())
    fig, ax = plt.subplots(1, 2, figsize=(12, 4.8))
    for s in sorted({r["system"] for r in h.rows}, key=system_order):
        if s.startswith("neuron (") or s == "jaxley-vmap":
            continue
        pts = sorted((r["n_compartments"], r["run_s"], r["n_steps"])
                     for r in h.rows if r["system"] == s and r["batch"] == 1
                     and r["model"] in sw and r["t_max"] == sw[r["model"]]
                     and r.get("run_s"))
        if not pts:
            continue
        c, m = style.get(s, ("gray", "x"))
        n = [p[0] for p in pts]  # noqa: E741
        ax[0].loglog(n, [p[1] for p in pts], marker=m, color=c, label=s)
        ax[1].semilogx(n, [p[1] / (p[0] * p[2]) * 1e9 for p in pts],
                       marker=m, color=c, label=s)
    ax[0].set_xlabel("compartments")
    ax[0].set_ylabel(f"wall s per simulation ({h.cfg['sweep']['t_max']:g} ms)")
    ax[1].set_xlabel("compartments")
    ax[1].set_ylabel("ns per compartment-step")
    ax[1].set_ylim(bottom=0)
    for a in ax:
        a.grid(True, which="both", alpha=0.3)
        a.legend(fontsize=8)
    fig.suptitle("Cost curve: binary HH trees, dt 0.025 ms, one simulation, "
                 "one thread" + (" (QUICK smoke run)" if h.args.quick else ""))
    fig.tight_layout()
    fig.savefig(paths["cost"], dpi=110)
    plt.close(fig)
    # batch
    bm = h.cfg["batch"]["models"]
    fig, ax = plt.subplots(1, len(bm), figsize=(6 * len(bm), 4.8), squeeze=False)
    for a, (m, t) in zip(ax[0], bm):
        for s in sorted({r["system"] for r in h.rows if r["batch"] > 1},
                        key=system_order):
            if s.startswith("neuron"):
                continue
            pts = sorted((r["batch"], per_sim(r)) for r in h.rows
                         if r["system"] == s and r["model"] == m and
                         r["t_max"] == t and r.get("run_s"))
            if pts:
                c, mk = style.get(s if not s.startswith("ranvier-jit x")
                                  else "ranvier-jit xNt", ("gray", "x"))
                a.loglog([p[0] for p in pts], [p[1] for p in pts], marker=mk,
                         color=c, label=s)
        nrn = h.find("neuron", m, t)
        if nrn:
            a.axhline(nrn["run_s"], color="k", ls="--",
                      label="neuron (one at a time)")
        a.set_title(f"{short_model(m)}, {t:g} ms")
        a.set_xlabel("batch size B")
        a.set_ylabel("wall s per simulation")
        a.grid(True, which="both", alpha=0.3)
        a.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(paths["batch"], dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke mode: tiny sizes, < 1 min")
    ap.add_argument("--parts", default="main,sweep,batch,micro")
    ap.add_argument("--systems", default="neuron,jaxley,ranvier")
    ap.add_argument("--ranvier", default=os.path.join(REPO, "build", "ranvier"))
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="extra Ranvier JIT batch runs with this many threads "
                         "(besides 1)")
    ap.add_argument("--max-run-s", type=float,
                    help="skip sizes predicted to take longer per simulation")
    ap.add_argument("--out", help="report path (default bench/RESULTS.md, "
                    "quick: bench/out/RESULTS_quick.md); plots and raw "
                    "results go to the same folder")
    args = ap.parse_args()

    h = Harness(args)
    h.run()
    if args.quick:
        report = args.out or os.path.join(OUT, "RESULTS_quick.md")
        pdir, sfx, raw = OUT, "_quick", os.path.join(OUT, "results_quick.json")
    else:
        report = args.out or os.path.join(BENCH_DIR, "RESULTS.md")
        pdir, sfx, raw = BENCH_DIR, "", os.path.join(OUT, "results.json")
    if args.out:  # plots and raw results next to the report
        pdir = os.path.dirname(os.path.abspath(args.out))
        raw = os.path.join(pdir, f"results{sfx}.json")
        os.makedirs(pdir, exist_ok=True)
    paths = {"cost": os.path.join(pdir, f"cost_curve{sfx}.png"),
             "batch": os.path.join(pdir, f"batch_scaling{sfx}.png")}
    plots(h, paths)
    write_report(h, report, paths)
    with open(raw, "w") as f:
        json.dump({"env": h.env, "settings": h.cfg, "skipped": h.skipped,
                   "ranvier_backends": h.ranvier_ok,
                   "rows": [{k: v for k, v in r.items() if k != "_v"}
                            for r in h.rows]}, f, indent=1, default=str)
    log(f"wrote {report}, {raw}, {paths['cost']}, {paths['batch']} "
        f"({h.env['elapsed_s']:.0f} s)")


if __name__ == "__main__":
    main()

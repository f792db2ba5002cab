"""Build benchmark models in Jaxley, time them, print one JSON object per model.

Run with the pyenv python3 that has jaxley + jax (CPU, float64)::

    python3 bench/jaxley_runner.py --model-file bench/out/tree127.json[:1,4,16] \
        [--model-file MORE.json ...] [--plan PLAN.json] [--batch 1,4,16] \
        [--no-single] [--warmup] [--sweep] [--repeats 3] [--budget-s 30] \
        [--max-run-s 60] [--max-setup-s 240] [--trace-dir DIR] \
        [--xla-single-thread]

Models run in one process, in order (jax's start-up is paid once); each prints
one line of JSON (``{"error": ...}`` or ``{"skipped": ...}`` for a model that
failed or was skipped; the others still run).  ``--plan`` is a JSON list of
``{"model_file", "batch": [B, ...], "sweep": bool}`` (compare.py writes it);
``FILE.json:1,4,16`` gives one model its own batch sizes, ``--batch`` the
default.  Models marked sweep (``--sweep`` for all --model-file ones) are sizes
of a sweep, smallest first: once one is predicted (linearly from the previous
sweep size) to take more than --max-run-s per simulation, or more than
--max-setup-s to build + compile, it and all larger ones are skipped.
``--warmup`` first builds and runs a small 3-branch model (bintree:2:8, 1 ms)
so jax's one-time start-up is not charged to the first model's build/compile
times.

Timings (all wall clock, with block_until_ready; cpu_s = process CPU time of
the same call, which exceeds wall when XLA uses several threads):

* ``build_s``   -- Python model construction + init_states (not compiled);
* single simulation (unless --no-single): ``f = jax.jit(sim)`` where
  ``sim(scale)`` sets HH_gNa = scale * gNa via ``data_set`` (so parameters are
  runtime inputs, as in Ranvier) and calls ``jx.integrate``;
  ``first_call_s`` = first call (trace + compile + run), ``run_s`` = best of up
  to --repeats further calls (fewer once --budget-s is spent),
  ``compile_s`` = first_call_s - run_s;
* batches: for each B, ``jax.jit(jax.vmap(sim))`` over B lanes with HH_gNa
  scaled by models.batch_scales(B); ``run_s`` is one call for the whole batch,
  ``per_sim_s`` = run_s / B.  A B is skipped (and all larger ones) when the
  previous B predicts more than --max-batch-call-s (default --max-run-s) for
  one call.

With --trace-dir, the trace (v at the recording site, n_steps + 1 samples,
float64 .npy) of the single run goes to <dir>/<stem>_jaxley.npy and lane 0 of
each batch run (gNa scale 0.9, or 1.0 for B = 1) to <dir>/<stem>_jaxley_B<B>.npy
(stem = models.file_stem).
"""

import argparse
import json
import os
import platform
import sys
import time


def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plan", help="JSON list of {model_file, batch: [...], "
                    "sweep: bool}, run before any --model-file")
    ap.add_argument("--model-file", action="append", default=[],
                    help="repeatable: several models in one process; "
                         "FILE.json:B1,B2 gives that model its own batch sizes")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--budget-s", type=float, default=30.0,
                    help="stop repeating after this much wall time")
    ap.add_argument("--batch", default="", help="comma-separated batch sizes")
    ap.add_argument("--no-single", action="store_true")
    ap.add_argument("--trace-dir", help="write traces here as .npy")
    ap.add_argument("--max-run-s", type=float, default=60.0)
    ap.add_argument("--max-batch-call-s", type=float,
                    help="skip batch sizes predicted to take longer per call "
                         "(default: --max-run-s)")
    ap.add_argument("--max-setup-s", type=float, default=240.0,
                    help="sweep sizes: skip once build + compile is predicted "
                         "to take longer than this")
    ap.add_argument("--sweep", action="store_true",
                    help="models are sizes of a sweep, smallest first: skip "
                         "the rest once one is predicted to exceed --max-run-s")
    ap.add_argument("--warmup", action="store_true",
                    help="build and run a 1-compartment model first, so that "
                         "jax's one-time start-up is not charged to a model")
    ap.add_argument("--xla-single-thread", action="store_true",
                    help="restrict XLA's CPU backend to one thread")
    return ap.parse_args()


args = parse()
if args.xla_single_thread:
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_cpu_multi_thread_eigen=false"
                               " intra_op_parallelism_threads=1").strip()

import numpy as np  # noqa: E402
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp  # noqa: E402
import jaxley as jx  # noqa: E402
from jaxley.channels import HH  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402


def build(spec):
    """Returns (cell, stim_view) with the model of spec, HH everywhere."""
    if spec["kind"] == "tree":
        nseg = spec["nseg"]
        cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=nseg),
                       parents=spec["parents"])
        # Jaxley's length is per compartment; one vectorised set per column.
        cell.set("length", np.repeat(np.asarray(spec["length_um"]) / nseg, nseg))
        cell.set("radius", np.repeat(np.asarray(spec["radius_um"]), nseg))
    elif spec["kind"] == "swc":
        cell = jx.read_swc(spec["swc"], ncomp=spec["ncomp"])
    else:
        raise ValueError(f"unknown model kind {spec['kind']!r}")
    cell.set("axial_resistivity", spec["Ra"])
    cell.set("capacitance", spec["cm"])
    cell.insert(HH())
    for k, v in spec["hh"].items():
        cell.set(f"HH_{k}", v)
    cell.set("v", spec["v_init_mV"])
    cell.init_states()
    st, rec = spec["stim"], spec["record"]
    cur = jx.step_current(st["delay_ms"], st["dur_ms"], st["amp_nA"],
                          spec["dt_ms"], spec["t_max_ms"])
    cell.branch(st["section"]).comp(st["seg"]).stimulate(cur, verbose=False)
    cell.branch(rec["section"]).comp(rec["seg"]).record("v", verbose=False)
    return cell


def timed(f, x):
    w0, c0 = time.perf_counter(), time.process_time()
    y = jax.block_until_ready(f(x))
    return y, time.perf_counter() - w0, time.process_time() - c0


def best_of(f, x, repeats, budget):
    runs, spent = [], 0.0
    for _ in range(max(1, repeats)):
        y, w, c = timed(f, x)
        runs.append({"wall_s": w, "cpu_s": c})
        spent += w
        if spent >= budget:
            break
    b = min(runs, key=lambda r: r["wall_s"])
    return y, b["wall_s"], b["cpu_s"], runs


def run_model(path, batch_sizes):
    spec = models.load(path)
    stem = models.file_stem(spec)
    n_steps = models.n_steps(spec)
    t0, c0 = time.perf_counter(), time.process_time()
    cell = build(spec)
    build_s, build_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    ncomp = int(cell.nodes.shape[0])
    work = ncomp * n_steps
    g_na = spec["hh"]["gNa"]

    def sim(scale):
        ps = cell.data_set("HH_gNa", g_na * scale, None)
        return jx.integrate(cell, param_state=ps, t_max=spec["t_max_ms"],
                            delta_t=spec["dt_ms"])[0]

    out = {"system": "jaxley", "model": spec["name"], "model_file": path,
           "jaxley_version": jx.__version__, "jax_version": jax.__version__,
           "python": f"{sys.executable} {platform.python_version()}",
           "xla_flags": os.environ.get("XLA_FLAGS", ""),
           "n_compartments": ncomp, "n_branches": int(cell.total_nbranches),
           "area_um2": float(cell.nodes["area"].sum()),
           "n_steps": n_steps, "build_s": build_s, "build_cpu_s": build_cpu_s}

    if not args.no_single:
        f = jax.jit(sim)
        x = jnp.asarray(1.0)
        v, first, first_cpu = timed(f, x)
        v, run_s, cpu_s, runs = best_of(f, x, args.repeats, args.budget_s)
        v = np.asarray(v)
        if v.shape != (n_steps + 1,):
            raise RuntimeError(f"trace shape {v.shape}, expected {n_steps + 1}")
        out.update({"batch": 1, "first_call_s": first,
                    "compile_s": max(first - run_s, 0.0), "run_s": run_s,
                    "cpu_s": cpu_s, "runs": runs,
                    "comp_steps_per_s": work / run_s,
                    "ns_per_comp_step": run_s / work * 1e9,
                    "spikes_ms": models.spikes(v, spec["dt_ms"]),
                    "finite": models.isfinite_trace(v)})
        if args.trace_dir:
            p = os.path.join(args.trace_dir, f"{stem}_jaxley.npy")
            np.save(p, v)
            out["trace"] = os.path.abspath(p)

    batches, skipped = [], []
    per_sim_prev = None
    max_call = args.max_batch_call_s or args.max_run_s
    for B in batch_sizes:
        if per_sim_prev is not None and per_sim_prev * B > max_call:
            skipped.append({"batch": B, "reason": f"predicted "
                            f"{per_sim_prev * B:.0f} s per call > "
                            f"{max_call:g} s"})
            continue
        fb = jax.jit(jax.vmap(sim))
        xs = jnp.asarray(models.batch_scales(B))
        vb, first, _ = timed(fb, xs)
        # a slow first call: one more call (without compilation) is enough
        reps = args.repeats if first < args.budget_s else 1
        vb, run_s, cpu_s, runs = best_of(fb, xs, reps, args.budget_s)
        vb = np.asarray(vb)
        e = {"batch": B, "first_call_s": first,
             "compile_s": max(first - run_s, 0.0), "run_s": run_s,
             "cpu_s": cpu_s, "runs": runs, "per_sim_s": run_s / B,
             "comp_steps_per_s": work * B / run_s,
             "finite": bool(np.all(np.isfinite(vb)))}
        if args.trace_dir:
            p = os.path.join(args.trace_dir, f"{stem}_jaxley_B{B}.npy")
            np.save(p, vb[0])
            e["trace_lane0"] = os.path.abspath(p)
        batches.append(e)
        per_sim_prev = run_s / B
    out["batches"] = batches
    out["batches_skipped"] = skipped
    return out


def warmup():
    t0 = time.perf_counter()
    # a tree with branchpoints (unlike "single"); its shapes are those of
    # bintree:2:8, which only the --quick smoke run uses
    spec = models.bintree(2, 8, t_max_ms=1.0)
    cell = build(spec)
    jax.block_until_ready(jax.jit(lambda: jx.integrate(cell, t_max=1.0))())
    return time.perf_counter() - t0


def work_list():
    """[(model file, batch sizes, is a sweep size)] from --plan and
    --model-file (FILE.json:B1,B2 = own batch sizes; --sweep marks them)."""
    todo = []
    if args.plan:
        for p in models.load(args.plan):
            todo.append((p["model_file"], [int(b) for b in p.get("batch", [])],
                         bool(p.get("sweep"))))
    default = [int(b) for b in args.batch.split(",") if b.strip()]
    for arg in args.model_file:
        if ".json:" in arg:
            path, bs = arg.rsplit(":", 1)
            todo.append((path, [int(b) for b in bs.split(",") if b.strip()],
                         args.sweep))
        else:
            todo.append((arg, default, args.sweep))
    return todo


def main():
    if args.trace_dir:
        os.makedirs(args.trace_dir, exist_ok=True)
    warm = warmup() if args.warmup else None
    prev = None     # last finished sweep size
    stop = None     # why the rest of the sweep is skipped
    for path, batches, sweep in work_list():
        if sweep and stop is None and prev is not None:
            spec = models.load(path)
            ratio = spec["n_compartments"] * models.n_steps(spec) / \
                (prev["n_compartments"] * prev["n_steps"])
            pred = prev["run_s"] * ratio
            setup = (prev["build_s"] + prev["compile_s"]) * \
                spec["n_compartments"] / prev["n_compartments"]
            if pred > args.max_run_s:
                stop = (f"predicted {pred:.0f} s per simulation > "
                        f"{args.max_run_s:g} s")
            elif setup > args.max_setup_s:
                stop = (f"predicted build + compile {setup:.0f} s > "
                        f"{args.max_setup_s:g} s")
        if sweep and stop:
            print(json.dumps({"system": "jaxley", "model_file": path,
                              "skipped": stop}), flush=True)
            if not stop.startswith("a smaller"):
                stop = "a smaller size was skipped: " + stop
            continue
        try:
            out = run_model(path, batches)
            out["warmup_s"] = warm
            if sweep and "run_s" in out:
                prev = out
        except Exception as e:  # report and go on with the next model
            out = {"system": "jaxley", "model_file": path,
                   "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate reference traces from real Jaxley (float64, CPU) for Ranvier's tests.

Reads ``cases.json`` (format: ``FORMAT.md``) next to this script, builds every case
with Jaxley, integrates it and writes

* ``<name>.csv``           the array returned by ``jx.integrate`` (transposed),
* ``<name>.continue.csv``  for cases with a ``"continue"`` block,
* ``meta.json``            Jaxley/JAX versions, date, command line, per-case shapes.

Usage::

    python3 tests/reference/jaxley/make_jaxley_refs.py [--only NAME ...]

With ``--only``, the other cases' CSVs are left untouched and their ``meta.json``
entries are kept.
"""

import argparse
import datetime
import json
import os
import platform
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")

import jaxley as jx  # noqa: E402
import jaxley.channels  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_PATH = os.path.join(HERE, "cases.json")
META_PATH = os.path.join(HERE, "meta.json")

CHANNELS = {
    "HH": jaxley.channels.HH,
    "Leak": jaxley.channels.Leak,
    "Na": jaxley.channels.Na,
    "K": jaxley.channels.K,
    "Km": jaxley.channels.Km,
    "CaL": jaxley.channels.CaL,
    "CaT": jaxley.channels.CaT,
}

INTEGRATE_KEYS = {"t_max", "delta_t", "solver", "voltage_solver"}


# ----------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------


def load_cases(path=CASES_PATH):
    with open(path) as f:
        data = json.load(f)
    cases = data["cases"]
    names = [c["name"] for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"duplicate case names: {sorted(dup)}")
    return cases


# ----------------------------------------------------------------------------------
# Model construction
# ----------------------------------------------------------------------------------


def build_module(spec):
    kind = spec["type"]
    if kind == "compartment":
        return jx.Compartment()
    if kind == "branch":
        return jx.Branch(jx.Compartment(), ncomp=int(spec["ncomp"]))
    if kind == "cell":
        parents = [int(p) for p in spec["parents"]]
        ncomp = spec["ncomp"]
        if isinstance(ncomp, list):
            if len(ncomp) != len(parents):
                raise ValueError("cell: len(ncomp) must equal len(parents)")
            branches = [jx.Branch(jx.Compartment(), ncomp=int(k)) for k in ncomp]
            return jx.Cell(branches, parents=parents)
        return jx.Cell(jx.Branch(jx.Compartment(), ncomp=int(ncomp)), parents=parents)
    raise ValueError(f"unknown module type {kind!r}")


def apply_solver_setup(module, setup):
    """`allowed_nodes_per_level` -> Module._init_solver_jaxley_dhs_solve.

    (Jaxley's integrate() docstring calls it `_init_morph_jaxley_dhs_solve`, which does
    not exist in 0.14.0.) k == 1 also sets module._solver_device = "cpu", k > 1 sets
    "gpu", which decides what voltage_solver="jaxley.dhs" resolves to.
    """
    if not setup:
        return
    unknown = set(setup) - {"allowed_nodes_per_level"}
    if unknown:
        raise ValueError(f"unknown solver_setup keys {sorted(unknown)}")
    k = int(setup["allowed_nodes_per_level"])
    module._init_solver_jaxley_dhs_solve(allowed_nodes_per_level=k)


def select_view(module, view):
    unknown = set(view) - {"branch", "comp", "loc"}
    if unknown:
        raise ValueError(f"unknown view keys {sorted(unknown)}")
    if "comp" in view and "loc" in view:
        raise ValueError("view: give either 'comp' or 'loc', not both")
    v = module
    if "branch" in view:
        v = v.branch(view["branch"])
    if "comp" in view:
        v = v.comp(view["comp"])
    elif "loc" in view:
        v = v.loc(float(view["loc"]))
    return v


def make_current(spec):
    """Return a 1-D float64 numpy array for a `current` object."""
    if "step_current" in spec:
        s = spec["step_current"]
        arr = jx.step_current(
            i_delay=float(s["i_delay"]),
            i_dur=float(s["i_dur"]),
            i_amp=float(s["i_amp"]),
            delta_t=float(s["delta_t"]),
            t_max=float(s["t_max"]),
            i_offset=float(s.get("i_offset", 0.0)),
        )
        return np.asarray(arr, dtype=np.float64)
    if "constant" in spec:
        return np.full(int(spec["length"]), float(spec["constant"]), dtype=np.float64)
    if "values" in spec:
        return np.asarray(spec["values"], dtype=np.float64)
    raise ValueError(f"unknown current spec {spec!r}")


def apply_op(module, op):
    kind = op["op"]
    if kind == "set":
        select_view(module, op["view"]).set(op["key"], float(op["value"]))
    elif kind == "insert":
        select_view(module, op["view"]).insert(CHANNELS[op["channel"]]())
    elif kind == "init_states":
        module.init_states(delta_t=float(op["delta_t"]))
    elif kind == "stimulate":
        select_view(module, op["view"]).stimulate(
            make_current(op["current"]), verbose=False
        )
    elif kind == "clamp":
        select_view(module, op["view"]).clamp(
            op["state"], make_current(op["values"]), verbose=False
        )
    elif kind == "record":
        select_view(module, op["view"]).record(op["state"], verbose=False)
    else:
        raise ValueError(f"unknown op {kind!r}")


def build_case(case):
    module = build_module(case["module"])
    apply_solver_setup(module, case.get("solver_setup"))
    for op in case["ops"]:
        apply_op(module, op)
    return module


# ----------------------------------------------------------------------------------
# Running and writing
# ----------------------------------------------------------------------------------


def integrate_kwargs(spec):
    unknown = set(spec) - INTEGRATE_KEYS
    missing = INTEGRATE_KEYS - set(spec)
    if unknown or missing:
        raise ValueError(f"integrate spec: unknown {unknown}, missing {missing}")
    t_max = spec["t_max"]
    return dict(
        t_max=None if t_max is None else float(t_max),
        delta_t=float(spec["delta_t"]),
        solver=spec["solver"],
        voltage_solver=spec["voltage_solver"],
    )


def recording_labels(module):
    states = module.recordings.state.to_numpy()
    return [f"{s}@{i}" for i, s in enumerate(states)]


def write_csv(path, labels, recs):
    recs = np.asarray(recs, dtype=np.float64)
    if recs.ndim != 2 or recs.shape[0] != len(labels):
        raise ValueError(f"unexpected recording shape {recs.shape}")
    if not np.all(np.isfinite(recs)):
        raise ValueError(f"{path}: non-finite values in recordings")
    with open(path, "w") as f:
        f.write("step," + ",".join(labels) + "\n")
        for n in range(recs.shape[1]):
            f.write(str(n) + "," + ",".join("%.17g" % x for x in recs[:, n]) + "\n")


def run_case(case):
    module = build_case(case)
    labels = recording_labels(module)
    first = integrate_kwargs(case["integrate"])
    out = {"labels": labels}
    if "continue" in case:
        recs, states = jx.integrate(module, return_states=True, **first)
        write_csv(os.path.join(HERE, case["name"] + ".csv"), labels, recs)
        second = integrate_kwargs(case["continue"])
        recs2 = jx.integrate(module, all_states=states, **second)
        write_csv(os.path.join(HERE, case["name"] + ".continue.csv"), labels, recs2)
        out["shape"] = list(np.shape(recs))
        out["continue_shape"] = list(np.shape(recs2))
    else:
        recs = jx.integrate(module, **first)
        write_csv(os.path.join(HERE, case["name"] + ".csv"), labels, recs)
        out["shape"] = list(np.shape(recs))
    return out


def write_meta(results, argv):
    meta = {}
    if os.path.exists(META_PATH):
        with open(META_PATH) as f:
            meta = json.load(f)
    old_cases = meta.get("cases", {})
    old_cases.update(results)
    meta = {
        "generator": "tests/reference/jaxley/make_jaxley_refs.py",
        "command": "python3 " + " ".join(argv),
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "jaxley_version": jx.__version__,
        "jax_version": jax.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "platform": jax.default_backend(),
        "jax_enable_x64": bool(jax.config.jax_enable_x64),
        "csv_format": "header step,<state>@<i>; row n = value at t = n*delta_t; %.17g",
        "cases": dict(sorted(old_cases.items())),
    }
    with open(META_PATH, "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def main(argv=None):
    argv = sys.argv if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="cases to run")
    args = parser.parse_args(argv[1:])

    cases = load_cases()
    if args.only:
        known = {c["name"] for c in cases}
        missing = [n for n in args.only if n not in known]
        if missing:
            parser.error(f"unknown case(s): {missing}")
        cases = [c for c in cases if c["name"] in args.only]

    results = {}
    for case in cases:
        res = run_case(case)
        results[case["name"]] = res
        extra = f" + continue {res['continue_shape']}" if "continue_shape" in res else ""
        print(f"{case['name']}: {res['shape']}{extra}", flush=True)
    write_meta(results, argv)


if __name__ == "__main__":
    main()

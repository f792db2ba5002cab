#!/usr/bin/env python3
"""Generate network reference traces from real Jaxley (float64, CPU) for Ranvier's tests.

Reads ``cases.json`` next to this script (format: ``FORMAT.md``), builds every network with
Jaxley (``jx.Network``, ``jaxley.connect``, ``jaxley.synapses``), integrates it and writes

* ``<name>.csv``  the array returned by ``jx.integrate``, transposed: header
  ``step,<state>@<i>``, row n = value at t = n * delta_t, ``%.17g``;
* ``meta.json``   Jaxley/JAX versions, date, per-case shapes.

Usage::

    python3 tests/reference/jaxley_net/make_network_refs.py [--only NAME ...]

Only explicit connections (connect, fully_connect, connectivity_matrix_connect) are used:
Jaxley's sparse_connect draws from numpy's global RNG, which Ranvier does not reproduce.
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")

import jaxley as jx  # noqa: E402
import jaxley.channels  # noqa: E402
import jaxley.synapses  # noqa: E402
import numpy as np  # noqa: E402
from jaxley.connect import connect, connectivity_matrix_connect, fully_connect  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

CHANNELS = {name: getattr(jaxley.channels, name) for name in ["HH", "Leak", "Na", "K", "Km", "CaL", "CaT"]}
SYNAPSES = {
    name: getattr(jaxley.synapses, name)
    for name in ["IonotropicSynapse", "TanhRateSynapse", "TanhConductanceSynapse"]
}


def build_cell(spec):
    ncomp = spec["ncomp"]
    parents = spec.get("parents", [-1])
    if isinstance(ncomp, list):
        branches = [jx.Branch(jx.Compartment(), ncomp=n) for n in ncomp]
    else:
        branches = jx.Branch(jx.Compartment(), ncomp=ncomp)
    cell = jx.Cell(branches, parents=parents)
    for name in spec.get("channels", []):  # inserted into the cell before it joins the network
        cell.insert(CHANNELS[name]())
    if "v" in spec:
        cell.set("v", spec["v"])
    return cell


def view(net, v):
    """A node view: {"cell": i|"all", "branch": j, "comp": k, "loc": x} (keys optional)."""
    out = net
    if "cell" in v:
        out = out.cell(v["cell"])
    if "branch" in v:
        out = out.branch(v["branch"])
    if "comp" in v:
        out = out.comp(v["comp"])
    if "loc" in v:
        out = out.loc(v["loc"])
    return out


def edge_view(net, op):
    out = getattr(net, op["synapse"])
    if "edge" in op:
        out = out.edge(op["edge"])
    return out


def current(c):
    s = c["step_current"]
    return jx.step_current(s["i_delay"], s["i_dur"], s["i_amp"], s["delta_t"], s["t_max"])


def run_case(case):
    net = jx.Network([build_cell(c) for c in case["cells"]])
    labels = []
    for op in case["ops"]:
        kind = op["op"]
        if kind == "insert":
            view(net, op["view"]).insert(CHANNELS[op["channel"]]())
        elif kind == "set":
            view(net, op["view"]).set(op["key"], op["value"])
        elif kind == "connect":
            connect(view(net, op["pre"]), view(net, op["post"]), SYNAPSES[op["synapse"]]())
        elif kind == "fully_connect":
            fully_connect(view(net, op["pre"]), view(net, op["post"]), SYNAPSES[op["synapse"]]())
        elif kind == "connectivity_matrix_connect":
            m = np.asarray([[ch == "1" for ch in row] for row in op["matrix"]], dtype=bool)
            connectivity_matrix_connect(view(net, op["pre"]), view(net, op["post"]), SYNAPSES[op["synapse"]](), m)
        elif kind == "set_edge":
            edge_view(net, op).set(op["key"], op["value"])
        elif kind == "make_trainable_edge":
            edge_view(net, op).make_trainable(op["key"])
        elif kind == "stimulate":
            view(net, op["view"]).stimulate(current(op["current"]), verbose=False)
        elif kind == "record":
            v = view(net, op["view"])
            n = len(v.nodes)
            v.record(op["state"], verbose=False)
            labels += [f"{op['state']}@{i}" for i in range(n)]
        elif kind == "record_edge":
            v = edge_view(net, op)
            n = len(v.edges)
            v.record(op["state"], verbose=False)
            labels += [f"{op['state']}@{i}" for i in range(n)]
        else:
            raise ValueError(f"unknown op {kind}")
    spec = case["integrate"]
    kwargs = {k: spec[k] for k in ["t_max", "delta_t", "solver", "voltage_solver"]}
    if "params" in spec:
        params = net.get_parameters()
        assert len(params) == len(spec["params"]), (params, spec["params"])
        for p, values in zip(params, spec["params"]):
            key = next(iter(p))
            assert p[key].shape == (len(values),), (key, p[key].shape, values)
            p[key] = jax.numpy.asarray(values, dtype=float)
        kwargs["params"] = params
    if "data_set" in spec:
        pstate = None
        for d in spec["data_set"]:
            pstate = edge_view(net, d).data_set(d["key"], d["value"], pstate)
        kwargs["param_state"] = pstate
    recs = np.asarray(jx.integrate(net, **kwargs))
    assert recs.shape[0] == len(labels), (recs.shape, labels)
    return labels, recs


def write_csv(path, labels, recs):
    with open(path, "w") as f:
        f.write("step," + ",".join(labels) + "\n")
        for n in range(recs.shape[1]):
            f.write(str(n) + "," + ",".join("%.17g" % x for x in recs[:, n]) + "\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)["cases"]
    meta_path = os.path.join(HERE, "meta.json")
    meta = {"cases": {}}
    if args.only and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
    for case in cases:
        if args.only and case["name"] not in args.only:
            continue
        labels, recs = run_case(case)
        write_csv(os.path.join(HERE, case["name"] + ".csv"), labels, recs)
        meta["cases"][case["name"]] = {"recordings": len(labels), "samples": int(recs.shape[1])}
        print(f"{case['name']}: {recs.shape}", flush=True)
    meta.update({
        "jaxley": importlib.metadata.version("jaxley"),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python3 tests/reference/jaxley_net/make_network_refs.py " + " ".join(argv),
        "precision": "float64 (jax_enable_x64), CPU",
    })
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])

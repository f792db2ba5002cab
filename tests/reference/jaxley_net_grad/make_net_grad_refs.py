#!/usr/bin/env python3
"""Reference gradients of network simulations from real Jaxley (jax.value_and_grad, float64, CPU).

Reads ``cases.json`` next to this script (format: ``FORMAT.md``): networks in the format of
``../jaxley_net/cases.json`` plus the op ``make_trainable`` (node views) and a ``loss`` as in
``../jaxley_grad``. For every case it writes ``<name>.json`` with the loss and
d loss / d params of ``jax.value_and_grad(loss)(net.get_parameters())`` (one list per
make_trainable / make_trainable_edge call, in the order of get_parameters()), in the format
of ``../jaxley_grad/<name>.json``. Usage::

    python3 tests/reference/jaxley_net_grad/make_net_grad_refs.py [--only NAME ...] [--check]

``--check`` also compares, for every case run, the gradient of every parameter value
against a central finite difference of Jaxley's own loss (relative step 1e-6)
and prints both; it writes nothing extra.
"""

import argparse
import json
import os
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")

import jaxley as jx  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "jaxley_net"))
sys.path.insert(0, os.path.join(HERE, "..", "jaxley_grad"))
import make_network_refs as netrefs  # noqa: E402  (network building shared with the trace references)
from make_grad_refs import loss_of, write_reference  # noqa: E402  (shared with the single-cell gradients)


def build_network(case):
    """The network of ``case`` with its ops applied (jaxley_net ops + make_trainable)."""
    net = jx.Network([netrefs.build_cell(c) for c in case["cells"]])
    for op in case["ops"]:
        kind = op["op"]
        if kind == "insert":
            netrefs.view(net, op["view"]).insert(netrefs.CHANNELS[op["channel"]]())
        elif kind == "set":
            netrefs.view(net, op["view"]).set(op["key"], op["value"])
        elif kind in ("connect", "fully_connect"):
            fn = netrefs.connect if kind == "connect" else netrefs.fully_connect
            fn(netrefs.view(net, op["pre"]), netrefs.view(net, op["post"]), netrefs.SYNAPSES[op["synapse"]]())
        elif kind == "connectivity_matrix_connect":
            m = np.asarray([[ch == "1" for ch in row] for row in op["matrix"]], dtype=bool)
            netrefs.connectivity_matrix_connect(netrefs.view(net, op["pre"]), netrefs.view(net, op["post"]),
                                                netrefs.SYNAPSES[op["synapse"]](), m)
        elif kind == "set_edge":
            netrefs.edge_view(net, op).set(op["key"], op["value"])
        elif kind == "make_trainable_edge":
            netrefs.edge_view(net, op).make_trainable(op["key"], verbose=False)
        elif kind == "make_trainable":
            # Grouping follows the view's last indexing call (Jaxley's controlled_by_param):
            # {} -> one value for the whole network, {"cell": "all"} -> one per cell, ...
            netrefs.view(net, op["view"]).make_trainable(op["key"], verbose=False)
        elif kind == "stimulate":
            netrefs.view(net, op["view"]).stimulate(netrefs.current(op["current"]), verbose=False)
        elif kind == "record":
            netrefs.view(net, op["view"]).record(op["state"], verbose=False)
        elif kind == "record_edge":
            netrefs.edge_view(net, op).record(op["state"], verbose=False)
        else:
            raise ValueError(f"unknown op {kind}")
    return net


def make_loss(case, net):
    spec = case["integrate"]
    kwargs = {k: spec[k] for k in ["t_max", "delta_t", "solver", "voltage_solver"]}

    def loss(params):
        return loss_of(case, jx.integrate(net, params=params, **kwargs))

    return loss


def fd_check(loss, params, grads, rel=1e-6):
    """Central differences (step rel * |value|) of every parameter value."""
    f = jax.jit(loss)
    for i, p in enumerate(params):
        key = next(iter(p))
        for j in range(p[key].shape[0]):
            x = float(p[key][j])
            h = rel * abs(x) if x != 0 else rel

            def at(v):
                q = list(params)
                q[i] = {key: p[key].at[j].set(v)}
                return float(f(q))

            fd = (at(x + h) - at(x - h)) / (2 * h)
            g = float(grads[i][key][j])
            err = abs(g - fd) / max(abs(fd), 1e-300)
            print(f"  check {key}[{j}] = {x:.6g}: grad {g:.10g}  fd {fd:.10g}  rel.err {err:.2e}")


def run_case(case, check=False):
    net = build_network(case)
    loss = make_loss(case, net)
    params = net.get_parameters()
    start = time.time()
    value, grads = jax.value_and_grad(loss)(params)
    seconds = time.time() - start
    out = write_reference(HERE, case["name"], value, params, grads, seconds,
                          "python3 tests/reference/jaxley_net_grad/make_net_grad_refs.py")
    shapes = ", ".join(f"{k}[{len(v)}]" for p in out["params"] for k, v in p.items())
    print(f"{case['name']}: loss {float(value):.10g} ({seconds:.1f} s); params {shapes}", flush=True)
    if check:
        fd_check(loss, params, grads)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--check", action="store_true", help="compare with central finite differences")
    args = ap.parse_args(argv)
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)["cases"]
    for case in cases:
        if args.only and case["name"] not in args.only:
            continue
        run_case(case, check=args.check)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference gradients from real Jaxley (jax.grad, float64, CPU) for Ranvier's adjoint.

Reads ``cases.json`` next to this script. A case is a model in the format of
``../jaxley/cases.json`` (module, ops; module type ``"swc"`` reads ``file`` from
``shared/data/morphologies`` beside the repository with ``ncomp``), plus

* ``trainables``: ``[{"view": {...}, "key": ..., "init": optional}]``, applied in order
  with ``make_trainable`` (the view's last indexing call sets the grouping);
* ``loss``: ``{"type": "mse", "target": mV}`` = mean((recs - target)^2) over all
  recordings and samples, or ``{"type": "weighted"}`` = sum(recs * w) with
  w[r, k] = cos(0.05 k + r) / n_samples;
* ``param_state``: optional ``[{"view": {...}, "key": ..., "value": ...}]``, chained
  ``data_set`` calls passed to integrate (they override trainables);
* ``solver_setup``: optional, as in ../jaxley;
* ``data_stimulus``: optional ``{"view": {...}, "current": {...}}``, a ``data_stimulate``
  current whose gradient (one value per sample) is written as ``stimulus_grad``;
* ``continue_first``: optional ``{"t_max": ms}``: a first run (return_states=True) whose
  states are passed as ``all_states`` to the differentiated run;
* ``integrate``: as in ../jaxley plus optional ``checkpoint_lengths``.

For every case it writes ``<name>.json`` with the loss and d loss / d params of
``jax.value_and_grad(loss)(module.get_parameters())`` (one list per make_trainable call,
in the order of get_parameters()). Usage::

    python3 tests/reference/jaxley_grad/make_grad_refs.py [--only NAME ...]
"""

import argparse
import datetime
import json
import os
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")

import jax.numpy as jnp  # noqa: E402
import jaxley as jx  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "jaxley"))
import make_jaxley_refs as base  # noqa: E402  (module building shared with the trace references)

MORPH_DIR = os.path.normpath(os.path.join(HERE, "../../../..", "shared", "data", "morphologies"))


def build_module(spec):
    if spec["type"] == "swc":
        return jx.read_swc(os.path.join(MORPH_DIR, spec["file"]), ncomp=int(spec["ncomp"]))
    return base.build_module(spec)


def build_case(case):
    module = build_module(case["module"])
    base.apply_solver_setup(module, case.get("solver_setup"))
    for op in case["ops"]:
        base.apply_op(module, op)
    for t in case["trainables"]:
        view = base.select_view(module, t["view"])
        view.make_trainable(t["key"], t.get("init"), verbose=False)
    return module


def loss_of(case, recs):
    loss = case["loss"]
    if loss["type"] == "mse":
        return jnp.mean((recs - float(loss["target"])) ** 2)
    if loss["type"] == "weighted":
        n_rec, n_samples = recs.shape
        k = jnp.arange(n_samples)[None, :]
        r = jnp.arange(n_rec)[:, None]
        w = jnp.cos(0.05 * k + r) / n_samples
        return jnp.sum(recs * w)
    raise ValueError(f"unknown loss {loss!r}")


def run_case(case):
    module = build_case(case)
    spec = dict(case["integrate"])
    checkpoints = spec.pop("checkpoint_lengths", None)
    kwargs = base.integrate_kwargs(spec)
    if checkpoints is not None:
        kwargs["checkpoint_lengths"] = [int(c) for c in checkpoints]

    stim = case.get("data_stimulus")
    current = jnp.asarray(base.make_current(stim["current"])) if stim else None

    all_states = None
    if "continue_first" in case:
        # Continuation: the states after a first run (at the same params) start the run
        # that is differentiated (Jaxley's all_states).
        first = dict(kwargs, t_max=float(case["continue_first"]["t_max"]))
        _, all_states = jx.integrate(module, params=module.get_parameters(), return_states=True, **first)

    def loss(params, current):
        data_stimuli = None
        if stim:
            data_stimuli = base.select_view(module, stim["view"]).data_stimulate(current, None)
        param_state = None
        for ps in case.get("param_state", []):
            view = base.select_view(module, ps["view"])
            param_state = view.data_set(ps["key"], float(ps["value"]), param_state)
        recs = jx.integrate(module, params=params, param_state=param_state, data_stimuli=data_stimuli,
                            all_states=all_states, **kwargs)
        return loss_of(case, recs)

    params = module.get_parameters()
    start = time.time()
    value, (grads, current_grad) = jax.value_and_grad(loss, argnums=(0, 1))(params, current)
    seconds = time.time() - start
    extra = {"stimulus_grad": None if current is None else [float(x) for x in current_grad]}
    write_reference(HERE, case["name"], value, params, grads, seconds, "python3 tests/reference/jaxley_grad/make_grad_refs.py",
                    extra)
    print(f"{case['name']}: loss {float(value):.10g} ({seconds:.1f} s)")


def write_reference(directory, name, value, params, grads, seconds, command, extra=None):
    """``<directory>/<name>.json``: loss, params and grads (one ``{key: [values]}`` per
    get_parameters() entry), the seconds Jaxley took, ``extra`` entries, and provenance.
    Returns the written dict."""
    out = {
        "name": name,
        "loss": float(value),
        "params": [{k: [float(x) for x in v]} for p in params for k, v in p.items()],
        "grads": [{k: [float(x) for x in v]} for g in grads for k, v in g.items()],
        "jaxley_seconds": round(seconds, 2),
        **(extra or {}),
        "generated": {
            "jaxley": jx.__version__ if hasattr(jx, "__version__") else "unknown",
            "jax": jax.__version__,
            "date": datetime.date.today().isoformat(),
            "command": command,
        },
    }
    with open(os.path.join(directory, name + ".json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args(argv)
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)["cases"]
    for case in cases:
        if args.only and case["name"] not in args.only:
            continue
        run_case(case)


if __name__ == "__main__":
    main()

"""Runs one converted tutorial with ``jaxley`` or ``ranvier`` and records what it computed.

Usage: ``driver.py PACKAGE SCRIPT OUT_DIR``. Before the script runs, ``PACKAGE.integrate`` is
wrapped so that every call that returns concrete values (not a JAX tracer) has its result saved
in call order; the script then runs as ``__main__`` in its own directory. ``OUT_DIR`` receives
``traces.npz`` (``call_0000``, ...) and ``result.json`` (ran to the end, or the first error with
its line in the script).
"""
from __future__ import annotations

import importlib
import json
import os
import random
import runpy
import sys
import time
import traceback
from pathlib import Path

import numpy as np


def _concrete(x):
    """``x`` as a float64 numpy array, or None when it is a tracer or not numeric."""
    try:
        a = np.asarray(x)
    except Exception:  # a JAX tracer refuses conversion: the call ran inside jit/vmap/grad
        return None
    return a.astype(np.float64) if a.dtype.kind in "fiub" else None


def _wrap_integrate(package, traces: list):
    original = package.integrate

    def integrate(*args, **kwargs):
        out = original(*args, **kwargs)
        first = out[0] if isinstance(out, tuple) else out
        a = _concrete(first)
        if a is not None:
            traces.append(a)
        return out

    integrate.__doc__ = original.__doc__
    package.integrate = integrate


def main(package_name: str, script: str, out_dir: str) -> int:
    import jax

    jax.config.update("jax_enable_x64", True)  # the comparison is in float64 (scripts may set it again)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    traces: list = []
    package = importlib.import_module(package_name)
    _wrap_integrate(package, traces)
    os.chdir(Path(script).parent)
    # Tutorials draw parameters with unseeded np.random: seed it so both packages see the same draws.
    np.random.seed(0)
    random.seed(0)
    start = time.perf_counter()
    result = {"package": package_name, "script": Path(script).name, "ran_to_end": True}
    try:
        runpy.run_path(script, run_name="__main__")
    except BaseException as e:  # SystemExit included: the tutorial did not run to its end
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == str(Path(script).resolve()) or
                  Path(f.filename).name == Path(script).name]
        result.update(ran_to_end=False, error=f"{type(e).__name__}: {e}".splitlines()[0][:400],
                      line=frames[-1].lineno if frames else None,
                      source=frames[-1].line if frames else None)
    result["seconds"] = round(time.perf_counter() - start, 2)
    result["n_traces"] = len(traces)
    np.savez(out / "traces.npz", **{f"call_{i:04d}": t for i, t in enumerate(traces)})
    (out / "result.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

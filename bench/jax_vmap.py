#!/usr/bin/env python3
"""Cost of Ranvier's JAX bridge: ``jax.jit(jax.vmap(simulate))`` over B parameter sets (the
forward pass of tutorial 04, through ``data_set``) against ``ranvier.integrate``'s batch API on
the same model and values (inputs with a leading lane axis). Both make ONE batched call into
Ranvier; the difference is the callback's overhead. Small by design (the machine is shared)::

    build/venv/bin/python bench/jax_vmap.py [--lanes 64] [--repeats 5] [--t-max 10]

It also counts LLVM compilations: the first jitted call compiles the batched kernel once; later
calls, and the batch API on the same model, reuse it.
"""
import argparse
import importlib
import time

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import ranvier as jx  # noqa: E402

DT = 0.025  # ms


def build(t_max, pkg=jx):
    """Tutorial 04's cell (7 branches of 4 compartments, Pospischil Na/K/Leak) in ``pkg``
    (ranvier, or real jaxley for the side-by-side run)."""
    channels = importlib.import_module(f"{pkg.__name__}.channels")
    cell = pkg.Cell(pkg.Branch(pkg.Compartment(), ncomp=4), parents=[-1, 0, 0, 1, 1, 2, 2])
    cell.insert(channels.Na())
    cell.insert(channels.K())
    cell.insert(channels.Leak())
    cell.branch(0).loc(0.0).stimulate(pkg.step_current(1.0, 1.0, 0.1, DT, t_max), verbose=False)
    cell.branch(0).loc(0.0).record(verbose=False)
    return cell


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lanes", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--t-max", type=float, default=10.0, help="ms")
    ap.add_argument("--jaxley", action="store_true", help="also time real Jaxley's jit(vmap) of the same function")
    args = ap.parse_args()
    cell = build(args.t_max)
    params = np.random.default_rng(0).uniform([0.05, 0.01], [0.5, 0.1], size=(args.lanes, 2))  # gNa, gK (S/cm^2)

    def simulate(p):
        ps = cell.data_set("Na_gNa", p[0], None)
        ps = cell.data_set("K_gK", p[1], ps)
        return jx.integrate(cell, param_state=ps, delta_t=DT)

    vmapped = jax.jit(jax.vmap(simulate))
    p_jax = jnp.asarray(params)
    compiled_before = jx.compilations()
    t0 = time.perf_counter()
    first = np.asarray(vmapped(p_jax))
    t_first = time.perf_counter() - t0
    compiled_first = jx.compilations() - compiled_before

    def batch_api():
        ps = cell.data_set("Na_gNa", params[:, :1], None)
        ps = cell.data_set("K_gK", params[:, 1:], ps)
        return jx.integrate(cell, param_state=ps, delta_t=DT)

    assert np.allclose(batch_api(), first, rtol=0, atol=1e-10), "the two paths disagree"
    # Interleaved, so that a change of the machine's load hits both paths alike.
    t_vmap, t_batch = float("inf"), float("inf")
    for _ in range(args.repeats):
        t_vmap = min(t_vmap, best_of(1, lambda: vmapped(p_jax).block_until_ready()))
        t_batch = min(t_batch, best_of(1, batch_api))
    compiled_later = jx.compilations() - compiled_before - compiled_first
    n_steps = first.shape[-1] - 1
    print(f"{args.lanes} lanes, {cell.n_comp} compartments, {n_steps} steps (best of {args.repeats})")
    print(f"  jit(vmap(simulate)), first call (trace + compile): {t_first * 1e3:9.1f} ms")
    print(f"  jit(vmap(simulate)):                               {t_vmap * 1e3:9.1f} ms")
    print(f"  ranvier.integrate batch API:                       {t_batch * 1e3:9.1f} ms")
    print(f"  LLVM compilations: {compiled_first} in the first jitted call, {compiled_later} in all later calls of both paths")
    print(f"  overhead of the JAX bridge:                        {(t_vmap - t_batch) * 1e3:9.1f} ms "
          f"({t_vmap / t_batch:.2f}x)")
    if args.jaxley:
        time_jaxley(args, params, first)


def time_jaxley(args, params, ranvier_traces):
    """The same jit(vmap(simulate)) with real Jaxley 0.14: its time and its agreement with Ranvier."""
    import jaxley

    cell = build(args.t_max, jaxley)

    def simulate(p):
        ps = cell.data_set("Na_gNa", p[0], None)
        ps = cell.data_set("K_gK", p[1], ps)
        return jaxley.integrate(cell, param_state=ps, delta_t=DT)

    vmapped = jax.jit(jax.vmap(simulate))
    p_jax = jnp.asarray(params)
    t0 = time.perf_counter()
    traces = np.asarray(vmapped(p_jax))
    t_first = time.perf_counter() - t0
    t_run = best_of(args.repeats, lambda: vmapped(p_jax).block_until_ready())
    diff = float(np.max(np.abs(traces - ranvier_traces)))
    print(f"  Jaxley 0.14 jit(vmap(simulate)), first call:       {t_first * 1e3:9.1f} ms")
    print(f"  Jaxley 0.14 jit(vmap(simulate)):                   {t_run * 1e3:9.1f} ms   max |v| difference to Ranvier: {diff:.1e} mV")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Cost of Ranvier's JAX bridge: ``jax.jit(jax.vmap(simulate))`` over B parameter sets (the
forward pass of tutorial 04, through ``data_set``) against ``ranvier.integrate``'s batch API on
the same model and values (inputs with a leading lane axis). Both make ONE batched call into
Ranvier; the difference is the callback's overhead. Small by design (the machine is shared)::

    build/venv/bin/python bench/jax_vmap.py [--lanes 64] [--repeats 5]
"""
import argparse
import time

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import ranvier as jx  # noqa: E402
from ranvier.channels import K, Leak, Na  # noqa: E402

DT, T_MAX = 0.025, 10.0  # ms


def build():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=4), parents=[-1, 0, 0, 1, 1, 2, 2])
    cell.insert(Na())
    cell.insert(K())
    cell.insert(Leak())
    cell.branch(0).loc(0.0).stimulate(jx.step_current(1.0, 1.0, 0.1, DT, T_MAX), verbose=False)
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
    args = ap.parse_args()
    cell = build()
    params = np.random.default_rng(0).uniform([0.05, 0.01], [0.5, 0.1], size=(args.lanes, 2))  # gNa, gK (S/cm^2)

    def simulate(p):
        ps = cell.data_set("Na_gNa", p[0], None)
        ps = cell.data_set("K_gK", p[1], ps)
        return jx.integrate(cell, param_state=ps, delta_t=DT)

    vmapped = jax.jit(jax.vmap(simulate))
    p_jax = jnp.asarray(params)
    t0 = time.perf_counter()
    first = np.asarray(vmapped(p_jax))
    t_first = time.perf_counter() - t0

    def batch_api():
        ps = cell.data_set("Na_gNa", params[:, :1], None)
        ps = cell.data_set("K_gK", params[:, 1:], ps)
        return jx.integrate(cell, param_state=ps, delta_t=DT)

    assert np.allclose(batch_api(), first, rtol=0, atol=1e-10), "the two paths disagree"
    t_vmap = best_of(args.repeats, lambda: vmapped(p_jax).block_until_ready())
    t_batch = best_of(args.repeats, batch_api)
    n_steps = first.shape[-1] - 1
    print(f"{args.lanes} lanes, {cell.n_comp} compartments, {n_steps} steps (best of {args.repeats})")
    print(f"  jit(vmap(simulate)), first call (trace + compile): {t_first * 1e3:9.1f} ms")
    print(f"  jit(vmap(simulate)):                               {t_vmap * 1e3:9.1f} ms")
    print(f"  ranvier.integrate batch API:                       {t_batch * 1e3:9.1f} ms")
    print(f"  overhead of the JAX bridge:                        {(t_vmap - t_batch) * 1e3:9.1f} ms "
          f"({t_vmap / t_batch:.2f}x)")


if __name__ == "__main__":
    main()

"""Shared by the Jaxley gradient benchmarks (jaxley_gradient_*.py): jx.integrate of a module
jitted, and jax.value_and_grad of mean((v - (-60))^2) jitted, each timed after compilation
(best of 3), printed with the loss, one gradient entry and the process's peak memory."""
import resource
import time

import jax
import jax.numpy as jnp
import jaxley as jx


def timed(f, *a):
    t0 = time.perf_counter()
    out = jax.block_until_ready(f(*a))
    return out, time.perf_counter() - t0


def report(module, t_max, label, first_key):
    """Time and print; `first_key` names the trainable whose first gradient is printed."""
    params = module.get_parameters()

    def loss(p):
        v = jx.integrate(module, params=p, t_max=t_max)
        return jnp.mean((v + 60.0) ** 2)

    fwd = jax.jit(lambda p: jx.integrate(module, params=p, t_max=t_max))
    vg = jax.jit(jax.value_and_grad(loss))
    _, c1 = timed(fwd, params)
    t1 = min(timed(fwd, params)[1] for _ in range(3))
    (val, g), c2 = timed(vg, params)
    t2 = min(timed(vg, params)[1] for _ in range(3))
    first = next(entry[first_key][0] for entry in g if first_key in entry)
    print(f"jaxley {jx.__version__ if hasattr(jx, '__version__') else ''} jax {jax.__version__}: {label}, t_max {t_max} ms")
    print(f"forward (jit):        compile+run {c1:.2f} s, run {t1:.4f} s (best of 3)")
    print(f"value_and_grad (jit): compile+run {c2:.2f} s, run {t2:.4f} s (best of 3), {t2 / t1:.1f}x the forward; "
          f"loss {float(val):.6f}, dL/d{first_key}[0] {float(first):.6e}")
    print(f"peak resident memory of this process (compilation included): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

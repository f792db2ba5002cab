"""Jaxley side of bench_gradient_network.cpp: the same 20-cell network (5 branches x 4
compartments per cell, HH, IonotropicSynapses from each soma onto cells i+1, i+5 and i+11
mod 20 at branch 1 comp 3, gS 2e-4 uS, a step current into every fifth cell, v recorded at
every soma), the same loss mean((v - (-60))^2) w.r.t. gS per edge and gNa per cell, timed as
jax.jit(jax.value_and_grad) (float64, CPU) after compilation, against the jitted forward.
Prints the loss and d loss / d gS[0] to compare with Ranvier's.

    python3 bench/jaxley_gradient_network.py [t_max_ms=50]
"""
import resource
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp  # noqa: E402
import jaxley as jx  # noqa: E402
from jaxley.channels import HH  # noqa: E402
from jaxley.connect import connect  # noqa: E402
from jaxley.synapses import IonotropicSynapse  # noqa: E402

N_CELLS = 20
t_max = float(sys.argv[1]) if len(sys.argv) > 1 else 50.0

cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=4), parents=[-1, 0, 0, 1, 1])
net = jx.Network([cell] * N_CELLS)
net.insert(HH())
for i in range(N_CELLS):
    for offset in (1, 5, 11):
        connect(net.cell(i).branch(0).comp(0), net.cell((i + offset) % N_CELLS).branch(1).comp(3), IonotropicSynapse())
net.IonotropicSynapse.set("IonotropicSynapse_gS", 2e-4)
for i in range(0, N_CELLS, 5):
    net.cell(i).branch(0).comp(0).stimulate(jx.step_current(1.0, 5.0, 0.3, 0.025, t_max), verbose=False)
for i in range(N_CELLS):
    net.cell(i).branch(0).comp(0).record("v", verbose=False)
net.IonotropicSynapse.edge("all").make_trainable("IonotropicSynapse_gS", verbose=False)
net.cell("all").make_trainable("HH_gNa", verbose=False)
params = net.get_parameters()


def loss(p):
    v = jx.integrate(net, params=p, t_max=t_max)
    return jnp.mean((v + 60.0) ** 2)


def timed(f, *a):
    t0 = time.perf_counter()
    out = jax.block_until_ready(f(*a))
    return out, time.perf_counter() - t0


fwd = jax.jit(lambda p: jx.integrate(net, params=p, t_max=t_max))
vg = jax.jit(jax.value_and_grad(loss))
_, c1 = timed(fwd, params)
t1 = min(timed(fwd, params)[1] for _ in range(3))
(val, g), c2 = timed(vg, params)
t2 = min(timed(vg, params)[1] for _ in range(3))
print(f"jaxley {jx.__version__ if hasattr(jx, '__version__') else ''} jax {jax.__version__}: {N_CELLS} cells, t_max {t_max} ms")
print(f"forward (jit):        compile+run {c1:.2f} s, run {t1:.4f} s (best of 3)")
print(f"value_and_grad (jit): compile+run {c2:.2f} s, run {t2:.4f} s (best of 3), {t2 / t1:.1f}x the forward; "
      f"loss {float(val):.6f}, dL/dgS[0] {float(g[0]['IonotropicSynapse_gS'][0]):.6e}")
print(f"peak resident memory of this process (compilation included): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

"""Jaxley side of bench_gradient_network.cpp: the same 20-cell network (5 branches x 4
compartments per cell, HH, IonotropicSynapses from each soma onto cells i+1, i+5 and i+11
mod 20 at branch 1 comp 3, gS 2e-4 uS, a step current into every fifth cell, v recorded at
every soma), the same loss mean((v - (-60))^2) w.r.t. gS per edge and gNa per cell, timed as
jax.jit(jax.value_and_grad) (float64, CPU) after compilation, against the jitted forward.
Prints the loss and d loss / d gS[0] to compare with Ranvier's.

    python3 bench/jaxley_gradient_network.py [t_max_ms=50]
"""
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jaxley as jx  # noqa: E402
from jaxley_grad_timing import report  # noqa: E402
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
report(net, t_max, f"{N_CELLS} cells", "IonotropicSynapse_gS")

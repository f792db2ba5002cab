"""A batched parameter sweep: 1000 (gNa, gK) sets of an HH cell simulated in ONE compiled
call (where Jaxley users write jax.vmap over integrate), then a second sweep with new values
that reuses the compiled kernels. Plots spike counts to examples/out/sweep.png.

    python3 examples/sweep.py

Batching rule: inputs carry one extra leading axis of length B (params entries (B, n_groups),
data_set values (B, n) or (B, 1), data_stimulate arrays (B, n, T)); see help(ranvier.integrate).
"""
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import ranvier as jx
from ranvier.channels import HH

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")

cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=4), parents=[-1, 0, 0])
cell.insert(HH())
cell.set("v", -65.0)
cell.init_states()
cell.branch(0).comp(0).stimulate(jx.step_current(2.0, 40.0, 0.05, 0.025, 50.0), verbose=False)
cell.branch(0).comp(0).record("v", verbose=False)
cell.make_trainable("HH_gNa", verbose=False)
cell.make_trainable("HH_gK", verbose=False)

B = 1000
rng = np.random.default_rng(0)
gna = rng.uniform(0.04, 0.2, size=(B, 1))  # S/cm^2, one row per simulation
gk = rng.uniform(0.01, 0.08, size=(B, 1))

n0 = jx.compilations()
t0 = time.perf_counter()
v = jx.integrate(cell, params=[{"HH_gNa": gna}, {"HH_gK": gk}], t_max=50.0)  # (B, 1, T + 1)
t1 = time.perf_counter()
v_new = jx.integrate(cell, params=[{"HH_gNa": gna * 1.1}, {"HH_gK": gk}], t_max=50.0)
t2 = time.perf_counter()
print(f"{B} simulations, output {v.shape}: {t1 - t0:.3f} s (first call, {jx.compilations() - n0} LLVM compilation(s)), "
      f"{t2 - t1:.3f} s (new values, {jx.compilations() - n0} compilation(s) in total)")

trace = v[:, 0, :]
spikes = ((trace[:, 1:] >= 0.0) & (trace[:, :-1] < 0.0)).sum(axis=1)
fig, ax = plt.subplots(figsize=(6, 5))
sc = ax.scatter(gna[:, 0], gk[:, 0], c=spikes, s=12, cmap="viridis")
fig.colorbar(sc, label="spikes in 50 ms")
ax.set_xlabel("HH_gNa (S/cm^2)")
ax.set_ylabel("HH_gK (S/cm^2)")
ax.set_title(f"{B}-lane batched sweep (one compiled call)")
fig.tight_layout()
os.makedirs(OUT, exist_ok=True)
path = os.path.join(OUT, "sweep.png")
fig.savefig(path, dpi=120)
print(f"wrote {path}; spike counts range {spikes.min()}..{spikes.max()}")

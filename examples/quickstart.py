"""Quick start: an HH cell with a few branches, stimulated at the soma, simulated with
Ranvier's Jaxley-compatible Python API, plotted to examples/out/quickstart.png.

    pip install .            # from the repository root
    python3 examples/quickstart.py
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

# A cell of 5 branches with 4 compartments each: branch 0 is the root, 1 and 2 its children,
# 3 and 4 the children of 1 (Jaxley's units: um, ms, mV, nA).
comp = jx.Compartment()
branch = jx.Branch(comp, ncomp=4)
cell = jx.Cell(branch, parents=[-1, 0, 0, 1, 1])
cell.set("radius", 1.0)
cell.branch(0).set("radius", 2.0)
cell.insert(HH())
cell.set("v", -65.0)
cell.init_states()

dt, t_max = 0.025, 30.0
current = jx.step_current(i_delay=2.0, i_dur=20.0, i_amp=0.4, delta_t=dt, t_max=t_max)
cell.branch(0).loc(0.0).stimulate(current)
for b in range(5):
    cell.branch(b).loc(1.0).record("v")
cell.branch(3).loc(1.0).record("HH_m")

t0 = time.perf_counter()
v = jx.integrate(cell, delta_t=dt, t_max=t_max)  # (n_recordings, T + 1)
t1 = time.perf_counter()
v2 = jx.integrate(cell, delta_t=dt, t_max=t_max)  # compiled kernels are cached
t2 = time.perf_counter()
print(f"recordings {v.shape}; first integrate {1e3 * (t1 - t0):.1f} ms (with compilation), "
      f"second {1e3 * (t2 - t1):.2f} ms; LLVM compilations so far: {jx.compilations()}")
assert np.array_equal(v, v2)

time_axis = np.arange(v.shape[1]) * dt
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
for b in range(5):
    ax1.plot(time_axis, v[b], label=f"branch {b}, loc 1.0")
ax1.set_ylabel("v (mV)")
ax1.legend(fontsize=8)
ax1.set_title("HH cell, 5 branches x 4 compartments (Ranvier)")
ax2.plot(time_axis, v[5], color="k")
ax2.set_ylabel("HH_m, branch 3")
ax2.set_xlabel("time (ms)")
fig.tight_layout()
os.makedirs(OUT, exist_ok=True)
path = os.path.join(OUT, "quickstart.png")
fig.savefig(path, dpi=120)
print(f"wrote {path}")

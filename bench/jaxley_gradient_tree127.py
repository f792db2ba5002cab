"""Jaxley side of bench_gradient_tree127.cpp: the same model (bench/tree127.json, 1016
compartments, HH, per-branch gNa/gK/gLeak and radius trainable, module-level axial
resistivity), the same loss mean((v - (-60))^2) at branch 0 comp 0 and branch 100 comp 7,
timed as jax.jit(jax.value_and_grad) (float64, CPU) after compilation (best of 3), against
the jitted forward pass. Also prints d loss / d gNa[0] to compare with Ranvier's.

    python3 bench/jaxley_gradient_tree127.py [bench/tree127.json] [t_max_ms]
"""
import json
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jaxley as jx  # noqa: E402
from jaxley_grad_timing import report  # noqa: E402
from jaxley.channels import HH  # noqa: E402

path = sys.argv[1] if len(sys.argv) > 1 else "bench/tree127.json"
t_max = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
spec = json.load(open(path))
nseg = spec["nseg"]
cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=nseg), parents=spec["parents"])
for b, (length, radius) in enumerate(zip(spec["length_um"], spec["radius_um"])):
    cell.branch(b).set("length", length / nseg)
    cell.branch(b).set("radius", radius)
cell.set("axial_resistivity", spec["Ra_ohm_cm"])
cell.insert(HH())
cell.init_states()
s = spec["stim"]
cell.branch(s["section"]).comp(s["seg"]).stimulate(jx.step_current(s["delay_ms"], s["dur_ms"], s["amp_nA"], 0.025, t_max), verbose=False)
cell.branch(0).comp(0).record("v", verbose=False)
cell.branch(100).comp(7).record("v", verbose=False)
for key in ("HH_gNa", "HH_gK", "HH_gLeak", "radius"):
    cell.branch("all").make_trainable(key, verbose=False)
cell.make_trainable("axial_resistivity", verbose=False)
report(cell, t_max, f"{cell.shape if hasattr(cell, 'shape') else ''}", "HH_gNa")

"""Fitting the three HH conductances (gNa, gK, gLeak) of a small cell to a target voltage
trace by gradient descent, with gradients from Ranvier's adjoint (``ranvier.value_and_grad``,
the numbers ``jax.grad`` of ``jaxley.integrate`` would give). No JAX needed.

    pip install .            # from the repository root
    python3 examples/fit_hh.py

The target is simulated with the textbook values (0.12, 0.036, 0.0003 S/cm^2); the fit
starts from values off by up to 40 % and runs Adam on log-conductances (so they stay
positive) for a mean-squared voltage error at two recording sites. Writes
examples/out/fit_hh.png when matplotlib is installed.
"""
import os
import time

import numpy as np

import ranvier as jx
from ranvier.channels import HH

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
DT, T_MAX = 0.025, 10.0  # ms

# A cell of 3 branches x 2 compartments (um, ms, mV, nA), HH at steady state for -65 mV.
cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
cell.insert(HH())
cell.set("v", -65.0)
cell.init_states()
cell.branch(0).loc(0.0).stimulate(jx.step_current(i_delay=1.0, i_dur=6.0, i_amp=0.15, delta_t=DT, t_max=T_MAX), verbose=False)
cell.branch(0).loc(0.0).record("v", verbose=False)
cell.branch(2).loc(1.0).record("v", verbose=False)
names = ["HH_gNa", "HH_gK", "HH_gLeak"]
for key in names:
    cell.make_trainable(key, verbose=False)  # module level: one shared value each

true = np.array([0.12, 0.036, 0.0003])  # S/cm^2
target = jx.integrate(cell, [{k: np.array([x])} for k, x in zip(names, true)], delta_t=DT, t_max=T_MAX)


def loss(recs):
    """Mean squared error (mV^2) and its gradient w.r.t. the recordings."""
    err = recs - target
    return np.mean(err**2), 2.0 * err / err.size


# Adam on theta = log(g): d loss / d theta = g * d loss / d g.
theta = np.log(true * np.array([0.7, 1.4, 1.3]))
m, v = np.zeros(3), np.zeros(3)
lr, beta1, beta2 = 0.05, 0.9, 0.999
history = []
start = time.perf_counter()
for it in range(1, 151):
    g = np.exp(theta)
    value, grads = jx.value_and_grad(cell, loss, [{k: np.array([x])} for k, x in zip(names, g)], delta_t=DT, t_max=T_MAX)
    grad_theta = g * np.array([next(iter(d.values()))[0] for d in grads])
    m = beta1 * m + (1 - beta1) * grad_theta
    v = beta2 * v + (1 - beta2) * grad_theta**2
    theta -= lr * (m / (1 - beta1**it)) / (np.sqrt(v / (1 - beta2**it)) + 1e-12)
    history.append(value)
    if it % 25 == 0 or it == 1:
        print(f"iter {it:3d}  loss {value:10.4g} mV^2  g = {np.exp(theta)}")
elapsed = time.perf_counter() - start
fit = np.exp(theta)
print(f"{len(history)} value_and_grad calls in {elapsed:.1f} s; fitted {fit} (true {true}), "
      f"relative error {np.abs(fit / true - 1).max():.2e}")

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    os.makedirs(OUT, exist_ok=True)
    final = jx.integrate(cell, [{k: np.array([x])} for k, x in zip(names, fit)], delta_t=DT, t_max=T_MAX)
    t = np.arange(target.shape[1]) * DT
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
    ax[0].semilogy(history)
    ax[0].set(xlabel="iteration", ylabel="loss (mV$^2$)", title="Adam on log conductances")
    ax[1].plot(t, target[0], "k", label="target, soma")
    ax[1].plot(t, final[0], "r--", label="fit, soma")
    ax[1].plot(t, target[1], "0.5", label="target, branch 2 end")
    ax[1].plot(t, final[1], "m--", label="fit, branch 2 end")
    ax[1].set(xlabel="t (ms)", ylabel="v (mV)")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "fit_hh.png"), dpi=120)
    print("wrote", os.path.join(OUT, "fit_hh.png"))

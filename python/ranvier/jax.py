"""``ranvier.jax.integrate``: Ranvier's simulation as a JAX function, what ``jaxley.integrate``
is: it works under ``jax.jit``, ``jax.vmap`` (nested too), ``jax.grad`` / ``jax.value_and_grad``
and their compositions. ``ranvier.integrate`` comes here by itself whenever one of its inputs is
a JAX value, so Jaxley scripts run unchanged (importing ranvier does not import jax; this
module does).

How it maps onto Ranvier
------------------------
- Forward: one ``jax.pure_callback`` into ``ranvier.integrate``. Its batching rule is
  ``vmap_method="expand_dims"``: under ``vmap`` the callback runs ONCE for the whole batch, the
  vmapped axis becoming Ranvier's lane axis (one compiled model, one batched time loop); inputs
  that are not vmapped stay shared by all lanes. Nested ``vmap`` gives several leading axes,
  which are flattened into one lane axis.
- Gradients: ``jax.custom_vjp`` whose backward pass is Ranvier's adjoint (``ranvier.gradient``,
  one batched call under ``vmap``: one lane per simulation). Differentiable inputs: ``params``
  and the ``data_stimuli`` currents. Differentiating w.r.t. ``data_set`` values, clamps or
  ``all_states`` raises ``NotImplementedError`` when the gradient is traced.
- ``checkpoint_lengths`` is accepted and ignored: Ranvier's adjoint does its own
  checkpointing (levels chosen from the memory the states need), and the result does not depend
  on it (as in Jaxley, where it only trades memory for time).
- Precision: with ``jax_enable_x64`` the result is float64. Without it the result is float32
  and the forward pass runs Ranvier's float32 kernels (bwd_euler and crank_nicolson; the other
  solvers run in float64 and are rounded). Gradients are always computed in float64 by the
  adjoint (at the float32 inputs) and rounded to float32.
- Not supported with JAX inputs: ``return_states=True`` and ``batch_size`` (use ``jax.vmap``).
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from . import _core
from .gradient import _options as _vjp_options
from .integrate import _core_module, _scalar_options, integrate_numpy
from ._jax_inputs import Inputs, Lanes

__all__ = ["integrate"]


def _n_samples(core, inputs: Inputs, t_max, delta_t) -> int:
    """Columns of the result (T + 1), as Ranvier counts steps: from t_max (Python float floor
    division, as Jaxley), else from the length of the stimuli / clamps."""
    if t_max is not None:
        return int(float(t_max) // float(delta_t) + 1) + 1
    lengths = [len(cur) for _comp, cur in core.stimuli] + [len(vals) for _state, _comp, vals in core.clamps]
    lengths += inputs.external_lengths()
    if not lengths:
        raise ValueError("integrate needs t_max or at least one stimulus or clamp to know how long to simulate")
    return int(lengths[0]) + 1


def integrate(module, params=None, *, param_state=None, data_stimuli=None, data_clamps=None, t_max=None,
              delta_t=0.025, solver="bwd_euler", voltage_solver="jaxley.dhs", checkpoint_lengths=None,
              all_states=None, return_states=False, batch_size=None, backend="auto"):
    """Like ``jaxley.integrate``: the recordings ``(n_recordings, T + 1)`` as a JAX array,
    differentiable w.r.t. ``params`` and the ``data_stimuli`` currents (see the module docstring).

    Inputs with an explicit lane axis (``ranvier.integrate``'s batch API) work here too and
    give ``(B, n_recordings, T + 1)``; such inputs cannot also be vmapped.
    """
    del checkpoint_lengths  # Ranvier's adjoint checkpoints by itself (see the module docstring)
    if return_states:
        raise NotImplementedError("ranvier: return_states=True with JAX inputs (jit/vmap/grad) is not supported yet")
    if batch_size is not None:
        raise NotImplementedError("ranvier: batch_size with JAX inputs is not supported; use jax.vmap")
    core = _core_module(module)
    t_max, delta_t, solver, voltage_solver, backend = _scalar_options(t_max, delta_t, solver, voltage_solver, backend)
    dtype = jnp.float64 if jax.config.jax_enable_x64 else jnp.float32
    inputs = Inputs(params, param_state, data_stimuli, data_clamps, all_states, dtype)
    out_shape = inputs.explicit_batch() + (len(core.recordings), _n_samples(core, inputs, t_max, delta_t))
    options = dict(t_max=t_max, delta_t=delta_t, solver=solver, voltage_solver=voltage_solver, backend=backend)
    simulate = _simulation(module, core, inputs, options, out_shape, np.dtype(dtype))
    return simulate(*inputs.leaves)


def _simulation(module, core, inputs: Inputs, options: dict, out_shape: tuple, dtype: np.dtype):
    """The JAX function of the input leaves: pure_callback forward, Ranvier's adjoint backward."""
    out_spec = jax.ShapeDtypeStruct(out_shape, dtype)
    leaf_specs = tuple(jax.ShapeDtypeStruct(s, dtype) for s in inputs.shapes)

    def forward_host(*arrays):
        lanes = Lanes(inputs, arrays)
        recs = integrate_numpy(module, **lanes.kwargs(), **options, float32=dtype == np.float32)
        return np.asarray(recs, dtype=dtype).reshape(lanes.batch_shape + out_shape)

    def backward_host(*arrays):
        cot = arrays[-1]
        lanes = Lanes(inputs, arrays[:-1], cot.shape[:cot.ndim - len(out_shape)])
        grads = _adjoint(core, inputs, lanes, arrays[-1], out_shape, options)
        return tuple(np.asarray(g, dtype=dtype) for g in grads)

    def run_forward(leaves):
        return jax.pure_callback(forward_host, out_spec, *leaves, vmap_method="expand_dims")

    @jax.custom_vjp
    def simulate(*leaves):
        return run_forward(leaves)

    def simulate_fwd(*primals):
        if inputs.explicit_batch() and any(p.perturbed for p in primals):
            raise NotImplementedError("ranvier: gradients of inputs with Ranvier's lane axis (the batch API) are not "
                                      "supported; use jax.vmap")
        if options["solver"] == "fwd_euler" and any(p.perturbed for p in primals):
            raise NotImplementedError("ranvier: gradients with solver='fwd_euler' are not supported yet")
        for primal, what, differentiable in zip(primals, inputs.names, inputs.differentiable):
            if primal.perturbed and not differentiable:
                raise NotImplementedError(f"ranvier: the gradient w.r.t. {what} is not supported yet "
                                          "(differentiable: params and data_stimuli currents)")
        leaves = tuple(p.value for p in primals)
        return run_forward(leaves), leaves

    def simulate_bwd(leaves, cotangent):
        if isinstance(cotangent, jax.custom_derivatives.SymbolicZero):
            return tuple(None for _ in leaves)
        grads = jax.pure_callback(backward_host, leaf_specs, *leaves, cotangent, vmap_method="expand_dims")
        return tuple(g if d else None for g, d in zip(grads, inputs.differentiable))

    simulate.defvjp(simulate_fwd, simulate_bwd, symbolic_zeros=True)
    return simulate


def _adjoint(core, inputs: Inputs, lanes: Lanes, cotangent: np.ndarray, out_shape: tuple, options: dict):
    """d <cotangent, recordings> / d leaf for every leaf (zeros where not differentiable), each of
    shape lanes.batch_shape + the leaf's shape."""
    cot = np.broadcast_to(np.asarray(cotangent, dtype=np.float64), lanes.batch_shape + out_shape)
    n_lanes = math.prod(lanes.batch_shape)
    per_lane_cot = cot.reshape((n_lanes,) + out_shape)
    lane_options = []
    for b in range(n_lanes):
        kw = lanes.lane_kwargs(b)
        o, _keys = _vjp_options(kw["params"], kw["param_state"], kw["data_stimuli"], kw["data_clamps"], options["t_max"],
                                options["delta_t"], options["solver"], options["voltage_solver"], None, kw["all_states"],
                                options["backend"])
        lane_options.append(o)
    if n_lanes == 1:
        g_params, g_stimuli = _core.vjp(core, lane_options[0])(np.ascontiguousarray(per_lane_cot[0]))
        per_lane = [(g_params, g_stimuli)]
    else:
        per_lane = _core.vjp_batch(core, lane_options, 0)([np.ascontiguousarray(c) for c in per_lane_cot])
    n_module_stimuli = len(core.stimuli)
    grads = []
    for leaf_index, shape in enumerate(inputs.shapes):
        rows = [inputs.lane_gradient(leaf_index, g_p, g_s, n_module_stimuli) for g_p, g_s in per_lane]
        stacked = np.stack([np.zeros(shape) if r is None else np.asarray(r).reshape(shape) for r in rows])
        grads.append(stacked.reshape(lanes.batch_shape + shape))
    return grads


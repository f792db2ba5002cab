"""Gradients of a simulation with respect to its trainable parameters (``make_trainable``),
the numbers ``jax.grad`` of ``jaxley.integrate`` gives, computed by Ranvier's adjoint
(reverse mode with checkpointing, ``checkpoint_lengths`` as in Jaxley).

Gradients run in double precision. With ``backend="auto"`` (the default) the step and its
adjoint are LLVM-compiled kernels for ``bwd_euler`` and ``crank_nicolson`` (the adjoint is
derived from the same expression DAG as the forward kernel); ``backend="interpreter"`` runs
the reference interpreter's tapes, and ``exp_euler`` always does (not w.r.t. geometry);
``fwd_euler`` raises ``NotImplementedError``. Batched ``params`` (a leading batch axis) run
B simulations in one call on several threads; other batched inputs raise ``ValueError``.
``all_states`` continues a simulation (trainable initial states then get gradient 0, as in
Jaxley).

``vjp(module, params, ...)`` returns ``(recordings, vjp_fn)`` where ``vjp_fn(cotangent)`` (same
shape as the recordings) gives ``[{key: d/d value}, ...]`` in the layout of
``get_parameters()``; ``value_and_grad(module, loss, params, ...)`` takes a ``loss(recs)``
returning ``(value, d value / d recs)``. For any loss written in JAX, see ``ranvier.jax``.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from . import _core
from ._checks import as_float_array, as_threads, check_params_keys
from .integrate import _core_module, _externals, _scalar_options, _warn_nonfinite

__all__ = ["vjp", "value_and_grad"]


def _options(params, param_state, data_stimuli, data_clamps, t_max, delta_t, solver, voltage_solver, checkpoint_lengths,
             all_states=None, backend="auto"):
    t_max, delta_t, solver, voltage_solver, backend = _scalar_options(t_max, delta_t, solver, voltage_solver, backend)
    o = _core.IntegrateOptions()
    o.t_max = t_max
    o.delta_t = delta_t
    o.solver = solver
    o.voltage_solver = voltage_solver
    o.checkpoint_lengths = [] if checkpoint_lengths is None else [int(c) for c in checkpoint_lengths]
    o.backend = backend
    keys = []
    for i, entry in enumerate(params):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ValueError(f"params[{i}] must be a one-key dict as returned by get_parameters()")
        (key, val), = entry.items()
        a = as_float_array(f"params[{i}] ('{key}')", val).reshape(-1) if np.ndim(val) <= 1 else None
        if a is None:
            raise ValueError(f"params[{i}] ('{key}') is batched; gradients take one simulation at a time")
        keys.append(key)
        o.add_params(a)
    for i, entry in enumerate(param_state or []):
        a = as_float_array(f"param_state[{i}] ('{entry['key']}')", entry["val"])
        if a.ndim > 1:
            raise ValueError(f"param_state[{i}] ('{entry['key']}') is batched; gradients take one simulation at a time")
        o.add_param_state(entry["key"], [int(c) for c in np.asarray(entry["indices"]).ravel()], a.reshape(-1))
    for kind, data in (("data_stimuli", data_stimuli), ("data_clamps", data_clamps)):
        for name, comps, a in _externals(data, kind):
            if a.ndim != 2:
                raise ValueError(f"{kind} is batched; gradients take one simulation at a time")
            if name == "i":
                o.add_stimuli(comps, np.ascontiguousarray(a))
            else:
                o.add_clamps(name, comps, np.ascontiguousarray(a))
    if all_states is not None:
        arrays = [as_float_array(f"all_states['{k}']", v, finite=False) for k, v in all_states.items()]
        if any(a.ndim != 1 for a in arrays):
            raise ValueError("all_states is batched; gradients take one simulation at a time")
        o.set_all_states(list(all_states.keys()), arrays)
    return o, keys


def _batch_size(params) -> Optional[int]:
    """B when some params entry has a leading batch axis ((B, groups) arrays), else None."""
    sizes = set()
    for i, entry in enumerate(params):
        if isinstance(entry, dict) and len(entry) == 1:
            (_key, val), = entry.items()
            if np.ndim(val) == 2:
                sizes.add(np.shape(val)[0])
            elif np.ndim(val) > 2:
                raise ValueError(f"params[{i}] has {np.ndim(val)} dimensions; use (groups,) or (batch, groups)")
    if len(sizes) > 1:
        raise ValueError(f"params are batched with different batch sizes {sorted(sizes)}")
    return sizes.pop() if sizes else None


def _lane(params, b):
    """Lane b of batched params (unbatched entries are shared by all lanes)."""
    out = []
    for entry in params:
        (key, val), = entry.items()
        out.append({key: np.asarray(val)[b] if np.ndim(val) == 2 else val})
    return out


def vjp(
    module,
    params: Optional[List[Dict[str, np.ndarray]]] = None,
    *,
    param_state=None,
    data_stimuli=None,
    data_clamps=None,
    t_max: Optional[float] = None,
    delta_t: float = 0.025,
    solver: str = "bwd_euler",
    voltage_solver: str = "jaxley.dhs",
    checkpoint_lengths: Optional[List[int]] = None,
    all_states: Optional[Dict[str, np.ndarray]] = None,
    backend: str = "auto",
    threads: int = 0,
) -> Tuple[np.ndarray, Callable[[np.ndarray], List[Dict[str, np.ndarray]]]]:
    """Recordings ``(n_recordings, T + 1)`` and ``vjp_fn(cotangent) -> [{key: grad}, ...]``.

    ``params`` defaults to ``module.get_parameters()``; gradients are taken at these values.
    Batched ``params`` (entries of shape ``(B, groups)``; unbatched entries are shared) give
    recordings ``(B, n_recordings, T + 1)``, a cotangent of that shape and gradients
    ``(B, groups)``: B simulations in one call, on ``threads`` threads (0 = all cores).
    """
    core = _core_module(module)
    if params is None:
        params = [{key: np.asarray(init, dtype=np.float64)} for key, _groups, init in core.trainables]
    params = list(params)
    check_params_keys(core, params)
    threads = as_threads(threads)
    rest = (param_state, data_stimuli, data_clamps, t_max, delta_t, solver, voltage_solver, checkpoint_lengths, all_states,
            backend)
    batch = _batch_size(params)
    if batch is not None:
        lanes = [_options(_lane(params, b), *rest) for b in range(batch)]
        keys = lanes[0][1]
        f = _core.vjp_batch(core, [o for o, _ in lanes], threads)
        recs = np.stack([np.asarray(r) for r in f.results])
    else:
        o, keys = _options(params, *rest)
        f = _core.vjp(core, o)
        recs = np.asarray(f.result)
    _warn_nonfinite(recs, core, delta_t, batch is not None)

    def vjp_fn(cotangent, stimuli: bool = False):
        """``[{key: grad}, ...]``; with ``stimuli=True`` also the gradient w.r.t. every sample of
        every stimulus row (the module's stimuli in order, then data_stimuli rows), nA^-1."""
        cot = as_float_array("cotangent", cotangent)
        if cot.shape != recs.shape:
            raise ValueError(f"the cotangent has shape {cot.shape} but the recordings have {recs.shape}")
        if batch is None:
            g_params, g_stimuli = f(cot)
        else:
            per_lane = f([np.ascontiguousarray(c) for c in cot])
            g_params = [np.stack([lane[0][t] for lane in per_lane]) for t in range(len(keys))]
            g_stimuli = [np.stack([lane[1][s] for lane in per_lane]) for s in range(len(per_lane[0][1]))]
        grads = [{k: np.asarray(g)} for k, g in zip(keys, g_params)]
        return (grads, [np.asarray(g) for g in g_stimuli]) if stimuli else grads

    vjp_fn.stats = lambda: f.stats  # checkpoint levels, peak stored states and bytes, steps run, compiled
    return recs, vjp_fn


def value_and_grad(module, loss: Callable, params=None, **kwargs):
    """``(loss value, [{key: grad}, ...])`` for ``loss(recs) -> (value, d value / d recs)``."""
    recs, vjp_fn = vjp(module, params, **kwargs)
    value, cotangent = loss(recs)
    return value, vjp_fn(cotangent)

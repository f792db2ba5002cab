"""``integrate``: what ``jaxley.integrate`` computes, plus batches of simulations in one call.

Batching (Ranvier's replacement for ``jax.vmap`` over ``integrate``)
--------------------------------------------------------------------
Every per-call input has an unbatched form (Jaxley's) and a batched form with one extra
leading axis of length B (one entry per simulation, "lane"):

==============================  ==========================  ===============================
input                           unbatched                   batched
==============================  ==========================  ===============================
``params`` entry ``{key: a}``   ``a.shape == (n_groups,)``  ``(B, n_groups)``
``data_set(key, val, ...)``     scalar or ``(n,)``          ``(B, n)`` or ``(B, 1)``
``data_stimulate(cur, ...)``    ``(T,)`` or ``(n, T)``      ``(B, n, T)`` or ``(B, 1, T)``
``data_clamp(state, x, ...)``   ``(T,)`` or ``(n, T)``      ``(B, n, T)`` or ``(B, 1, T)``
``all_states[name]``            ``(n_nodes,)``              ``(B, n_nodes)``
==============================  ==========================  ===============================

(n = compartments in the view, n_groups = parameters of that ``make_trainable``.) The rule is
by number of dimensions only, so it is never ambiguous. If any input is batched, all batched
inputs must share B, unbatched inputs are shared by every lane, and all B simulations run in
one call: one compiled model, one batched time loop (bwd_euler and crank_nicolson with the
jaxley.dhs / jaxley.stone voltage solvers); other solvers run lane by lane in the
interpreter. The result then has shape ``(B, n_recordings, T + 1)`` and the states of
``return_states=True`` are arrays ``(B, n_nodes)``. ``batch_size=B`` forces a batch even when
every input is unbatched (B identical lanes); ``batch_size=None`` detects it.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

from . import _core
from ._checks import as_float, as_float_array, as_str, check_params_keys
from ._jax_values import any_jax

__all__ = ["integrate"]

SOLVERS = ("bwd_euler", "crank_nicolson", "fwd_euler", "exp_euler")
VOLTAGE_SOLVERS = ("jaxley.dhs", "jaxley.dhs.cpu", "jaxley.dhs.gpu", "jax.sparse", "jaxley.stone")
BACKENDS = ("auto", "jit", "interpreter")


def _scalar_options(t_max, delta_t, solver, voltage_solver, backend):
    """The scalar arguments of integrate / vjp, checked (each error names the argument)."""
    return (as_float("t_max", t_max, allow_none=True), as_float("delta_t", delta_t, positive=True),
            as_str("solver", solver, SOLVERS), as_str("voltage_solver", voltage_solver, VOLTAGE_SOLVERS),
            as_str("backend", backend, BACKENDS))


def _warn_nonfinite(recs, module_core, delta_t, lane_axis: bool):
    """A run that produced NaN or inf says so: the first non-finite sample's time, compartment and
    state (a scan of the recordings; cheap next to the run)."""
    import warnings

    a = np.asarray(recs)
    if a.size == 0 or np.isfinite(a).all():
        return
    bad = ~np.isfinite(a)
    first_t = int(np.argmax(bad.any(axis=tuple(range(a.ndim - 1))))) if a.ndim > 1 else int(np.argmax(bad))
    col = bad[..., first_t]
    idx = np.argwhere(col)[0]
    rec = int(idx[-1])
    lane = f" in lane {int(idx[0])}" if lane_axis else ""
    recordings = list(module_core.recordings)
    comp, state = recordings[rec] if rec < len(recordings) else (None, "?")
    value = a[tuple(idx) + (first_t,)]
    warnings.warn(f"integrate produced {value} at t = {first_t * float(delta_t):g} ms (sample {first_t}){lane}: recording {rec}, "
                  f"state '{state}' at compartment {comp}; the parameters or the time step make the simulation unstable",
                  RuntimeWarning, stacklevel=3)


def _core_module(module):
    core = getattr(module, "_core", None)
    if isinstance(core, _core.Module):
        return core
    if isinstance(module, _core.Module):
        return module
    base = getattr(module, "_base", None)
    if base is not None and getattr(base, "_core", None) is not None:
        raise TypeError("integrate() takes the module, not a view: pass view.base (or the cell)")
    raise TypeError(f"integrate() expects a ranvier Compartment, Branch or Cell, got {type(module).__name__}")


def _f64(x) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64))


def _batch_size(found: dict, what: str, b: int):
    if found.get("B") is None:
        found["B"], found["what"] = b, what
    elif found["B"] != b:
        raise ValueError(f"batch sizes differ: {found['what']} has {found['B']} lanes but {what} has {b}")


def _externals(data, kind: str):
    """(names, arrays, indices) -> list of (name, comps, array) with arrays (n, T) or (B, n, T)."""
    if data is None:
        return []
    try:
        names, arrays, inds = data
    except (TypeError, ValueError):
        raise ValueError(f"{kind} must be the (names, arrays, indices) tuple returned by data_{kind[5:-1]}()") from None
    out = []
    for i, (name, arr, idx) in enumerate(zip(names, arrays, inds)):
        a = as_float_array(f"{kind}[{i}] ('{name}')", arr)
        comps = [int(c) for c in np.asarray(idx).ravel()]
        if a.ndim == 1:
            a = a[None, :]
        out.append((name, comps, a))
    return out


def integrate(
    module,
    params: Optional[List[Dict[str, np.ndarray]]] = None,
    *,
    param_state: Optional[List[Dict]] = None,
    data_stimuli=None,
    data_clamps=None,
    t_max: Optional[float] = None,
    delta_t: float = 0.025,
    solver: str = "bwd_euler",
    voltage_solver: str = "jaxley.dhs",
    checkpoint_lengths: Optional[List[int]] = None,
    all_states: Optional[Dict] = None,
    return_states: bool = False,
    batch_size: Optional[int] = None,
    backend: str = "auto",
):
    """Simulate ``module`` and return its recordings, shape ``(n_recordings, T + 1)`` (column 0 is
    the initial state), or ``(recordings, states)`` with ``return_states=True``.

    Same arguments and numbers as ``jaxley.integrate``. Inputs with a leading batch axis (see
    the module docstring) run as B simulations in one call and give ``(B, n_recordings, T + 1)``.
    ``backend``: "auto" (compiled for bwd_euler / crank_nicolson, else the interpreter),
    "jit" or "interpreter".

    With JAX values (``jax.Array`` or tracers) in ``params``, ``param_state``, ``data_stimuli``,
    ``data_clamps`` or ``all_states``, this is a JAX function (``jax.jit``, ``jax.vmap``,
    ``jax.grad``): see ``ranvier.jax.integrate``.
    """
    kwargs = dict(param_state=param_state, data_stimuli=data_stimuli, data_clamps=data_clamps, t_max=t_max,
                  delta_t=delta_t, solver=solver, voltage_solver=voltage_solver, checkpoint_lengths=checkpoint_lengths,
                  all_states=all_states, return_states=return_states, batch_size=batch_size, backend=backend)
    if any_jax(params, param_state, data_stimuli, data_clamps, all_states):
        from .jax import integrate as jax_integrate

        return jax_integrate(module, params, **kwargs)
    return integrate_numpy(module, params, **kwargs)


def integrate_numpy(module, params=None, *, param_state=None, data_stimuli=None, data_clamps=None, t_max=None,
                    delta_t=0.025, solver="bwd_euler", voltage_solver="jaxley.dhs", checkpoint_lengths=None,
                    all_states=None, return_states=False, batch_size=None, backend="auto", float32=False):
    """``integrate`` on numpy inputs (what ``ranvier.jax`` runs inside its callbacks).
    ``float32=True`` runs the LLVM backend's single-precision kernels where the solver is compiled
    (bwd_euler, crank_nicolson) and returns float32; elsewhere it runs in double precision and
    rounds the result to float32."""
    core = _core_module(module)
    # Jaxley accepts empty dicts in params (e.g. `params=[{}]`): they hold no parameter.
    params = [] if params is None else [p for p in params if not (isinstance(p, dict) and not p)]
    check_params_keys(core, params)
    t_max, delta_t, solver, voltage_solver, backend = _scalar_options(t_max, delta_t, solver, voltage_solver, backend)
    found: dict = {}

    # Normalise and find the batch size.
    p_values = []
    for i, entry in enumerate(params):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ValueError(f"params[{i}] must be a one-key dict as returned by get_parameters()")
        (key, val), = entry.items()
        a = as_float_array(f"params[{i}] ('{key}')", val)
        if a.ndim == 0:
            a = a.reshape(1)
        if a.ndim == 2:
            _batch_size(found, f"params[{i}] ('{key}')", a.shape[0])
        elif a.ndim != 1:
            raise ValueError(f"params[{i}] ('{key}') has shape {a.shape}; expected (n_groups,) or (B, n_groups)")
        p_values.append(a)
    ps_values = []
    for i, entry in enumerate(param_state or []):
        a = as_float_array(f"param_state[{i}] ('{entry['key']}')", entry["val"])
        comps = [int(c) for c in np.asarray(entry["indices"]).ravel()]
        if a.ndim == 0:
            a = a.reshape(1)
        if a.ndim == 2:
            _batch_size(found, f"param_state[{i}] ('{entry['key']}')", a.shape[0])
        elif a.ndim != 1:
            raise ValueError(f"param_state[{i}] ('{entry['key']}') has shape {a.shape}")
        ps_values.append((entry["key"], comps, a))
    stims = _externals(data_stimuli, "data_stimuli")
    clamps = _externals(data_clamps, "data_clamps")
    for kind, items in (("data_stimuli", stims), ("data_clamps", clamps)):
        for i, (name, comps, a) in enumerate(items):
            if a.ndim == 3:
                _batch_size(found, f"{kind}[{i}]", a.shape[0])
            elif a.ndim != 2:
                raise ValueError(f"{kind}[{i}] has shape {a.shape}")
    st_values = None
    if all_states is not None:
        # NaN is allowed: a state is NaN where its mechanism is absent (return_states gives that);
        # the C++ side checks finiteness where each state is defined, and the keys.
        st_values = [(k, as_float_array(f"all_states['{k}']", v, finite=False)) for k, v in all_states.items()]
        for k, a in st_values:
            if a.ndim == 2:
                _batch_size(found, f"all_states['{k}']", a.shape[0])
            elif a.ndim != 1:
                raise ValueError(f"all_states['{k}'] has shape {a.shape}")
    if batch_size is not None:
        _batch_size(found, "batch_size", int(batch_size))
    B = found.get("B")
    if B is not None and B < 1:
        raise ValueError("a batch needs at least one lane")

    def options(lane: Optional[int]):
        def pick(a, batched_ndim):
            return a[lane] if (lane is not None and a.ndim == batched_ndim) else a

        o = _core.IntegrateOptions()
        o.t_max = None if t_max is None else float(t_max)
        o.delta_t = float(delta_t)
        o.solver = solver
        o.voltage_solver = voltage_solver
        o.return_states = bool(return_states)
        o.checkpoint_lengths = [] if checkpoint_lengths is None else [int(c) for c in checkpoint_lengths]
        o.backend = backend
        for a in p_values:
            o.add_params(np.ascontiguousarray(pick(a, 2)))
        for key, comps, a in ps_values:
            o.add_param_state(key, comps, np.ascontiguousarray(pick(a, 2)))
        for name, comps, a in stims:
            a = np.ascontiguousarray(pick(a, 3))
            if name == "i":
                o.add_stimuli(comps, a)
            else:
                o.add_clamps(name, comps, a)
        for name, comps, a in clamps:
            a = np.ascontiguousarray(pick(a, 3))
            if name == "i":
                o.add_stimuli(comps, a)
            else:
                o.add_clamps(name, comps, a)
        if st_values is not None:
            o.set_all_states([k for k, _ in st_values], [np.ascontiguousarray(pick(a, 2)) for _, a in st_values])
        return o

    if float32:
        if return_states:
            raise NotImplementedError("ranvier: return_states=True in float32 is not supported yet")
        return _integrate_float32(core, [options(b) for b in range(B)] if B is not None else [options(None)],
                                  backend, B is not None, delta_t)
    if B is None:
        recs, states = _core.integrate(core, options(None))
        _warn_nonfinite(recs, core, delta_t, False)
        return (recs, states) if return_states else recs

    lanes = [options(b) for b in range(B)]
    recs, lane_states, _compiled = _core.integrate_lanes(core, lanes, backend)
    _warn_nonfinite(recs, core, delta_t, True)
    if not return_states:
        return recs
    states = {k: np.stack([s[k] for s in lane_states]) for k in lane_states[0]} if lane_states else {}
    return recs, states


def _integrate_float32(core, lanes, backend: str, batched: bool, delta_t: float) -> np.ndarray:
    """The lanes in single precision: the LLVM backend's float32 kernels (compiled once per
    structure, cached like the float64 ones) where they cover the solver, else float64 rounded."""
    if backend != "interpreter" and _core.have_jit() and _core.jit_supports(lanes[0]):
        recs, _states, _compiled = _core.compile(core, True, False, 0).integrate_lanes(lanes)
    else:
        recs, _states, _compiled = _core.integrate_lanes(core, lanes, backend)
    recs = np.asarray(recs, dtype=np.float32)
    _warn_nonfinite(recs, core, delta_t, batched)
    return recs if batched else recs[0]


def build_init_and_step_fn(module, voltage_solver: str = "jaxley.dhs", solver: str = "bwd_euler"):
    """Jaxley 0.14's functional stepping API (``init_fn``, ``step_fn`` as JAX functions of the
    state dict): not supported. Ranvier compiles the whole time loop into one kernel; run it with
    ``integrate`` (``all_states`` and ``return_states=True`` continue a simulation from a state)."""
    raise NotImplementedError(
        "build_init_and_step_fn: Jaxley's step-by-step JAX functions are not supported by Ranvier (it compiles the whole "
        "time loop); use integrate(..., return_states=True) and integrate(..., all_states=...) to continue a run")

"""``ranvier.jax.integrate``: Ranvier's simulation as a JAX function with a custom VJP, so
``jax.grad`` / ``jax.value_and_grad`` of any JAX loss of the recordings work as with
``jaxley.integrate`` (import only where JAX is installed; requires
``jax.config.update("jax_enable_x64", True)``, gradients are double precision only).

The forward pass runs Ranvier's ``integrate`` (compiled when the solver allows it) through
``jax.pure_callback``, so it also works under ``jax.jit``; the backward pass runs Ranvier's
adjoint (``ranvier.gradient.vjp``: compiled for bwd_euler and crank_nicolson), which
recomputes the forward pass with checkpointing. ``vmap`` is not supported.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .gradient import vjp as _vjp
from .integrate import _core_module
from .integrate import integrate as _integrate

__all__ = ["integrate"]


def _output_shape(module, kwargs):
    """(n_recordings, T + 1): from t_max as Jaxley counts steps (Python float floor division),
    else from one eager run at the module's own values."""
    t_max = kwargs.get("t_max")
    if t_max is not None:
        n_rec = len(_core_module(module).recordings)
        return (n_rec, int(float(t_max) // float(kwargs.get("delta_t", 0.025)) + 1) + 1)
    return np.shape(_integrate(module, module.get_parameters(), **kwargs))


def integrate(module, params=None, **kwargs):
    """Like ``jaxley.integrate(module, params=params, **kwargs)``, differentiable w.r.t. ``params``.

    ``params``: ``[{key: array}, ...]`` as from ``module.get_parameters()`` (JAX or numpy
    arrays). Keyword arguments are ``ranvier.integrate``'s (no batching, no ``all_states``).
    """
    if not jax.config.jax_enable_x64:
        raise NotImplementedError(
            "ranvier.jax needs float64: call jax.config.update('jax_enable_x64', True) (float32 gradients are not supported)")
    for bad in ("all_states", "return_states", "batch_size", "backend"):
        if bad in kwargs:
            raise NotImplementedError(f"ranvier.jax.integrate does not support '{bad}'")
    if params is None:
        params = module.get_parameters()
    keys = [next(iter(p)) for p in params]
    shape = _output_shape(module, kwargs)
    out_spec = jax.ShapeDtypeStruct(shape, jnp.float64)

    def as_params(values):
        return [{k: np.asarray(v, dtype=np.float64)} for k, v in zip(keys, values)]

    def run(values):
        return np.asarray(_integrate(module, as_params(values), **kwargs), dtype=np.float64)

    def grads(values, cotangent):
        _recs, vjp_fn = _vjp(module, as_params(values), **kwargs)
        return tuple(np.asarray(next(iter(g.values())), dtype=np.float64) for g in vjp_fn(np.asarray(cotangent)))

    @jax.custom_vjp
    def simulate(values):
        return jax.pure_callback(run, out_spec, values)

    def simulate_fwd(values):
        return simulate(values), values

    def simulate_bwd(values, cotangent):
        specs = tuple(jax.ShapeDtypeStruct(jnp.shape(v), jnp.float64) for v in values)
        return (jax.pure_callback(grads, specs, values, cotangent),)

    simulate.defvjp(simulate_fwd, simulate_bwd)
    values = tuple(jnp.asarray(next(iter(p.values())), dtype=jnp.float64).reshape(-1) for p in params)
    return simulate(values)

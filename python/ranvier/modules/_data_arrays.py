"""Values of ``data_set`` / ``data_stimulate`` / ``data_clamp``: numpy arrays are checked and
copied as float64; JAX values (arrays and tracers under jit / vmap / grad) are kept as JAX
arrays, so that ``integrate`` receives them as given and takes its JAX path."""
from __future__ import annotations

import numpy as np

from .._jax_values import is_jax

__all__ = ["data_array", "broadcast"]


def data_array(x, what: str):
    """A float64 numpy array (finite, else ValueError naming ``what``), or the JAX value as a
    floating-point JAX array (tracers cannot be checked for finiteness)."""
    if is_jax(x):
        import jax.numpy as jnp

        return x if jnp.issubdtype(x.dtype, jnp.floating) else jnp.asarray(x, dtype=float)
    a = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what}: the array holds NaN or inf")
    return np.ascontiguousarray(a)


def broadcast(a, shape):
    """``a`` broadcast to ``shape``: a contiguous numpy copy, or a JAX array."""
    if is_jax(a):
        import jax.numpy as jnp

        return jnp.broadcast_to(a, shape)
    return np.ascontiguousarray(np.broadcast_to(a, shape)).copy()

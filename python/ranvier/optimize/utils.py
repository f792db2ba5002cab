"""Small helpers for optimisation loops (``jaxley.optimize.utils``)."""
from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["l2_norm"]


def l2_norm(tree) -> jax.Array:
    """The Euclidean norm of all leaves of a pytree taken together (e.g. of a gradient)."""
    leaves = jax.tree_util.tree_leaves(tree)
    return jnp.sqrt(sum(jnp.sum(jnp.square(leaf)) for leaf in leaves))

"""Whether a value is a JAX array or tracer, without importing jax: a value can only be one
when jax has been imported already, so ``ranvier`` itself never imports jax. Used to send
``integrate`` calls with JAX inputs to ``ranvier.jax`` and to keep tracers as they are in
``data_set`` / ``data_stimulate`` / ``data_clamp``."""
from __future__ import annotations

import sys

__all__ = ["is_jax", "any_jax"]


def is_jax(x) -> bool:
    """True for a ``jax.Array`` (concrete or a tracer under jit / vmap / grad)."""
    jax = sys.modules.get("jax")
    if jax is None:
        return False
    return isinstance(x, (jax.Array, jax.core.Tracer))


def any_jax(*trees) -> bool:
    """True when any leaf of the given nested lists / tuples / dicts is a JAX value."""
    if sys.modules.get("jax") is None:
        return False
    stack = list(trees)
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif is_jax(x):
            return True
    return False

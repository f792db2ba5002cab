"""``ranvier.optimize``: parameter transforms and optimizer helpers for gradient descent, as
``jaxley.optimize`` (pure JAX; importing this package imports jax)."""
from .optimizer import TypeOptimizer
from .transforms import ParamTransform

__all__ = ["TypeOptimizer", "ParamTransform"]

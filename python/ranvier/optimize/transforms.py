"""Bijections between an unconstrained space (where the optimizer steps) and the bounded range of
a physical parameter, as ``jaxley.optimize.transforms`` (same classes, arguments and numbers).

Every exponential is taken of an argument clipped at 20 (Jaxley's ``save_exp``), so that very
large unconstrained values saturate instead of overflowing; the numbers below therefore equal
Jaxley's also far outside the bounds.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Sequence

import jax
import jax.numpy as jnp

__all__ = [
    "Transform", "IdentityTransform", "SigmoidTransform", "LogisticTransform", "SoftplusTransform",
    "NegSoftplusTransform", "AffineTransform", "ChainTransform", "MaskedTransform", "CustomTransform",
    "ParamTransform",
]

_EXP_CLIP = 20.0  # largest exponent used (Jaxley's save_exp default)


def _clipped_exp(x):
    return jnp.exp(jnp.minimum(x, _EXP_CLIP))


class Transform(ABC):
    """``forward``: unconstrained -> constrained; ``inverse``: constrained -> unconstrained."""

    def __call__(self, x):
        return self.forward(x)

    @abstractmethod
    def forward(self, x):
        ...

    @abstractmethod
    def inverse(self, y):
        ...


class IdentityTransform(Transform):
    """x -> x."""

    def forward(self, x):
        return x

    def inverse(self, y):
        return y


class SigmoidTransform(Transform):
    """x -> lower + (upper - lower) * sigmoid(x), onto the open interval (lower, upper)."""

    def __init__(self, lower, upper):
        self.lower = lower
        self.width = upper - lower

    def forward(self, x):
        return self.lower + self.width / (1.0 + _clipped_exp(-x))

    def inverse(self, y):
        # logit of the position within the interval: log(u / (1 - u)) = -log(1/u - 1).
        u = (y - self.lower) / self.width
        return -jnp.log(1.0 / u - 1.0)


class LogisticTransform(SigmoidTransform):
    """A sigmoid onto (lower, upper) whose unconstrained variable is scaled by pi / sqrt(3), so that
    a standard-normal latent has the spread of the standard logistic distribution."""

    _SCALE = jnp.pi / jnp.sqrt(3.0)

    def forward(self, x):
        return super().forward(x * self._SCALE)

    def inverse(self, y):
        return super().inverse(y) / self._SCALE


class SoftplusTransform(Transform):
    """x -> lower + log(1 + exp(x)) onto (lower, inf); linear (x -> lower + x) above ``threshold``
    where softplus(x) equals x to double precision."""

    def __init__(self, lower, threshold: float = 20.0):
        self.lower = lower
        self.threshold = threshold

    def forward(self, x):
        return jnp.where(x > self.threshold, x, jnp.log1p(_clipped_exp(x))) + self.lower

    def inverse(self, y):
        shifted = y - self.lower
        return jnp.where(y > self.lower + self.threshold, shifted, jnp.log(_clipped_exp(shifted) - 1.0))


class NegSoftplusTransform(SoftplusTransform):
    """x -> upper - log(1 + exp(-x)) onto (-inf, upper): the mirror image of SoftplusTransform."""

    def __init__(self, upper):
        super().__init__(upper)

    def forward(self, x):
        return -super().forward(-x)

    def inverse(self, y):
        return -super().inverse(-y)


class AffineTransform(Transform):
    """x -> scale * x + shift (``scale`` must not be zero)."""

    def __init__(self, scale, shift):
        if jnp.allclose(scale, 0):
            raise ValueError(f"AffineTransform: scale = {scale} is zero, so the transform has no inverse")
        self.a = scale
        self.b = shift

    def forward(self, x):
        return self.a * x + self.b

    def inverse(self, y):
        return (y - self.b) / self.a


class ChainTransform(Transform):
    """``transforms[0]`` first, then ``transforms[1]``, ...; the inverse runs them backwards."""

    def __init__(self, transforms: Sequence[Transform]):
        self.transforms = transforms

    def forward(self, x):
        for t in self.transforms:
            x = t.forward(x)
        return x

    def inverse(self, y):
        for t in reversed(self.transforms):
            y = t.inverse(y)
        return y


class MaskedTransform(Transform):
    """``transform`` where ``mask`` is True, the identity elsewhere."""

    def __init__(self, mask, transform: Transform):
        self.mask = mask
        self.transform = transform

    def forward(self, x):
        return jnp.where(self.mask, self.transform.forward(x), x)

    def inverse(self, y):
        return jnp.where(self.mask, self.transform.inverse(y), y)


class CustomTransform(Transform):
    """A transform from two user functions (``inverse_fn`` must invert ``forward_fn``)."""

    def __init__(self, forward_fn: Callable, inverse_fn: Callable):
        self.forward_fn = forward_fn
        self.inverse_fn = inverse_fn

    def forward(self, x):
        return self.forward_fn(x)

    def inverse(self, y):
        return self.inverse_fn(y)


class ParamTransform:
    """Applies a pytree of transforms leaf by leaf to a pytree of parameters of the same structure
    (typically ``[{key: Transform}, ...]`` for ``get_parameters()``), or one Transform to an array."""

    def __init__(self, tf_dict):
        self.tf_dict = tf_dict

    def _map(self, params, method: str):
        # Transforms are not pytrees, so each is one leaf of tf_dict facing one array of params.
        return jax.tree_util.tree_map(lambda x, t: getattr(t, method)(x), params, self.tf_dict)

    def forward(self, params):
        """Unconstrained parameters -> constrained (physical) parameters."""
        return self._map(params, "forward")

    def inverse(self, params):
        """Constrained (physical) parameters -> unconstrained parameters."""
        return self._map(params, "inverse")

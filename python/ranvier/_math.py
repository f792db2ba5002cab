"""Math functions for channels: they trace into Ranvier's expression DAG when an argument is a
traced expression (``ranvier.Expr``), to ``jax.numpy`` for JAX values (a channel traced with
JAX, ranvier._jaxpr) and to numpy for plain numbers and arrays, so the same channel code runs
on all three.

Every function keeps Jaxley's (jax.numpy's) sequence of floating-point operations, so a
channel traced from these gives the numbers Jaxley gives.
"""
from __future__ import annotations

import numbers
import sys

import numpy as np

from . import _core

Expr = _core.Expr

__all__ = [
    "Expr", "exp", "log", "tanh", "sqrt", "power", "pow", "minimum", "maximum", "where", "clip",
    "abs", "absolute", "sigmoid", "less", "less_equal", "greater", "greater_equal", "square",
]


def _is_expr(*xs) -> bool:
    return any(isinstance(x, Expr) for x in xs)


def _np(*xs):
    """The array namespace for non-Expr arguments: ``jax.numpy`` when one of them is a JAX value
    (a channel traced by JAX, see ranvier._jaxpr), else numpy. JAX is looked up only where it is
    already imported: without it no argument can be a JAX value."""
    jax = sys.modules.get("jax")
    if jax is not None and any(isinstance(x, jax.Array) for x in xs):
        return jax.numpy
    return np


def _e(x) -> Expr:
    """Any number (Python, numpy 0-d) or Expr as an Expr."""
    if isinstance(x, Expr):
        return x
    if isinstance(x, (numbers.Real, np.number)) or (isinstance(x, np.ndarray) and x.ndim == 0):
        return _core.constant(float(x))
    raise TypeError(
        f"cannot use a {type(x).__name__} in a traced channel expression; channel code that Ranvier compiles "
        "computes on scalars (one compartment at a time): use numbers and ranvier's math functions"
    )


def exp(x):
    return _core.exp(_e(x)) if _is_expr(x) else _np(x).exp(x)


def log(x):
    return _core.log(_e(x)) if _is_expr(x) else _np(x).log(x)


def tanh(x):
    return _core.tanh(_e(x)) if _is_expr(x) else _np(x).tanh(x)


def sqrt(x):
    return _core.sqrt(_e(x)) if _is_expr(x) else _np(x).sqrt(x)


def square(x):
    return _core.ipow(_e(x), 2) if _is_expr(x) else _np(x).square(x)


def power(x, y):
    """``x ** y``; an integer ``y`` is JAX's integer_pow (repeated multiplication)."""
    if not _is_expr(x, y):
        return _np(x, y).power(x, y)
    if isinstance(y, (int, np.integer)) and not isinstance(y, bool):
        return _core.ipow(_e(x), int(y))
    return _core.pow(_e(x), _e(y))


pow = power  # noqa: A001


def minimum(x, y):
    return _core.min(_e(x), _e(y)) if _is_expr(x, y) else _np(x, y).minimum(x, y)


def maximum(x, y):
    return _core.max(_e(x), _e(y)) if _is_expr(x, y) else _np(x, y).maximum(x, y)


def less(x, y):
    return _core.less(_e(x), _e(y)) if _is_expr(x, y) else _np(x, y).less(x, y)


def less_equal(x, y):
    return _core.less_equal(_e(x), _e(y)) if _is_expr(x, y) else _np(x, y).less_equal(x, y)


def greater(x, y):
    return _core.less(_e(y), _e(x)) if _is_expr(x, y) else _np(x, y).greater(x, y)


def greater_equal(x, y):
    return _core.less_equal(_e(y), _e(x)) if _is_expr(x, y) else _np(x, y).greater_equal(x, y)


def where(cond, x, y):
    """``x`` where ``cond`` holds, else ``y`` (jnp.where)."""
    if not _is_expr(cond, x, y):
        return _np(cond, x, y).where(cond, x, y)
    if isinstance(cond, (bool, np.bool_)):
        return _e(x) if cond else _e(y)
    return _core.select(_e(cond), _e(x), _e(y))


def clip(x, a_min=None, a_max=None):
    """jnp.clip: ``minimum(maximum(x, a_min), a_max)``."""
    if not _is_expr(x, a_min, a_max):
        return _np(x, a_min, a_max).clip(x, a_min, a_max)
    if a_min is not None:
        x = maximum(x, a_min)
    if a_max is not None:
        x = minimum(x, a_max)
    return x


def abs(x):  # noqa: A001
    return _core.max(_e(x), -_e(x)) if _is_expr(x) else _np(x).abs(x)


absolute = abs


def sigmoid(x):
    """jax.nn.sigmoid: ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + exp(-x))


# numpy ufuncs applied to traced expressions (np.exp(x), np.float64(2.0) * x, ...).
_UFUNCS = {
    np.add: lambda a, b: _e(a) + _e(b),
    np.subtract: lambda a, b: _e(a) - _e(b),
    np.multiply: lambda a, b: _e(a) * _e(b),
    np.true_divide: lambda a, b: _e(a) / _e(b),
    np.negative: lambda a: -_e(a),
    np.positive: lambda a: _e(a),
    np.power: power,
    np.exp: exp,
    np.log: log,
    np.tanh: tanh,
    np.sqrt: sqrt,
    np.square: square,
    np.minimum: minimum,
    np.maximum: maximum,
    np.fmin: minimum,
    np.fmax: maximum,
    np.less: less,
    np.less_equal: less_equal,
    np.greater: greater,
    np.greater_equal: greater_equal,
    np.absolute: abs,
}


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if method != "__call__" or kwargs or ufunc not in _UFUNCS:
        return NotImplemented
    return _UFUNCS[ufunc](*inputs)


Expr.__array_ufunc__ = _array_ufunc

"""How each JAX primitive of a channel's (or synapse's) jaxpr becomes nodes of Ranvier's
expression DAG (used by ranvier._jaxpr).

Every value is one compartment's scalar: a float Expr. Booleans are 1.0 / 0.0 (what the IR's
comparisons yield; ``select`` takes any non-zero as true), integers are exact floats.
Primitives the IR has no node for are built from the ones it has: ``expm1`` and ``log1p`` with
Kahan's correction (accurate to a few ulps, not a naive ``exp(x) - 1``), ``logistic`` as
``1 / (1 + exp(-x))``, ``abs`` as ``max(x, -x)``, ``eq`` from two ``less_equal``.

A rule is ``rule(eqn, *args) -> Expr``; the shape primitives are identities because every
value has one element (ranvier._jaxpr checks the shapes).
"""
from __future__ import annotations

import math

import numpy as np

from . import _core


def _c(x: float):
    return _core.constant(float(x))


def _dtype_kind(var) -> str:
    """'b' (bool), 'i'/'u' (integers) or 'f' (floats) of a jaxpr variable's dtype."""
    return np.dtype(var.aval.dtype).kind


def _eq(a, b):
    # 1.0 exactly where a <= b and b <= a; NaN compares unequal as in JAX.
    return _core.less_equal(a, b) * _core.less_equal(b, a)


def _not(a):
    return _c(1.0) - a


def _abs(a):
    return _core.max(a, -a)


def _sign(a):
    # sign(0) = 0 and sign(NaN) = NaN, as jnp.sign: the argument itself where it is neither > 0 nor < 0.
    return _core.select(_core.less(_c(0.0), a), _c(1.0), _core.select(_core.less(a, _c(0.0)), _c(-1.0), a))


def _expm1(x):
    """exp(x) - 1 without the cancellation near 0: Kahan's (u - 1) * x / log(u), u = exp(x).
    Far from 0 the plain forms are exact to rounding (and avoid log(0) and inf / inf)."""
    u = _core.exp(x)
    um1 = u - _c(1.0)
    kahan = _core.select(_eq(u, _c(1.0)), x, um1 * x / _core.log(u))
    return _core.select(_core.less(x, _c(-40.0)), um1, _core.select(_core.less(_c(700.0), x), u, kahan))


def _log1p(x):
    """log(1 + x) without the cancellation near 0: Kahan's log(u) * x / (u - 1), u = 1 + x.
    Above 1e15 log(x) is the answer to rounding (and avoids inf / inf)."""
    u = _c(1.0) + x
    kahan = _core.select(_eq(u, _c(1.0)), x, _core.log(u) * x / (u - _c(1.0)))
    return _core.select(_core.less(_c(1e15), x), _core.log(x), kahan)


def _logistic(x):
    return _c(1.0) / (_c(1.0) + _core.exp(-x))


def _identity(x, *_):
    return x


# Primitives of one argument whose meaning does not depend on dtype or parameters.
UNARY = {
    "neg": lambda a: -a,
    "exp": _core.exp,
    "exp2": lambda a: _core.pow(_c(2.0), a),
    "log": _core.log,
    "tanh": _core.tanh,
    "sqrt": _core.sqrt,
    "rsqrt": lambda a: _c(1.0) / _core.sqrt(a),
    "logistic": _logistic,
    "expm1": _expm1,
    "log1p": _log1p,
    "abs": _abs,
    "sign": _sign,
    "square": lambda a: _core.ipow(a, 2),
    "is_finite": lambda a: _core.less(_abs(a), _c(math.inf)),
    # Values that are the argument itself for one compartment's scalar.
    "stop_gradient": _identity,
    "copy": _identity,
    "copy_p": _identity,
    "reduce_precision": _identity,
    "broadcast_in_dim": _identity,
    "reshape": _identity,
    "squeeze": _identity,
    "expand_dims": _identity,
    "transpose": _identity,
    "reduce_sum": _identity,
    "reduce_max": _identity,
    "reduce_min": _identity,
    "reduce_prod": _identity,
    "reduce_and": _identity,
    "reduce_or": _identity,
    "slice": _identity,
    "real": _identity,
}

BINARY = {
    "add": lambda a, b: a + b,
    "add_any": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "pow": _core.pow,
    "max": _core.max,
    "min": _core.min,
    "lt": _core.less,
    "le": _core.less_equal,
    "gt": lambda a, b: _core.less(b, a),
    "ge": lambda a, b: _core.less_equal(b, a),
    "eq": _eq,
    "ne": lambda a, b: _not(_eq(a, b)),
}


def _div(eqn, a, b):
    if _dtype_kind(eqn.outvars[0]) != "f":
        raise _unsupported(eqn, "integer division")
    return a / b


def _integer_pow(eqn, a):
    n = int(eqn.params["y"])
    if n == 0:
        return _c(1.0)
    # JAX's x ** -n is 1 / x ** n (the IR's ipow is x ** n by binary exponentiation, as JAX).
    return _c(1.0) / _core.ipow(a, -n) if n < 0 else _core.ipow(a, n)


def _select_n(eqn, which, *cases):
    # select_n(p, c0, c1, ...) is c_p; a bool p picks c1 where true (the IR's select: non-zero is true).
    if len(cases) == 2:
        return _core.select(which, cases[1], cases[0])
    result = cases[-1]
    for i in range(len(cases) - 2, -1, -1):
        result = _core.select(_eq(which, _c(i)), cases[i], result)
    return result


def _clamp(eqn, lo, x, hi):
    # lax.clamp(min, x, max) = min(max(x, min), max).
    return _core.min(_core.max(x, lo), hi)


def _logical(eqn, *args):
    if any(_dtype_kind(v) != "b" for v in eqn.invars):
        raise _unsupported(eqn, "bitwise operations on integers")
    name = eqn.primitive.name
    if name == "not":
        return _not(args[0])
    a, b = args
    if name == "and":
        return a * b
    if name == "or":
        return _core.max(a, b)
    return _not(_eq(a, b))  # xor


def _convert_element_type(eqn, a):
    src, dst = _dtype_kind(eqn.invars[0]), np.dtype(eqn.params["new_dtype"]).kind
    if dst == "f" or dst == src or (dst in "iu" and src in "biu"):
        # Ranvier computes in float64: a cast to float32 is not rounded (it is in Jaxley's float32 mode).
        return a
    if dst == "b":
        return _not(_eq(a, _c(0.0)))
    raise _unsupported(eqn, f"converting {np.dtype(eqn.invars[0].aval.dtype)} to {np.dtype(eqn.params['new_dtype'])}")


def _dynamic_slice(eqn, a, *indices):
    return a  # one element: the only in-bounds slice is the element itself


WITH_EQN = {
    "div": _div,
    "integer_pow": _integer_pow,
    "select_n": _select_n,
    "clamp": _clamp,
    "not": _logical,
    "and": _logical,
    "or": _logical,
    "xor": _logical,
    "convert_element_type": _convert_element_type,
    "dynamic_slice": _dynamic_slice,
}


class UnsupportedPrimitive(NotImplementedError):
    """A primitive (or a use of one) that Ranvier cannot lower; ranvier._jaxpr adds the owner."""

    def __init__(self, primitive: str, what: str = ""):
        self.primitive, self.what = primitive, what
        super().__init__(f"JAX primitive '{primitive}'" + (f" ({what})" if what else ""))


def _unsupported(eqn, what: str = "") -> UnsupportedPrimitive:
    return UnsupportedPrimitive(eqn.primitive.name, what)


def apply(eqn, args):
    """The Expr of a single-output equation from its arguments' Exprs."""
    name = eqn.primitive.name
    if name in UNARY:
        return UNARY[name](args[0])
    if name in BINARY:
        return BINARY[name](*args)
    if name in WITH_EQN:
        return WITH_EQN[name](eqn, *args)
    raise _unsupported(eqn)


def supported() -> list:
    """The names of the primitives with a rule (for error messages)."""
    return sorted(set(UNARY) | set(BINARY) | set(WITH_EQN))

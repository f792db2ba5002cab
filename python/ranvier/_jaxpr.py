"""Channels and synapses written with ``jax.numpy``: traced by JAX itself, then lowered into
Ranvier's expression DAG.

Channel code is first called with Ranvier ``Expr`` leaves (the fast path: ``ranvier``'s math
functions, numpy ufuncs and Python operators build the DAG directly). Code that needs JAX
(``jnp.exp``, ``jnp.where``, ``jax.lax.select``, ``jax.nn.sigmoid``, ...) fails there; it is
then traced with ``jax.make_jaxpr`` on float64 scalars (one compartment, as Ranvier compiles
it) and each equation of the jaxpr becomes Expr nodes (rules in ranvier._jaxpr_rules), so the
compiled mechanism performs JAX's sequence of operations. No Python runs in the time loop.
"""
from __future__ import annotations

import contextlib
import numbers
import sys

import numpy as np

from . import _core
from ._jaxpr_rules import UnsupportedPrimitive, apply, supported

Expr = _core.Expr

# Primitives that call a sub-jaxpr on their operands (jit, custom derivatives, remat): the
# parameter holding it. Custom derivative rules do not matter: Ranvier differentiates the DAG.
_CALLS = {
    "pjit": "jaxpr",
    "jit": "jaxpr",
    "closed_call": "call_jaxpr",
    "core_call": "call_jaxpr",
    "remat": "jaxpr",
    "remat2": "jaxpr",
    "checkpoint": "jaxpr",
    "custom_jvp_call": "call_jaxpr",
    "custom_vjp_call": "call_jaxpr",
    "custom_vjp_call_jaxpr": "fun_jaxpr",
}


def _is_scalar_output(x) -> bool:
    return isinstance(x, (Expr, numbers.Real, np.number))


def _all_expr_outputs(tree) -> bool:
    """Whether the fast path produced only Exprs and numbers (else JAX values or arrays leaked in)."""
    if isinstance(tree, dict):
        return all(_all_expr_outputs(x) for x in tree.values())
    if isinstance(tree, (tuple, list)):
        return all(_all_expr_outputs(x) for x in tree)
    return tree is None or _is_scalar_output(tree)


def trace_outputs(call, leaves, owner: str):
    """``call(leaves)`` as Exprs: on the Expr leaves directly where that works, else traced by
    JAX on float64 scalars standing for the leaves and lowered (``lower``).

    ``call`` maps a list of values (one per leaf) to a pytree of dicts, tuples and scalars; the
    result has the same structure with Expr leaves. ``owner`` names the channel or synapse in
    errors ("channel 'Potassium'"). Ranvier's own errors (an undeclared parameter, a state it
    cannot update) are raised from the fast path as they are.
    """
    try:
        out = call(list(leaves))
    except (KeyError, NotImplementedError):
        raise
    except Exception:
        if "jax" not in sys.modules:  # no JAX value can be involved: the error is the code's own
            raise
    else:
        if _all_expr_outputs(out) or "jax" not in sys.modules:
            return out  # without JAX, an output of another type is reported by the caller, by name
    return lower(call, leaves, owner)


def _x64(jax):
    """Float64 tracing (Python literals in the channel code stay doubles) whatever the user's
    jax_enable_x64 setting: JAX's context manager (this thread only), else the config flag,
    restored afterwards."""
    if jax.config.jax_enable_x64:
        return contextlib.nullcontext()
    if callable(getattr(jax, "enable_x64", None)):
        return jax.enable_x64(True)
    if callable(getattr(getattr(jax, "experimental", None), "enable_x64", None)):  # older JAX
        return jax.experimental.enable_x64()
    return _x64_flag(jax)


@contextlib.contextmanager
def _x64_flag(jax):
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", False)


def lower(call, leaves, owner: str):
    """Trace ``call`` (see ``trace_outputs``) with ``jax.make_jaxpr`` and lower the jaxpr."""
    try:
        import jax
    except ImportError as e:
        raise ImportError(f"ranvier: {owner} computes with JAX, and JAX is not installed") from e
    with _x64(jax):
        scalars = [jax.ShapeDtypeStruct((), np.float64) for _ in leaves]
        try:
            closed, out_shape = jax.make_jaxpr(lambda *xs: call(list(xs)), return_shape=True)(*scalars)
        except jax.errors.ConcretizationTypeError as e:
            raise TypeError(
                f"ranvier: {owner} uses a traced value as a Python bool, int or float (an `if`, `and`, `or`, "
                "`float()` on a value); a compiled channel cannot branch in Python: use jnp.where or "
                f"jax.lax.select ({type(e).__name__})"
            ) from e
        except jax.errors.TracerArrayConversionError as e:
            raise TypeError(
                f"ranvier: {owner} passes a traced value to numpy (np.exp(x), np.asarray(x), ...); use jax.numpy "
                "or ranvier's math functions"
            ) from e
        try:
            values = [_as_expr(x, "output") for x in evaluate(closed.jaxpr, closed.consts, list(leaves))]
        except UnsupportedPrimitive as e:
            raise NotImplementedError(
                f"ranvier: {owner} uses the {e}, which is not supported yet (supported primitives: "
                f"{', '.join(supported() + sorted(_CALLS) + ['cond'])})"
            ) from None
        except _ArrayValue as e:
            raise NotImplementedError(
                f"ranvier: {owner} computes an array of shape {e.shape} (JAX primitive '{e.primitive}') from its "
                "states, parameters or voltage; a compiled channel computes on one compartment's scalars, arrays "
                "of several elements are not supported yet"
            ) from None
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(out_shape), values)


class _ArrayValue(Exception):
    def __init__(self, shape, primitive):
        super().__init__(str(shape))
        self.shape, self.primitive = tuple(shape), primitive


def _as_expr(value, primitive: str):
    """An environment value as an Expr: a concrete (constant) value must have one element."""
    if isinstance(value, Expr):
        return value
    arr = np.asarray(value)
    if arr.size != 1:
        raise _ArrayValue(arr.shape, primitive)
    if arr.dtype.kind not in "biuf":
        raise UnsupportedPrimitive(primitive, f"a constant of dtype {arr.dtype}")
    return _core.constant(float(arr.reshape(())))


def _check_scalar(var, primitive: str):
    shape = getattr(getattr(var, "aval", None), "shape", ())
    if int(np.prod(shape)) != 1:
        raise _ArrayValue(shape, primitive)


def _sub_jaxpr(eqn):
    """(jaxpr, consts) called by a call-like equation."""
    sub = eqn.params[_CALLS[eqn.primitive.name]]
    if hasattr(sub, "jaxpr"):  # a ClosedJaxpr
        return sub.jaxpr, sub.consts
    return sub, []


def _cond(eqn, args):
    """lax.cond / lax.switch: a constant index runs its branch; else every branch is lowered and
    the index selects among their results (it is clamped into range, as JAX's)."""
    index, operands = args[0], args[1:]
    branches = eqn.params["branches"]
    if not isinstance(index, Expr):
        b = branches[int(np.clip(np.asarray(index).reshape(()), 0, len(branches) - 1))]
        return evaluate(b.jaxpr, b.consts, operands)
    results = [evaluate(b.jaxpr, b.consts, operands) for b in branches]
    outs = []
    for k in range(len(eqn.outvars)):
        out = _as_expr(results[-1][k], "cond")
        for i in range(len(branches) - 2, -1, -1):
            is_i = _core.less_equal(index, _core.constant(float(i)))
            out = _core.select(is_i, _as_expr(results[i][k], "cond"), out)
        outs.append(out)
    return outs


def _fold(eqn, args):
    """An equation on constants only, computed by JAX (any shape: constant tables, iota, ...)."""
    out = eqn.primitive.bind(*args, **eqn.params)
    return [np.asarray(x) for x in out] if eqn.primitive.multiple_results else [np.asarray(out)]


def evaluate(jaxpr, consts, args):
    """A jaxpr's outputs given its constants and inputs: each an Expr (a value computed from the
    leaves) or a numpy array (a constant, folded by JAX)."""
    env = {}

    def read(atom):
        if type(atom).__name__ == "Literal":  # jax.extend.core.Literal: a constant written into the jaxpr
            return np.asarray(atom.val)
        return env[atom]

    def write(var, value):
        if type(var).__name__ != "DropVar":
            env[var] = value

    for var, c in zip(jaxpr.constvars, consts):
        write(var, c if isinstance(c, Expr) else np.asarray(c))
    for var, a in zip(jaxpr.invars, args):
        write(var, a)
    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        ins = [read(v) for v in eqn.invars]
        if name in _CALLS:
            sub, sub_consts = _sub_jaxpr(eqn)
            outs = evaluate(sub, sub_consts, ins)
        elif name == "cond":
            outs = _cond(eqn, ins)
        elif not any(isinstance(x, Expr) for x in ins):
            outs = _fold(eqn, ins)
        elif len(eqn.outvars) == 1:
            _check_scalar(eqn.outvars[0], name)
            outs = [apply(eqn, [_as_expr(x, name) for x in ins])]
        else:
            raise UnsupportedPrimitive(name, f"{len(eqn.outvars)} outputs")
        for var, value in zip(eqn.outvars, outs):
            write(var, value)
    return [read(v) for v in jaxpr.outvars]

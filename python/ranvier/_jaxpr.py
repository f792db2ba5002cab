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
    "checkpoint": "jaxpr",
    "custom_jvp_call": "call_jaxpr",
    "custom_vjp_call": "call_jaxpr",
    "custom_vjp_call_jaxpr": "fun_jaxpr",
}


def _is_scalar_output(x) -> bool:
    return isinstance(x, Expr) or (isinstance(x, (numbers.Real, np.number)) and not isinstance(x, bool))


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
        if _all_expr_outputs(out):
            return out
    except (KeyError, NotImplementedError):
        raise
    except Exception:
        if "jax" not in sys.modules:  # no JAX value can be involved: the error is the code's own
            raise
    return lower(call, leaves, owner)


@contextlib.contextmanager
def _x64(jax):
    """Float64 tracing (Python literals in the channel code stay doubles) whatever the user's
    jax_enable_x64 setting; restored afterwards."""
    if jax.config.jax_enable_x64:
        yield
        return
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
        values = evaluate(closed.jaxpr, closed.consts, list(leaves))
    except UnsupportedPrimitive as e:
        raise NotImplementedError(
            f"ranvier: {owner} uses the {e}, which is not supported yet (supported primitives: "
            f"{', '.join(supported() + sorted(_CALLS) + ['cond'])})"
        ) from None
    except _ArrayValue as e:
        raise NotImplementedError(
            f"ranvier: {owner} computes an array of shape {e.shape} (JAX primitive '{e.primitive}'); a compiled "
            "channel computes on one compartment's scalars, arrays of several elements are not supported yet"
        ) from None
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(out_shape), values)


class _ArrayValue(Exception):
    def __init__(self, shape, primitive):
        super().__init__(str(shape))
        self.shape, self.primitive = tuple(shape), primitive


def _scalar_constant(value, primitive: str):
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
    """lax.cond / lax.switch: every branch is lowered, the index selects among their results."""
    index, operands = args[0], args[1:]
    branches = [evaluate(b.jaxpr, b.consts, operands) for b in eqn.params["branches"]]
    results = []
    for k in range(len(eqn.outvars)):
        result = branches[-1][k]
        for i in range(len(branches) - 2, -1, -1):
            is_i = _core.less_equal(index, _core.constant(float(i)))  # the index is clamped into range
            result = _core.select(is_i, branches[i][k], result)
        results.append(result)
    return results


def evaluate(jaxpr, consts, args):
    """The Exprs of a jaxpr's outputs, given Exprs for its constants and inputs."""
    env = {}

    def read(atom):
        if type(atom).__name__ == "Literal":  # jax.extend.core.Literal: a constant written into the jaxpr
            return _scalar_constant(atom.val, "literal")
        return env[atom]

    def write(var, value):
        if type(var).__name__ != "DropVar":
            env[var] = value

    for var, c in zip(jaxpr.constvars, consts):
        write(var, c if isinstance(c, Expr) else _scalar_constant(c, "constant"))
    for var, a in zip(jaxpr.invars, args):
        write(var, a)
    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        for var in eqn.outvars:
            _check_scalar(var, name)
        ins = [read(v) for v in eqn.invars]
        if name in _CALLS:
            sub, sub_consts = _sub_jaxpr(eqn)
            outs = evaluate(sub, sub_consts, ins)
        elif name == "cond":
            outs = _cond(eqn, ins)
        elif len(eqn.outvars) == 1:
            outs = [apply(eqn, ins)]
        else:
            raise UnsupportedPrimitive(name, f"{len(eqn.outvars)} outputs")
        for var, value in zip(eqn.outvars, outs):
            write(var, value)
    return [read(v) for v in jaxpr.outvars]

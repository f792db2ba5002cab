"""The Channel base class (Jaxley's structure) and the tracer that turns a channel written in
Python into a compiled mechanism.

Tracing calls ``update_states``, ``compute_current`` and ``init_state`` once, with symbolic
arguments: every parameter and state is a named leaf of Ranvier's expression DAG, ``v`` is the
voltage leaf and ``dt`` / ``delta_t`` the time-step leaf. The returned expressions are the
mechanism; the time loop never calls Python.
"""
from __future__ import annotations

import numbers
from typing import Optional

import numpy as np

from .. import _core, _jaxpr
from .._math import Expr


class Channel:
    """Base class of channels written in Python (same structure as ``jaxley.channels.Channel``).

    Subclasses set ``self.current_is_in_mA_per_cm2 = True``, call ``super().__init__(name)``,
    then set ``channel_params`` (dict name -> default), ``channel_states`` (dict name ->
    default) and ``current_name``; they implement ``update_states(states, dt, v, params)``
    (dict of new states), ``compute_current(states, v, params)`` (mA/cm^2) and optionally
    ``init_state(states, v, params, delta_t)`` (dict of steady states). Write the math with
    ``jax.numpy`` / ``jax.lax`` (traced by JAX, see ranvier._jaxpr) or ``ranvier``'s functions
    (``ranvier.exp``, ``ranvier.solver_gate.save_exp``, ...), Python operators and numbers;
    Python ``if`` on values cannot be compiled (use ``jnp.where`` or ``ranvier.where``).
    """

    _name = None
    channel_params = None
    channel_states = None
    current_name = None

    def __init__(self, name: Optional[str] = None):
        if not getattr(self, "current_is_in_mA_per_cm2", False):
            raise ValueError(
                "The channel you are using is deprecated. In Jaxley version 0.5.0, the unit of the current returned "
                "by `compute_current` changed from `uA/cm^2` to `mA/cm^2`. Divide the current by 1000 and set "
                "`self.current_is_in_mA_per_cm2 = True` as the first line of the channel's `__init__()`."
            )
        self._name = name if name else self.__class__.__name__

    @property
    def name(self) -> Optional[str]:
        return self._name

    def change_name(self, new_name: str):
        old_prefix, new_prefix = self._name + "_", new_name + "_"

        def rename(d):
            return {(new_prefix + k[len(old_prefix):] if k.startswith(old_prefix) else k): v for k, v in d.items()}

        self._name = new_name
        self.channel_params = rename(self.channel_params)
        self.channel_states = rename(self.channel_states)
        self.__dict__.pop("_ranvier_mechanism", None)
        return self

    def update_states(self, states, dt, v, params):
        raise NotImplementedError

    def compute_current(self, states, v, params):
        raise NotImplementedError

    def init_state(self, states, v, params, delta_t):
        return {}


class _Leaves(dict):
    """The ``states`` / ``params`` dict a traced channel (or synapse) sees: name -> leaf."""

    def __init__(self, leaves, kind, owner, owner_kind="channel"):
        super().__init__(leaves)
        self._kind, self._owner, self._owner_kind = kind, owner, owner_kind

    def __missing__(self, key):
        what = f"{self._owner_kind} '{self._owner}'"
        declared = f"{self._owner_kind}_params and {self._owner_kind}_states"
        if self._kind == "parameter" and key in ("radius", "length", "axial_resistivity", "capacitance", "area"):
            raise NotImplementedError(
                f"{what} reads '{key}': Ranvier's {self._owner_kind}s can read only their own parameters "
                f"and states (declare it in {self._owner_kind}_params if it is one of its parameters)"
            )
        raise KeyError(
            f"{what} reads {self._kind} '{key}', which it does not declare "
            f"(its {self._kind}s: {', '.join(self.keys()) or 'none'}); it can read only its own {declared}"
        )


def _as_expr(x, what: str) -> Expr:
    if isinstance(x, Expr):
        return x
    if isinstance(x, (numbers.Real, np.number, np.bool_)) or (isinstance(x, np.ndarray) and x.ndim == 0):
        return _core.constant(float(x))
    # A concrete one-element array, e.g. Jaxley's `return jnp.zeros((1,))` for a zero current.
    if hasattr(x, "__array__") and getattr(x, "size", None) == 1:
        try:
            value = np.asarray(x)
        except Exception:  # a jax tracer or another lazy value: not a constant
            value = None
        if value is not None and value.dtype.kind in "biuf":
            return _core.constant(float(value.reshape(())))
    raise TypeError(
        f"{what} returned a {type(x).__name__}; a traced channel returns numbers or values computed from its "
        "states, params, v and dt (with jax.numpy, ranvier's math functions or Python operators)"
    )


def _define(definition, name, params, states, update, current):
    """Fills a Mechanism or SynapseType with a traced definition."""
    definition.name = name
    definition.params = [(k, float(x)) for k, x in params.items()]
    definition.states = [(k, float(x)) for k, x in states.items()]
    definition.update = update
    definition.current = current
    return definition


def _builtin_for(channel):
    """A C++ built-in for Ranvier's and Jaxley's own built-in channel classes."""
    from .builtin import BuiltinChannel

    if isinstance(channel, BuiltinChannel):
        return channel._make_mechanism()
    cls = type(channel)
    if cls.__module__.startswith("jaxley.") and cls.__name__ in _core.channels.builtin_names():
        if getattr(channel, "name", cls.__name__) != cls.__name__:
            return None  # renamed: Jaxley's own (jax.numpy) code is traced under the new name
        mech = _core.channels.by_name(cls.__name__)
        # Defaults changed on the instance (channel.channel_params[...] = ...) carry over.
        mech.params = [(k, float(channel.channel_params.get(k, x))) for k, x in mech.params]
        mech.states = [(k, float(channel.channel_states.get(k, x))) for k, x in mech.states]
        return mech
    return None


def _call_channel(channel, name, params, states):
    """(new states, current, initial states) of a channel as Exprs of its leaves: its
    update_states, compute_current and init_state called on leaves (each with its own states /
    params dicts, as if in Jaxley each saw the module's arrays), through ranvier._jaxpr so that
    code written with jax.numpy is traced by JAX and lowered."""
    leaves = [_core.state(k) for k in states] + [_core.param(k) for k in params] + [_core.voltage(), _core.dt()]
    init_fn = getattr(channel, "init_state", None)
    order = {}

    def call(values):
        v, dt = values[-2], values[-1]

        def fresh():  # each function gets its own dicts: one that writes into them changes no other
            return (_Leaves(dict(zip(states, values)), "state", name),
                    _Leaves(dict(zip(params, values[len(states):])), "parameter", name))

        S, P = fresh()
        new = dict(channel.update_states(S, dt, v, P) or {})
        S, P = fresh()
        current = channel.compute_current(S, v, P)
        init = {}
        if init_fn is not None:
            S, P = fresh()
            init = dict(init_fn(S, v, P, dt) or {})
        order["new"], order["init"] = list(new), list(init)
        return new, current, init

    new, current, init = _jaxpr.trace_outputs(call, leaves, f"channel '{name}'")
    # Back in the channel's own key order (JAX's pytrees sort dict keys).
    return {k: new[k] for k in order["new"]}, current, {k: init[k] for k in order["init"]}


def trace(channel) -> "_core.Mechanism":
    """Trace a channel with Jaxley's structure into a Mechanism (expression IR)."""
    name = getattr(channel, "name", None) or getattr(channel, "_name", None) or type(channel).__name__
    params = dict(channel.channel_params or {})
    states = dict(channel.channel_states or {})
    if not states and not params:
        raise ValueError(f"channel '{name}' declares no channel_params and no channel_states")
    if not channel.current_name:
        raise ValueError(f"channel '{name}' has no current_name")
    new_states, current, init_states = _call_channel(channel, name, params, states)
    update = []
    for k, x in new_states.items():
        # "v": the channel writes the membrane voltage (Jaxley's non-capacitive channels, e.g. Fire).
        if k not in states and k != "v":
            raise NotImplementedError(
                f"channel '{name}' updates '{k}', which is not one of its channel_states; a mechanism can update only "
                "its own states"
            )
        update.append((k, _as_expr(x, f"{name}.update_states['{k}']")))
    current = _as_expr(current, f"{name}.compute_current")
    init = []
    for k, x in init_states.items():
        if k not in states:
            raise NotImplementedError(f"channel '{name}'.init_state sets '{k}', which is not one of its states")
        init.append((k, _as_expr(x, f"{name}.init_state['{k}']")))

    mech = _define(_core.Mechanism(), name, params, states, update, current)
    mech.current_name = channel.current_name
    mech.init = init
    mech.validate()
    return mech


def to_mechanism(channel) -> "_core.Mechanism":
    """The Mechanism of a channel: a Mechanism as is, a built-in's C++ definition, or a Python
    channel traced once (the result is cached on the channel object)."""
    if isinstance(channel, _core.Mechanism):
        return channel
    if isinstance(channel, type):
        raise TypeError(f"insert() got the class {channel.__name__}; pass an instance, e.g. insert({channel.__name__}())")
    builtin = _builtin_for(channel)
    if builtin is not None:
        return builtin
    if not hasattr(channel, "update_states") or not hasattr(channel, "compute_current"):
        raise TypeError(f"cannot insert a {type(channel).__name__}: expected a channel (update_states, compute_current)")
    key = (
        tuple(sorted((channel.channel_params or {}).items())),
        tuple(sorted((channel.channel_states or {}).items())),
        channel.current_name,
        getattr(channel, "name", None),
    )
    cached = channel.__dict__.get("_ranvier_mechanism") if hasattr(channel, "__dict__") else None
    if cached is not None and cached[0] == key:
        return cached[1]
    mech = trace(channel)
    try:
        channel.__dict__["_ranvier_mechanism"] = (key, mech)
    except (AttributeError, TypeError):
        pass
    return mech

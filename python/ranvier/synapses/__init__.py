"""Synapses with Jaxley's structure.

Built-ins with Jaxley's names, parameters (prefixed with the type's name), defaults and units
(uS, mV, nA): ``IonotropicSynapse``, ``TanhRateSynapse``, ``TanhConductanceSynapse`` (compiled
C++ definitions in Ranvier's expression DSL). Your own synapse: subclass ``Synapse`` as in
Jaxley; it is traced once into the same DSL when it is connected, and compiled like the
built-ins. Pass an instance to ``ranvier.connect`` and friends.
"""
from typing import Optional

from .. import _core, _jaxpr
from ..channels.channel import _as_expr, _define, _Leaves


class Synapse:
    """Base class of synapses (same structure as ``jaxley.synapses.Synapse``).

    Subclasses call ``super().__init__(name)``, then set ``synapse_params`` (dict name ->
    default) and ``synapse_states`` (dict name -> initial value), with names prefixed by the
    synapse's name; they implement ``update_states(states, delta_t, pre_voltage,
    post_voltage, params)`` (dict of new states) and ``compute_current(states, pre_voltage,
    post_voltage, params)`` (nA, from the updated states; positive depolarises the
    postsynaptic compartment). Voltages are in mV, before the step. Write the math with
    ``jax.numpy`` (traced by JAX, see ranvier._jaxpr) or ``ranvier``'s functions
    (``ranvier.exp``, ``ranvier.tanh``, ``ranvier.solver_gate.save_exp``, ...), Python operators
    and numbers; Python ``if`` on values cannot be compiled (use ``jnp.where``).
    """

    _name = None
    synapse_params = None
    synapse_states = None

    def __init__(self, name: Optional[str] = None):
        self._name = name if name else type(self).__name__

    @property
    def name(self) -> Optional[str]:
        return self._name

    def update_states(self, states, delta_t, pre_voltage, post_voltage, params):
        raise NotImplementedError(f"synapse '{self._name}' does not implement update_states")

    def compute_current(self, states, pre_voltage, post_voltage, params):
        raise NotImplementedError(f"synapse '{self._name}' does not implement compute_current")

    @property
    def _core(self) -> "_core.SynapseType":
        """The synapse type in the expression DSL, traced from the current definitions."""
        return trace(self)

    def __repr__(self):
        return f"{self._name}()"


def _call_synapse(synapse, name, params, states):
    """(new states, current) of a synapse as Exprs of its leaves (through ranvier._jaxpr, so that
    code written with jax.numpy is traced by JAX and lowered); each function gets its own dicts."""
    leaves = [_core.state(k) for k in states] + [_core.param(k) for k in params]
    leaves += [_core.v_pre(), _core.v_post(), _core.dt()]
    order = []

    def call(values):
        pre, post, dt = values[-3:]

        def fresh():
            return (_Leaves(dict(zip(states, values)), "state", name, "synapse"),
                    _Leaves(dict(zip(params, values[len(states):])), "parameter", name, "synapse"))

        S, P = fresh()
        new = dict(synapse.update_states(S, dt, pre, post, P) or {})
        S, P = fresh()
        order[:] = list(new)
        return new, synapse.compute_current(S, pre, post, P)

    new, current = _jaxpr.trace_outputs(call, leaves, f"synapse '{name}'")
    return {k: new[k] for k in order}, current  # the synapse's own key order (JAX's pytrees sort keys)


def trace(synapse) -> "_core.SynapseType":
    """Trace a synapse with Jaxley's structure into a SynapseType (expression IR): every
    parameter and state is a named leaf, the voltages are the pre- and postsynaptic leaves and
    ``delta_t`` the time-step leaf. The time loop never calls Python."""
    name = synapse.name
    params = dict(synapse.synapse_params or {})
    states = dict(synapse.synapse_states or {})
    if not params and not states:
        raise ValueError(f"synapse '{name}' declares no synapse_params and no synapse_states")
    new_states, current = _call_synapse(synapse, name, params, states)
    update = []
    for k, x in new_states.items():
        if k not in states:
            raise NotImplementedError(
                f"synapse '{name}' updates '{k}', which is not one of its synapse_states; a synapse can update only "
                "its own states"
            )
        update.append((k, _as_expr(x, f"{name}.update_states['{k}']")))
    current = _as_expr(current, f"{name}.compute_current")
    t = _define(_core.SynapseType(), name, params, states, update, current)
    t.validate()
    return t


class _BuiltinSynapse(Synapse):
    """A built-in synapse type: its C++ definition. Custom names (Jaxley's ``name=``) are not
    supported."""

    _type_name: str = ""

    def __init__(self, name=None):
        if name is not None and name != self._type_name:
            raise NotImplementedError(f"{self._type_name}(name={name!r}): renamed synapse types are not supported")
        super().__init__(self._type_name)
        self._definition = _core.synapse_by_name(self._type_name)
        self.synapse_params = dict(self._definition.params)
        self.synapse_states = dict(self._definition.states)

    @property
    def _core(self):
        return self._definition


class IonotropicSynapse(_BuiltinSynapse):
    """Abbott & Marder 1998: state s, I = gS s (v_post - e_syn) [nA]."""

    _type_name = "IonotropicSynapse"


class TanhRateSynapse(_BuiltinSynapse):
    """I = -gS tanh((v_pre - x_offset) slope) [nA]; no state."""

    _type_name = "TanhRateSynapse"


class TanhConductanceSynapse(_BuiltinSynapse):
    """I = tanh((v_pre - x_offset) slope) gS (v_post - e_syn) [nA]; no state."""

    _type_name = "TanhConductanceSynapse"


from .test import TestSynapse  # noqa: E402 (a Synapse subclass: after the base class)

__all__ = ["Synapse", "IonotropicSynapse", "TanhRateSynapse", "TanhConductanceSynapse", "TestSynapse", "trace"]

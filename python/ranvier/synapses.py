"""Synapses with Jaxley's names, parameters (prefixed with the type's name), defaults and
units (uS, mV, nA): ``IonotropicSynapse``, ``TanhRateSynapse``, ``TanhConductanceSynapse``.
They are compiled C++ definitions in Ranvier's expression DSL; pass an instance to
``ranvier.connect`` and friends."""
from . import _core


class Synapse:
    """A built-in synapse type. Custom names (Jaxley's ``name=``) are not supported."""

    _type_name: str = ""

    def __init__(self, name=None):
        if name is not None and name != self._type_name:
            raise NotImplementedError(f"{self._type_name}(name={name!r}): renamed synapse types are not supported")
        self._core = _core.synapse_by_name(self._type_name)
        self._name = self._type_name
        self.synapse_params = dict(self._core.params)
        self.synapse_states = dict(self._core.states)

    @property
    def name(self):
        return self._name

    def __repr__(self):
        return f"{self._name}()"


class IonotropicSynapse(Synapse):
    """Abbott & Marder 1998: state s, I = gS s (v_post - e_syn) [nA]."""

    _type_name = "IonotropicSynapse"


class TanhRateSynapse(Synapse):
    """I = -gS tanh((v_pre - x_offset) slope) [nA]; no state."""

    _type_name = "TanhRateSynapse"


class TanhConductanceSynapse(Synapse):
    """I = tanh((v_pre - x_offset) slope) gS (v_post - e_syn) [nA]; no state."""

    _type_name = "TanhConductanceSynapse"


__all__ = ["Synapse", "IonotropicSynapse", "TanhRateSynapse", "TanhConductanceSynapse"]

"""The built-in channels. Their definitions are Ranvier's C++ ones (frontend/channels), with
Jaxley's names, defaults, units and quirks; these classes expose them with the attributes of a
Jaxley channel (``name``, ``channel_params``, ``channel_states``, ``current_name``)."""
from __future__ import annotations

from typing import Optional

from .. import _core
from .channel import Channel


class BuiltinChannel(Channel):
    _builtin = None

    def __init__(self, name: Optional[str] = None):
        self.current_is_in_mA_per_cm2 = True
        super().__init__(name)
        if self._name != self._builtin:
            raise NotImplementedError(
                f"{self._builtin}(name='{name}'): Ranvier's built-in channels keep their names (the name prefixes their "
                "parameters and states in the compiled model)"
            )
        mech = _core.channels.by_name(self._builtin)
        self.channel_params = dict(mech.params)
        self.channel_states = dict(mech.states)
        self.current_name = mech.current_name

    def _make_mechanism(self):
        mech = _core.channels.by_name(self._builtin)
        # Defaults changed on the instance (channel.channel_params[...] = ...) carry over.
        mech.params = [(k, float(self.channel_params.get(k, x))) for k, x in mech.params]
        mech.states = [(k, float(self.channel_states.get(k, x))) for k, x in mech.states]
        return mech

    def change_name(self, new_name: str):
        raise NotImplementedError("Ranvier's built-in channels keep their names")

    def update_states(self, states, dt, v, params):
        raise NotImplementedError(f"{self._builtin} is compiled from its C++ definition; it is not evaluated in Python")

    def compute_current(self, states, v, params):
        raise NotImplementedError(f"{self._builtin} is compiled from its C++ definition; it is not evaluated in Python")

    def __repr__(self):
        return f"{self._builtin}()"


class HH(BuiltinChannel):
    """Hodgkin-Huxley channel (Sterratt et al.), current ``i_HH``."""
    _builtin = "HH"


class Leak(BuiltinChannel):
    """Passive leak (Pospischil et al. 2008), current ``i_Leak``."""
    _builtin = "Leak"


class Na(BuiltinChannel):
    """Pospischil sodium channel, current ``i_Na``."""
    _builtin = "Na"


class K(BuiltinChannel):
    """Pospischil delayed-rectifier potassium channel, current ``i_K``."""
    _builtin = "K"


class Km(BuiltinChannel):
    """Pospischil slow M-type potassium channel, current ``i_K``."""
    _builtin = "Km"


class CaL(BuiltinChannel):
    """Pospischil high-threshold calcium channel, current ``i_Ca``."""
    _builtin = "CaL"


class CaT(BuiltinChannel):
    """Pospischil low-threshold calcium channel, current ``i_Ca``."""
    _builtin = "CaT"


# Jaxley 0.14's simplified models (channels/non_capacitive): they write the voltage in their
# state update and return zero current.
def _no_surrogate_warning(message: str):
    import warnings

    warnings.warn(message, stacklevel=3)


class Fire(BuiltinChannel):
    """Threshold reset: ``v > Fire_vth`` sets ``v = Fire_vreset`` and ``Fire_spikes`` (with
    ``Leak``: a leaky integrate-and-fire neuron). Current ``Fire_fire`` (zero)."""
    _builtin = "Fire"

    def __init__(self, name: Optional[str] = None):
        super().__init__(name)
        _no_surrogate_warning(
            "The `Fire` channel does not support surrogate gradients. Its gradient will be zero after every spike."
        )


class Izhikevich(BuiltinChannel):
    """Izhikevich (2003) neuron: recovery variable ``Izhikevich_u``, reset to ``Izhikevich_c``
    at ``v >= 30`` mV. Current ``Izhikevich_izhikevich`` (zero)."""
    _builtin = "Izhikevich"

    def __init__(self, name: Optional[str] = None):
        super().__init__(name)
        _no_surrogate_warning(
            "The `Izhikevich` channel does not support surrogate gradients. Its gradient will be zero after every spike."
        )


class Rate(BuiltinChannel):
    """Rate model: ``v`` relaxes to 0 with time constant ``Rate_tau`` (ms). Current ``Rate_rate`` (zero)."""
    _builtin = "Rate"


class AdEx(BuiltinChannel):
    """Adaptive exponential integrate-and-fire (Brette & Gerstner 2005), states ``AdEx_w`` and
    ``AdEx_spikes``. Current ``i_AdEx`` (zero)."""
    _builtin = "AdEx"

    def __init__(self, name: Optional[str] = None, surrogate_warning: bool = True):
        super().__init__(name)
        if surrogate_warning:
            _no_surrogate_warning(
                "The AdEx channel does not support surrogate gradients. Its gradient will be zero after every spike. "
                "Use AdExSurrogate for differentiable spiking."
            )

"""Channels: the built-ins (compiled C++ definitions with Jaxley's names, defaults and quirks)
and the ``Channel`` base class for channels written in Python, which are traced once into
Ranvier's expression IR when they are inserted."""
from .channel import Channel, to_mechanism
from .builtin import HH, CaL, CaT, K, Km, Leak, Na, BuiltinChannel
from .builtin import AdEx, Fire, Izhikevich, Rate
from ..solver_gate import (
    exponential_euler,
    save_exp,
    solve_gate_exponential,
    solve_gate_implicit,
    solve_inf_gate_exponential,
)

__all__ = [
    "Channel", "HH", "Leak", "Na", "K", "Km", "CaL", "CaT", "BuiltinChannel", "to_mechanism",
    "save_exp", "solve_gate_exponential", "exponential_euler", "solve_inf_gate_exponential",
    "solve_gate_implicit", "Fire", "Izhikevich", "Rate", "AdEx",
]

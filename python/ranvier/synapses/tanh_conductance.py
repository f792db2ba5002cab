"""``jaxley.synapses.tanh_conductance``: the built-in TanhConductanceSynapse, where a Jaxley user imports it from."""
from . import TanhConductanceSynapse

__all__ = ["TanhConductanceSynapse"]

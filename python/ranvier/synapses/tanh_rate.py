"""``jaxley.synapses.tanh_rate``: the built-in TanhRateSynapse, where a Jaxley user imports it from."""
from . import TanhRateSynapse

__all__ = ["TanhRateSynapse"]

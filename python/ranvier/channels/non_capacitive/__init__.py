"""``jaxley.channels.non_capacitive``: the simplified neuron models that write the voltage themselves."""
from ..builtin import AdEx, Fire, Izhikevich, Rate

__all__ = ["AdEx", "Fire", "Izhikevich", "Rate"]

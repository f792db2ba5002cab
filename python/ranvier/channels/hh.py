"""``jaxley.channels.hh``: the built-in Hodgkin-Huxley channel, where a Jaxley user imports it from."""
from .builtin import HH

__all__ = ["HH"]

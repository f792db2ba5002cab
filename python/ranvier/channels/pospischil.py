"""``jaxley.channels.pospischil``: the built-in Pospischil et al. (2008) channels, where a Jaxley user imports them from."""
from .builtin import CaL, CaT, K, Km, Leak, Na

__all__ = ["Na", "K", "Leak", "Km", "CaL", "CaT"]

"""``jaxley.synapses.ionotropic``: the built-in IonotropicSynapse, where a Jaxley user imports it from."""
from . import IonotropicSynapse

__all__ = ["IonotropicSynapse"]

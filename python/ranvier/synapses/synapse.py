"""``ranvier.synapses.synapse``: where Jaxley keeps its ``Synapse`` base class
(``from jaxley.synapses.synapse import Synapse``); the class itself is ranvier.synapses'."""
from . import Synapse, trace

__all__ = ["Synapse", "trace"]

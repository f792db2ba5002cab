"""Compartment, Branch, Cell, Network and their views, with Jaxley's API; laid out like
jaxley/modules/ (base.py holds the Module/View machinery, one file per module type)."""
from .base import Module, View
from .branch import Branch
from .cell import Cell, read_swc
from .compartment import Compartment
from .network import Network, SynapseView

__all__ = ["Module", "View", "Compartment", "Branch", "Cell", "Network", "SynapseView", "read_swc"]

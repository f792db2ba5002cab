"""Reading and writing morphologies (Jaxley's jaxley/io): SWC files and the graph backend."""
from ..modules import read_swc
from .graph import build_compartment_graph, from_graph, to_swc_graph, vis_compartment_graph

__all__ = ["read_swc", "from_graph", "to_swc_graph", "build_compartment_graph", "vis_compartment_graph"]

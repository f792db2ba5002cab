"""Joining two compartment graphs at a node of each (Jaxley 0.14's ``connect_graphs``, used by
``morph_connect``)."""
from __future__ import annotations

from typing import Union

import networkx as nx
import numpy as np

_AXES = ("x", "y", "z")


def _channel_names(graph) -> list:
    return [getattr(c, "name", type(c).__name__) for c in graph.graph.get("channels", [])]


def _mark_absent(src: nx.DiGraph, dst: nx.DiGraph) -> None:
    """Every group and channel of ``src`` is False at the nodes of ``dst`` that lack it."""
    if "group_names" not in src.graph:
        return
    for name in list(src.graph["group_names"]) + _channel_names(src):
        for _, d in dst.nodes(data=True):
            d.setdefault(name, False)


def _coordinate(graph: nx.DiGraph, node, axis: int) -> float:
    """Where ``node`` attaches: a branchpoint's own coordinate, a compartment's free end (the
    last traced point when an edge leads into it, else the first)."""
    d = graph.nodes[node]
    if d["type"] == "branchpoint":
        return d[_AXES[axis]]
    return d["xyzr"][-1, axis] if graph.in_degree(node) == 1 else d["xyzr"][0, axis]


def _merged_graph_attrs(g1: nx.DiGraph, g2: nx.DiGraph) -> dict:
    out = {}
    for key in list(g1.graph) + [k for k in g2.graph if k not in g1.graph]:
        a, b = g1.graph.get(key), g2.graph.get(key)
        if isinstance(a, list) and isinstance(b, list):
            out[key] = a + b
        else:
            out[key] = b if key in g2.graph else a
    return out


def _join(g: nx.DiGraph, node1, node2) -> None:
    """Link ``node1`` and ``node2`` of the combined graph: two compartments through a new
    branchpoint halfway between them, a compartment and a branchpoint directly, two
    branchpoints by merging the second into the first."""
    kind1, kind2 = g.nodes[node1]["type"], g.nodes[node2]["type"]
    if kind1 == "comp" and kind2 == "comp":
        template = next((dict(d) for _, d in g.nodes(data=True) if d["type"] == "branchpoint"), {"type": "branchpoint"})
        for key in _AXES:
            template[key] = 0.5 * (g.nodes[node1].get(key, np.nan) + g.nodes[node2].get(key, np.nan))
        new = max(g.nodes) + 1
        g.add_node(new, **template)
        g.add_edge(node1, new)
        g.add_edge(new, node2)
    elif kind1 == "comp" or kind2 == "comp":
        g.add_edge(node1, node2)
    else:
        for i in list(g.predecessors(node2)):
            g.add_edge(i, node1)
        for i in list(g.successors(node2)):
            g.add_edge(node1, i)
        g.remove_node(node2)


def connect_graphs(graph1: nx.DiGraph, graph2: nx.DiGraph, node1: Union[str, int], node2: Union[str, int]) -> nx.DiGraph:
    """One compartment graph made of ``graph1`` and ``graph2`` (moved so that ``node2`` lands on
    ``node1``), joined at those nodes; compartments are renumbered first, branchpoints after."""
    g1, g2 = graph1.copy(), graph2.copy()
    for g in (g1, g2):
        for _, d in g.nodes(data=True):
            if "xyzr" in d:
                d["xyzr"] = np.array(d["xyzr"], dtype=np.float64)
    _mark_absent(g1, g2)
    _mark_absent(g2, g1)
    for axis, key in enumerate(_AXES):
        offset = _coordinate(g1, node1, axis) - _coordinate(g2, node2, axis)
        for _, d in g2.nodes(data=True):
            d[key] = d.get(key, np.nan) + offset  # NaN where the module has no coordinates
            if d["type"] == "comp":
                d["xyzr"][:, axis] += offset
    shift = max(g1.nodes) + 1
    g2 = nx.relabel_nodes(g2, {n: n + shift for n in g2.nodes})
    node2 = node2 + shift
    combined = nx.compose(g1, g2)
    combined.graph.clear()
    combined.graph.update(_merged_graph_attrs(g1, g2))
    _join(combined, node1, node2)
    names = list(g1.graph.get("group_names", []))
    names += [n for n in g2.graph.get("group_names", []) if n not in names]
    combined.graph["group_names"] = names
    comps = sorted(n for n, d in combined.nodes(data=True) if d["type"] == "comp")
    points = sorted(n for n, d in combined.nodes(data=True) if d["type"] == "branchpoint")
    return nx.relabel_nodes(combined, {n: k for k, n in enumerate(comps + points)})

"""Tracing of an SWC graph into unbranched pieces (the first step of Jaxley 0.14's
``build_compartment_graph``, its ``_trace_branches``).

A traced branch is a list of SWC edges ``(parent_node, node, length_um)`` in depth-first
order; every branch but the first starts at a node marked ``type="branchpoint"``. The rules
(single-point somata, somatic branchpoints, type changes, ``max_len``, tracing interruptions)
follow Jaxley's so that the same compartments come out.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import networkx as nx
import numpy as np

Edge = Tuple[int, int, float]


def _degree(graph, node) -> int:
    return graph.degree(node)


def first_tip(graph) -> int:
    """The lowest-labelled node of degree < 2 (Jaxley's default root for tracing)."""
    for node in sorted(graph.nodes):
        if _degree(graph, node) < 2:
            return node
    raise ValueError("the graph has no tip (a node with fewer than two neighbours); is it a tree?")


def _same_type(graph, a, b, relevant: List[int]) -> bool:
    """Two SWC nodes count as one neurite type when their ids agree or neither id is relevant."""
    ia, ib = graph.nodes[a]["id"], graph.nodes[b]["id"]
    if ia not in relevant and ib not in relevant:
        return True
    return ia == ib


def _expand_single_point_soma(swc_graph: nx.DiGraph, soma) -> Tuple[nx.DiGraph, List[int]]:
    """A soma traced by one point becomes a cylinder of length 2 r (area 4 pi r^2): a copy of
    SWC node 1 is prepended as the new first node, every label moves up by one, and the edges
    at the soma get length 0 so that dendrites start at their first own point."""
    g = swc_graph.copy()
    for i, j in list(g.in_edges(soma)) + list(g.out_edges(soma)):
        g.edges[i, j]["l"] = 0
    # Jaxley shifts the parent ids with the labels, and node 1 ends up pointing at the copy.
    g.nodes[1]["p"] = 0
    for n in g.nodes:
        g.nodes[n]["p"] += 1
    g.add_node(0, **g.nodes[1])
    g.nodes[0]["p"] = -1
    g.add_edge(0, soma, l=2 * g.nodes[soma]["r"])
    g = nx.relabel_nodes(g, {n: n + 1 for n in g.nodes})
    return g, [1, soma + 1]


def _zero_somatic_branchpoints(undirected: nx.Graph, soma_nodes, ignore: List[int]) -> None:
    """At a node where two or more somatic neighbours meet, non-somatic neurites start at their
    own first point: their edge to the soma gets length 0 and the soma node is not traced."""
    for node in soma_nodes:
        if node not in undirected:
            continue
        somatic = [n for n in undirected.neighbors(node) if undirected.nodes[n]["id"] == 1]
        if len(somatic) < 2:
            continue
        for i, j in list(undirected.edges(node)):
            if undirected.nodes[j]["id"] != 1:
                ignore.append(i)
                undirected.edges[i, j]["l"] = 0


def _dfs_branches(directed, undirected, root, relevant) -> Tuple[List[List[Edge]], List[int]]:
    """Cut the depth-first edge sequence into branches at tips, branchings and type changes."""
    branches, types, current = [], [], []
    for i, j in nx.dfs_edges(undirected, root, sort_neighbors=sorted):
        current.append((i, j, undirected.edges[i, j]["l"]))
        type_i = undirected.nodes[i]["id"]
        deg = _degree(undirected, j)
        if deg < 2:
            if _same_type(undirected, i, j, relevant):
                branches.append(current)
                types.append(type_i)
            else:  # the tip has its own type: its last edge is a branch of its own
                branches += [current[:-1], current[-1:]]
                types += [type_i, undirected.nodes[j]["id"]]
            current = []
        elif deg > 2:
            branches.append(current)
            types.append(type_i)
            current = []
        elif not _same_type(undirected, i, j, relevant):
            traced_backwards = not directed.has_edge(i, j) and directed.has_edge(j, i)
            if traced_backwards:
                branches.append(current)
                types.append(type_i)
                current = []
            else:
                branches.append(current[:-1])
                types.append(type_i)
                current = current[-1:]
    kept = [(b, t) for b, t in zip(branches, types) if len(b) > 0]
    return [b for b, _ in kept], [t for _, t in kept]


def _split_long(branches, types, undirected, max_len: float):
    """Cut every branch where its cumulative path length passes a multiple of ``max_len`` (um)."""
    new_branches, new_types, new_points = [], [], []
    for branch, t in zip(branches, types):
        cum = np.cumsum([undirected.edges[i, j]["l"] for i, j, _ in branch])
        piece_of_edge = cum // max_len
        pieces = [[e for e, k in zip(branch, piece_of_edge) if k == kk] for kk in np.unique(piece_of_edge)]
        new_branches += pieces
        new_types += [t] * len(pieces)
        new_points += [piece[0][0] for piece in pieces[1:]]
    return new_points, new_branches, new_types


def _split_at_interruptions(undirected, branches, types):
    """Jaxley's ignore_swc_tracing_interruptions=False: a new branch wherever a sample's
    parent is not the previous sample and neither is a branchpoint."""
    interrupted = []
    for n in undirected.nodes:
        parent = undirected.nodes[n]["p"]
        if parent > -1 and parent != n - 1:
            if parent not in undirected:
                raise ValueError(f"build_compartment_graph: SWC node {n} names parent {parent}, which is not in the graph")
            if undirected.nodes[n]["type"] != "branchpoint" and undirected.nodes[parent]["type"] != "branchpoint":
                interrupted.append(parent)
    for node in interrupted:
        b = next(k for k, br in enumerate(branches) if any(node in (e[0], e[1]) for e in br))
        hits = [k for k, e in enumerate(branches[b]) for v in (e[0], e[1]) if v == node]
        if len(hits) < 2:
            raise ValueError(f"build_compartment_graph: cannot split the branch at interrupted SWC node {node}")
        cut = hits[1]
        branches = branches[:b] + [branches[b][:cut], branches[b][cut:]] + branches[b + 1:]
        types = types[:b] + [types[b], types[b]] + types[b + 1:]
    return interrupted, branches, types


def trace_branches(
    swc_graph: nx.DiGraph,
    root: Optional[int] = None,
    max_len: Optional[float] = None,
    ignore_swc_tracing_interruptions: bool = True,
    relevant_type_ids: Optional[List[int]] = None,
):
    """(undirected graph with node ``type`` spurious/branchpoint, branches, their SWC type ids,
    SWC nodes whose point is left out of the branch that starts there)."""
    relevant = [1, 2, 3, 4] if relevant_type_ids is None else list(relevant_type_ids)
    ignore: List[int] = []
    soma_nodes = [n for n, i in nx.get_node_attributes(swc_graph, "id").items() if i == 1]
    directed = swc_graph
    if len(soma_nodes) == 1:
        directed, ignore = _expand_single_point_soma(swc_graph, soma_nodes[0])
    undirected = directed.to_undirected()
    # Jaxley looks the somata up by their labels before the single-point relabelling.
    _zero_somatic_branchpoints(undirected, soma_nodes, ignore)
    root = root if root else first_tip(undirected)
    nx.set_node_attributes(undirected, "spurious", "type")
    branches, types = _dfs_branches(directed, undirected, root, relevant)
    if max_len:
        points, branches, types = _split_long(branches, types, undirected, max_len)
        for n in points:
            undirected.nodes[n]["type"] = "branchpoint"
    for branch in branches[1:]:
        undirected.nodes[branch[0][0]]["type"] = "branchpoint"
    if not ignore_swc_tracing_interruptions:
        points, branches, types = _split_at_interruptions(undirected, branches, types)
        for n in points:
            undirected.nodes[n]["type"] = "branchpoint"
    return undirected, branches, types, ignore

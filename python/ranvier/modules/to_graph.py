"""Export of a module as a networkx compartment graph (Jaxley 0.14's ``to_graph`` in
jaxley/modules/base.py); ``ranvier.io.graph.from_graph`` reads it back."""
from __future__ import annotations

import networkx as nx
import numpy as np

from .. import _core


class ExportedChannel:
    """A channel of an exported graph (``graph["channels"]``): its name, current name,
    parameters and states with their defaults, and the Mechanism that ``from_graph`` inserts.
    Deep copies (``graph.to_undirected()``) share the Mechanism."""

    def __init__(self, mechanism):
        self.mechanism = mechanism
        self.name = mechanism.name
        self.current_name = mechanism.current_name
        self.channel_params = dict(mechanism.params)
        self.channel_states = dict(mechanism.states)

    def __deepcopy__(self, memo):
        return ExportedChannel(self.mechanism)

    def __repr__(self):
        return f"ExportedChannel({self.name})"


def module_xyzr(module) -> list:
    """The traced points (x, y, z, r in um) of every branch: the module's ``xyzr`` where it has
    one, else those read from SWC, else NaN (2, 4) as Jaxley keeps them before compute_xyz."""
    own = getattr(type(module), "xyzr", None)
    if own is not None:
        return [np.asarray(x, dtype=np.float64) for x in module.xyzr]
    out = []
    for x in _core.graph_module_xyzr(module._core):
        x = np.asarray(x)
        out.append(x if len(x) else np.full((2, 4), np.nan))
    return out


def _cells(module):
    """(first branch, parents) of every cell; a Branch or Compartment is one cell of one branch."""
    core = module._core
    parents = list(core.parents)
    starts = [b for b, p in enumerate(parents) if p == -1] + [len(parents)]
    return [(s, [p - s if p >= 0 else -1 for p in parents[s:e]]) for s, e in zip(starts[:-1], starts[1:])]


def branchpoint_table(module, xyzr, nodes):
    """Jaxley's ``_branchpoints`` and compartment edges: for every cell, one branchpoint per
    branch with children (in order of the parent branch), numbered after the last compartment.
    Returns ({label: (x, y, z)}, [(source, sink)] for the parent -> branchpoint and
    branchpoint -> child edges)."""
    core = module._core
    ncomp = list(core.ncomp_per_branch)
    first = np.concatenate([[0], np.cumsum(ncomp)]).astype(int)
    label, points, child_edges, parent_edges = core.n_comp, {}, [], []
    has_xyz = "x" in nodes.columns
    for start, parents in _cells(module):
        owners = sorted({p + start for p in parents if p >= 0})
        bp_of = {}
        for b in owners:
            bp_of[b] = label
            parent_edges.append((int(first[b + 1] - 1), label))
            label += 1
        for local, p in enumerate(parents):
            if p >= 0:
                child_edges.append((bp_of[p + start], int(first[start + local])))
        for b in owners:
            end = xyzr[b][-1, :3]
            if np.isnan(end).any() and has_xyz:
                # Built cells: Jaxley places the branchpoint at the mean of its neighbours.
                near = [s for s, t in parent_edges if t == bp_of[b]] + [t for s, t in child_edges if s == bp_of[b]]
                end = nodes.loc[near, ["x", "y", "z"]].to_numpy(dtype=np.float64).mean(axis=0)
            points[bp_of[b]] = tuple(float(v) for v in end)
    return points, child_edges + parent_edges


def _node_frame(module, channels: bool):
    nodes = module.nodes.copy()
    nodes = nodes.drop(columns=[c for c in nodes.columns if "local" in c])
    nodes.columns = [c.replace("global_", "") for c in nodes.columns]
    core = module._core
    for name in core.group_names:
        if name not in nodes.columns:
            at = np.zeros(core.n_comp, dtype=bool)
            try:
                at[list(core.view().group(name).comps)] = True
            except ValueError:  # an empty group (e.g. after morph_delete of all its branches)
                pass
            nodes[name] = at[nodes.index.to_numpy()]
    if not channels:
        for m in core.mechanisms:
            keys = [m.name] + [k for k, _ in m.params] + [k for k, _ in m.states]
            nodes = nodes.drop(columns=[k for k in keys if k in nodes.columns])
    return nodes


def to_graph(module, synapses: bool = False, channels: bool = False) -> nx.DiGraph:
    """The compartment graph of a module: one ``type="comp"`` node per compartment with its
    row of ``nodes`` (indices without ``global_``, groups as booleans) and its traced points
    ``xyzr``, one ``type="branchpoint"`` node per branchpoint (x, y, z), edges along the cable.
    ``channels=True`` keeps channel columns and stores the mechanisms as ``graph["channels"]``."""
    base = module.base if hasattr(module, "base") else module
    if base is not module:
        raise NotImplementedError("ranvier: to_graph of a view is not supported yet; export the module")
    core = module._core
    if synapses and getattr(core, "synapse_groups", None):
        raise NotImplementedError("ranvier: to_graph(..., synapses=True) of a module with synapses is not supported yet")
    g = nx.DiGraph()
    g.graph["type"] = type(module).__name__.lower()
    g.graph["ncomp"] = module.ncomp
    g.graph["externals"] = module.externals
    g.graph["external_inds"] = module.external_inds
    g.graph["recordings"] = module.recordings
    g.graph["trainable_params"] = module.get_parameters()
    g.graph["indices_set_by_trainables"] = [np.asarray(groups) for _, groups, _ in core.trainables]
    nodes = _node_frame(module, channels)
    if channels:
        g.graph["channels"] = [ExportedChannel(m) for m in core.mechanisms]
        g.graph["membrane_current_names"] = [m.current_name for m in core.mechanisms]
    nodes["type"] = "comp"
    for comp, row in zip(nodes.index, nodes.to_dict(orient="records")):
        g.add_node(int(comp), **row)
    xyzr = module_xyzr(module)
    points, bp_edges = branchpoint_table(module, xyzr, nodes)
    for label, (x, y, z) in points.items():
        g.add_node(label, x=x, y=y, z=z, type="branchpoint")
    g.graph["group_names"] = list(core.group_names)
    ncomp = list(core.ncomp_per_branch)
    first = np.concatenate([[0], np.cumsum(ncomp)]).astype(int)
    for b, n in enumerate(ncomp):
        for k, piece in enumerate(np.array_split(xyzr[b], n)):
            g.nodes[int(first[b] + k)]["xyzr"] = piece.copy()
    g.add_edges_from((c, c + 1) for b, n in enumerate(ncomp) for c in range(first[b], first[b] + n - 1))
    g.add_edges_from(bp_edges)
    if synapses:
        for key in ("synapses", "synapse_param_names", "synapse_state_names", "synapse_names", "synapse_current_names"):
            g.graph[key] = []
    return g

"""Parameter sharing as Jaxley 0.14's ``make_trainable``: one trainable value per distinct
``controlled_by_param`` of the rows in view (``nodes`` for compartment keys, ``edges`` for
synapse keys). Indexing sets that column (module: one value; ``branch(...)``: one per branch;
``select(...)``: one per row); users may overwrite it in ``view.nodes`` / ``view.edges``
(tutorial "advanced parameter sharing"), e.g. with ``edges.groupby([...]).ngroup()``.

Groups of unequal size: Jaxley 0.14 pads them with index -1 and its integrate then also writes
the padded parameter into the last compartment / synapse (numpy's and JAX's index -1). Ranvier
writes each parameter only into its own group's rows."""
from __future__ import annotations

import numpy as np

from .edges import synapse_type_of


def _initial_values(key: str, init_val, means: list) -> list:
    """Jaxley's rule: None -> the mean over each group; a float for all; a list, one each."""
    if init_val is None:
        return [float(m) for m in means]
    if isinstance(init_val, (list, tuple, np.ndarray)):
        vals = [float(x) for x in np.asarray(init_val, dtype=np.float64).reshape(-1)]
        if len(vals) != len(means):
            raise ValueError(f"make_trainable('{key}'): len(init_val)={len(vals)}, but {len(means)} parameters are created")
        return vals
    if isinstance(init_val, (bool, np.bool_)) or not isinstance(init_val, (int, float, np.integer, np.floating)):
        raise ValueError(f"make_trainable('{key}'): init_val must be a float, a list or None, not a {type(init_val).__name__}")
    return [float(init_val)] * len(means)


def _groups(table, key: str):
    """Row labels grouped by controlled_by_param (ascending, rows in view order within a group,
    as pandas' groupby), only rows where ``key`` is defined; and each group's mean."""
    data = table.loc[~table[key].isna()]
    groups, means = [], []
    for _, rows in data.groupby("controlled_by_param", sort=True):
        groups.append(rows.index.to_numpy(dtype=np.int64))
        means.append(float(rows[key].mean()))
    return groups, means


class SharingMixin:
    def make_trainable(self, key: str, init_val=None, verbose: bool = True) -> None:
        """Make ``key`` trainable: one parameter per ``controlled_by_param`` value of the
        compartments (or, for a synapse key, the synapses) in view; ``init_val`` as Jaxley (a
        float for all, a list with one value per parameter, or None for each group's mean)."""
        core = self._base._core
        if core.has_column(key):
            if self.__dict__.get("_nodes_cache") is None and not isinstance(init_val, (list, tuple, np.ndarray)):
                # Nobody can have rewritten controlled_by_param: the C++ view groups as Jaxley.
                return super().make_trainable(key, init_val, verbose)
            groups, means = _groups(self.nodes, key)
            if not groups:
                raise ValueError(f"cannot make '{key}' trainable: it is not defined at any compartment of this view")
        else:
            g = synapse_type_of(core, key)
            if g is None:
                raise KeyError(f"cannot make '{key}' trainable: no such parameter or state in the nodes or edges")
            edges = self.edges
            groups, means = _groups(edges, key)
            if not groups:
                raise ValueError(f"cannot make '{key}' trainable: no synapse with that parameter is in this view")
            within = edges["index_within_type"]
            groups = [within.loc[rows].to_numpy(dtype=np.int64) for rows in groups]
        before = sum(len(t[1]) for t in core.trainables)
        core.add_trainable(key, [[int(i) for i in rows] for rows in groups], _initial_values(key, init_val, means))
        if verbose:
            print(
                f"Number of newly added trainable parameters: {len(groups)}. "
                f"Total number of trainable parameters: {before + len(groups)}"
            )

"""``jaxley.utils.cell_utils``: the index helpers of Jaxley 0.14 that its users and tests call.

A location along a branch is a number in [0, 1]; compartment ``i`` of ``n`` is centred at
``(i + 0.5) / n`` (SEMANTICS.md, views).
"""
import numpy as np

from .misc_utils import cumsum_leading_zero


def local_index_of_loc(loc: float, global_branch_ind: int, ncomp_per_branch) -> int:
    """The compartment of branch ``global_branch_ind`` whose centre is nearest to ``loc``
    (the lower one on a tie, as Jaxley's ``argmin``)."""
    ncomp = int(np.asarray(ncomp_per_branch)[global_branch_ind])
    centres = (np.arange(ncomp) + 0.5) / ncomp
    return int(np.argmin(np.abs(centres - loc)))


def loc_of_index(global_comp_index, global_branch_index, ncomp_per_branch):
    """The location in [0, 1] of compartment ``global_comp_index``'s centre along its branch."""
    ncomp = np.asarray(ncomp_per_branch)
    first = cumsum_leading_zero(ncomp)[global_branch_index]
    return (0.5 + (global_comp_index - first)) / ncomp[global_branch_index]


def params_to_pstate(params, indices_set_by_trainables):
    """``get_parameters()``'s list as ``data_set``'s ``param_state`` entries: one
    ``{"key", "val", "indices"}`` dict per trainable group."""
    if len(params) != len(indices_set_by_trainables):
        raise ValueError(f"params_to_pstate: {len(params)} parameter groups but {len(indices_set_by_trainables)} index sets")
    out = []
    for p, idx in zip(params, indices_set_by_trainables):
        (key, val), = p.items()
        out.append({"key": key, "val": val, "indices": idx})
    return out


__all__ = ["local_index_of_loc", "loc_of_index", "params_to_pstate"]

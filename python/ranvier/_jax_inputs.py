"""The array inputs of one ``ranvier.jax.integrate`` call as a flat list of JAX leaves (what the
callbacks receive), and their reassembly into ``ranvier.integrate``'s numpy arguments on the
host, where vmapped leaves carry extra leading axes (``Lanes``)."""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

__all__ = ["Inputs", "Lanes"]

# Dimensions of one simulation's value of each kind of input (one more: Ranvier's lane axis).
_BASE_NDIM = {"params": 1, "param_state": 1, "data_stimuli": 2, "data_clamps": 2, "all_states": 1}


def _external_entries(data, kind: str):
    if data is None:
        return []
    try:
        names, arrays, inds = data
    except (TypeError, ValueError):
        raise ValueError(f"{kind} must be the (names, arrays, indices) tuple returned by data_{kind[5:-1]}()") from None
    return list(zip(names, arrays, inds))


class Inputs:
    """``leaves[i]`` (a JAX array of ``dtype``), ``shapes[i]``, ``names[i]`` (for errors),
    ``differentiable[i]``; ``slots[i] = (kind, position, info)`` says where the leaf goes back."""

    def __init__(self, params, param_state, data_stimuli, data_clamps, all_states, dtype):
        self.leaves, self.names, self.differentiable, self.slots = [], [], [], []
        self._stimulus_rows = {}  # leaf index -> first row among the adjoint's stimulus gradients
        for i, entry in enumerate(params or []):
            if isinstance(entry, dict) and not entry:
                continue  # Jaxley accepts `params=[{}]`: nothing to train
            if not isinstance(entry, dict) or len(entry) != 1:
                raise ValueError(f"params[{i}] must be a one-key dict as returned by get_parameters(), got {entry!r}")
            (key, val), = entry.items()
            self._add("params", jnp.atleast_1d(jnp.asarray(val, dtype)), f"params[{i}] ('{key}')", True, key)
        for i, entry in enumerate(param_state or []):
            self._add("param_state", jnp.atleast_1d(jnp.asarray(entry["val"], dtype)),
                      f"the data_set value param_state[{i}] ('{entry['key']}')", False,
                      (entry["key"], np.asarray(entry["indices"])))
        stimulus_row = 0
        for kind in ("data_stimuli", "data_clamps"):
            data = data_stimuli if kind == "data_stimuli" else data_clamps
            for i, (name, arr, idx) in enumerate(_external_entries(data, kind)):
                a = jnp.asarray(arr, dtype)
                a = a[None, :] if a.ndim == 1 else a
                is_current = name == "i"
                what = f"{kind}[{i}] ('{name}')" if not is_current else f"the current {kind}[{i}]"
                if is_current:
                    self._stimulus_rows[len(self.leaves)] = stimulus_row
                    stimulus_row += a.shape[-2]
                self._add(kind, a, what, is_current, (name, np.asarray(idx)))
        for key, val in (all_states or {}).items():
            self._add("all_states", jnp.asarray(val, dtype), f"all_states['{key}']", False, key)
        self.shapes = tuple(tuple(leaf.shape) for leaf in self.leaves)

    def _add(self, kind, leaf, what, differentiable, info):
        self.slots.append((kind, info))
        self.leaves.append(leaf)
        self.names.append(what)
        self.differentiable.append(differentiable)

    def base_ndim(self, i: int) -> int:
        return _BASE_NDIM[self.slots[i][0]]

    def explicit_batch(self) -> tuple:
        """``(B,)`` when some input uses Ranvier's batch API (a lane axis of its own), else ``()``."""
        for i, shape in enumerate(self.shapes):
            if len(shape) == self.base_ndim(i) + 1:
                return (shape[0],)
            if len(shape) > self.base_ndim(i) + 1:
                raise ValueError(f"{self.names[i]} has shape {shape}: too many dimensions")
        return ()

    def external_lengths(self) -> list:
        return [s[-1] for s, (kind, _info) in zip(self.shapes, self.slots) if kind in ("data_stimuli", "data_clamps")]

    def assemble(self, values) -> dict:
        """``ranvier.integrate`` keyword arguments from one numpy value per leaf."""
        kw = {"params": [], "param_state": [], "data_stimuli": None, "data_clamps": None, "all_states": None}
        externals = {"data_stimuli": ([], [], []), "data_clamps": ([], [], [])}
        for (kind, info), v in zip(self.slots, values):
            if kind == "params":
                kw["params"].append({info: v})
            elif kind == "param_state":
                kw["param_state"].append({"indices": info[1], "key": info[0], "val": v})
            elif kind in externals:
                names, arrays, inds = externals[kind]
                names.append(info[0])
                arrays.append(v)
                inds.append(info[1])
            else:
                kw["all_states"] = kw["all_states"] or {}
                kw["all_states"][info] = v
        for kind, data in externals.items():
            kw[kind] = data if data[0] else None
        return kw

    def lane_gradient(self, i: int, g_params, g_stimuli, n_module_stimuli: int):
        """Leaf i's gradient from one lane's adjoint output (None: not differentiable)."""
        kind = self.slots[i][0]
        if kind == "params":
            return g_params[sum(1 for k, _ in self.slots[:i] if k == "params")]
        if i in self._stimulus_rows:
            first = n_module_stimuli + self._stimulus_rows[i]
            return np.stack([np.asarray(g_stimuli[r]) for r in range(first, first + self.shapes[i][-2])])
        return None


class Lanes:
    """The leaves as a callback receives them under ``vmap_method="expand_dims"``: each with the
    same number of extra leading axes, of full size where vmapped and 1 where shared. These axes
    (several under nested vmap) are flattened into Ranvier's one lane axis."""

    def __init__(self, inputs: Inputs, arrays, lead_shape: tuple = ()):
        """``lead_shape``: leading axes of a batched argument that is not a leaf (the cotangent of
        the backward pass, which may be vmapped while every leaf is shared)."""
        self.inputs = inputs
        arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
        extra = {a.ndim - len(s) for a, s in zip(arrays, inputs.shapes)}
        if len(extra) != 1:
            raise ValueError(f"ranvier.jax: inconsistent batch axes among the inputs (extra dimensions {sorted(extra)})")
        n_extra = extra.pop()
        if n_extra and inputs.explicit_batch():
            raise NotImplementedError("ranvier: jax.vmap over inputs that already have Ranvier's lane axis "
                                      "(the batch API) is not supported; use one or the other")
        leads = [a.shape[:n_extra] for a in arrays] + ([tuple(lead_shape)] if n_extra else [])
        self.batch_shape = tuple(np.broadcast_shapes(*leads)) if n_extra else ()
        n_lanes = math.prod(self.batch_shape)
        self.values, self.batched = [], []
        for a, shape in zip(arrays, inputs.shapes):
            lead = a.shape[:n_extra]
            if math.prod(lead) == 1:
                self.values.append(np.ascontiguousarray(a.reshape(shape)))
                self.batched.append(False)
            else:
                full = np.broadcast_to(a, self.batch_shape + shape)
                self.values.append(np.ascontiguousarray(full.reshape((n_lanes,) + shape)))
                self.batched.append(True)

    def kwargs(self) -> dict:
        """All lanes at once: vmapped leaves with Ranvier's lane axis, shared leaves without."""
        return self.inputs.assemble(self.values)

    def lane_kwargs(self, b: int) -> dict:
        """Lane b alone."""
        return self.inputs.assemble([v[b] if batched else v for v, batched in zip(self.values, self.batched)])

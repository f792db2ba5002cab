"""Coordinates of modules and views, as Jaxley 0.14 keeps them (jaxley/modules/base.py):
``shape``, ``xyzr`` (per branch an (n, 4) array of x, y, z, r in um), ``compute_xyz``,
``compute_compartment_centers`` (the x, y, z columns of ``nodes``), ``move``, ``move_to``,
``rotate``, ``vis`` and ``show``; iteration over cells, branches and compartments.

The coordinates live in the C++ module (``_core.xyzr(b)``, the x, y, z columns), so copies,
networks and ``set_ncomp`` carry them. Built modules get Jaxley's computed layout when they
are constructed (Jaxley computes it while initialising its solver): branches laid out from
their lengths, radius NaN. SWC cells keep their traced points. ``xyzr`` returns copies:
assign ``module.xyzr = [...]`` to replace them. Coordinates are for plotting and distances
only; they never change a simulation.
"""
from __future__ import annotations

from typing import List, Optional

import numpy as np

from ..utils import plot_utils

_LEVELS = ["network", "cell", "branch", "comp"]


def _unique(values) -> list:
    """Distinct values in order of first appearance (pandas' ``unique``)."""
    return list(dict.fromkeys(int(v) for v in values))


def _nan_xyzr() -> np.ndarray:
    return np.full((2, 4), np.nan)


def _interpolate_xyzr(locs, xyzr: np.ndarray) -> np.ndarray:
    """Points at relative path positions ``locs`` (NaN stays NaN) along ``xyzr``: shape (len, 4)."""
    steps = np.sqrt(np.sum(np.diff(xyzr[:, :3], axis=0) ** 2, axis=1))
    path = np.insert(np.cumsum(steps), 0, 0)
    return plot_utils.interp_columns(locs, path / np.maximum(1e-8, path[-1]), xyzr).T


class GeometryMixin:
    """Shared by modules and views (mixed into ``_Selection``)."""

    # -- what is in view -------------------------------------------------------------------
    def _rows(self):
        """Global cell, branch and compartment index of every compartment in view (view order)."""
        cols = self._cview().index_columns
        return tuple(np.asarray(c, dtype=np.int64) for c in cols[:3])

    @property
    def _branches_in_view(self) -> List[int]:
        return _unique(self._rows()[1])

    @property
    def _plot_ncomp(self) -> int:
        # Jaxley's `ncomp`: the largest ncomp per branch of a module; every compartment of a view.
        return int(max(self._base._core.ncomp_per_branch)) if self._base is self else len(self._comps)

    @property
    def shape(self) -> tuple:
        """Numbers of cells, branches and compartments in view, from the base module's level
        down: a network ``(cells, branches, comps)``, a cell ``(branches, comps)``, a branch
        ``(comps,)``, a compartment ``()`` (Jaxley's ``shape``)."""
        counts = tuple(len(set(r.tolist())) for r in self._rows())
        return counts[_LEVELS.index(self._base._level):]

    # -- coordinates -----------------------------------------------------------------------
    def _branch_xyzr(self, b: int) -> np.ndarray:
        points = np.array(self._base._core.xyzr(int(b)))
        return points if len(points) else _nan_xyzr()

    @property
    def xyzr(self) -> List[np.ndarray]:
        """Per branch in view, its points (x, y, z, r in um) from loc 0 to loc 1; branches only
        partly in view are cut to the compartments in view (interpolated, NaN in gaps)."""
        base = self._base
        if base is self:
            return [self._branch_xyzr(b) for b in range(base._core.n_branches)]
        _cells, branches, comps = self._rows()
        ncomp = base._core.ncomp_per_branch
        out = []
        for b in _unique(branches):
            points = self._branch_xyzr(b)
            local = comps[branches == b] - base._core.first_comp(b)
            if len(local) == ncomp[b]:
                out.append(points)
                continue
            ends, present = np.linspace(0, 1, ncomp[b] + 1), set(local.tolist())
            locs = np.hstack([ends[[k, k + 1]] if k in present else [np.nan] for k in range(local.min(), local.max() + 1)])
            out.append(_interpolate_xyzr(locs, points))
        return out

    @xyzr.setter
    def xyzr(self, value) -> None:
        if self._base is not self:
            raise TypeError("xyzr can only be assigned on a module, not on a view")
        value = list(value)
        if len(value) != self._core.n_branches:
            raise ValueError(f"xyzr: {len(value)} arrays for {self._core.n_branches} branches")
        for b, points in enumerate(value):
            self._set_branch_xyzr(b, points)

    def _set_branch_xyzr(self, b: int, points) -> None:
        a = np.ascontiguousarray(np.asarray(points, dtype=np.float64))
        if a.ndim != 2 or a.shape[1] != 4:
            raise ValueError(f"xyzr of branch {b}: expected shape (n, 4), got {a.shape}")
        self._base._core.set_xyzr(int(b), a)

    def compute_xyz(self) -> None:
        """Lay out every branch without coordinates (any NaN in its xyzr) as a straight line
        from its parent's end, children fanned out in y by level (Jaxley's ``compute_xyz``).
        Does not update the x, y, z columns (``compute_compartment_centers`` does)."""
        if self._base is not self:
            raise NotImplementedError("ranvier: compute_xyz() on a view is not supported yet; call it on the module")
        core = self._core
        parents = [int(p) for p in core.parents]
        n = len(parents)
        num_children = np.bincount([p for p in parents if p >= 0], minlength=n)
        index_of_child, counter = [-1], np.zeros(n, dtype=int)
        for b in range(1, n):  # a root's -1 counts on the last branch, as in Jaxley
            index_of_child.append(counter[parents[b]])
            counter[parents[b]] += 1
        levels = np.zeros(n, dtype=int)
        for b, p in enumerate(parents):
            levels[b] = 0 if p == -1 else levels[p] + 1
        spread = np.linspace(5.0, 0.5, int(np.max(levels)) + 1)  # y range of a parent's children
        lengths = np.asarray(core.column("length"))  # um
        first, ncomp = [core.first_comp(b) for b in range(n)], core.ncomp_per_branch
        endpoints = []
        for b in range(n):
            points = self._branch_xyzr(b)
            if not np.any(np.isnan(points)):
                endpoints.append(points[-1, :3])
                continue
            if parents[b] > -1:
                start = endpoints[parents[b]]
                siblings = num_children[parents[b]]
                y_offset = ((index_of_child[b] / (siblings - 1)) - 0.5) * spread[levels[b]] if siblings > 1 else 0.0
            else:
                start, y_offset = [0, 0, 0], 0.0
            branch_len = np.sum(lengths[first[b]:first[b] + ncomp[b]])
            len_of_path = np.sqrt(y_offset**2 + 1.0)
            end = [start[0] + branch_len / len_of_path * 1.0, start[1] + branch_len / len_of_path * y_offset, start[2]]
            endpoints.append(end)
            if points.shape[0] != 2:
                points = _nan_xyzr()
            points[:, :3] = np.asarray([start, end])
            self._set_branch_xyzr(b, points)

    def _compartment_centers(self) -> np.ndarray:
        """Centres of the compartments in view: each branch's xyzr cut into its compartments
        by path length (Jaxley interpolates all branches at once, each offset by 2)."""
        _cells, branches, comps = self._rows()
        ncomps = [len(set(comps[branches == b].tolist())) for b in sorted(set(branches.tolist()))]
        xyzrs = self.xyzr
        comp_ends = np.hstack([np.linspace(0, 1, k + 1) + 2 * i for i, k in enumerate(ncomps)])
        cum_lens = []
        for i, points in enumerate(xyzrs):
            cum = np.cumsum(np.concatenate([np.array([0]), np.sqrt(np.sum(np.diff(points[:, :3], axis=0) ** 2, axis=1))]))
            top = cum.max()
            cum = cum / (top if top > 0 else 1) + 2 * i
            cum[np.isnan(cum)] = 0
            cum_lens.append(cum)
        xyz = plot_utils.interp_columns(comp_ends, np.hstack(cum_lens), np.vstack(xyzrs)[:, :3]).T
        centers = (xyz[:-1] + xyz[1:]) / 2
        between = (np.cumsum(ncomps) + np.arange(len(ncomps)))[:-1]
        return np.delete(centers, between, axis=0)

    def compute_compartment_centers(self) -> None:
        """Set the x, y, z columns (um) of the compartments in view to their centres."""
        centers = np.ascontiguousarray(self._compartment_centers(), dtype=np.float64)
        self._base._core.set_coordinates([int(c) for c in self._comps], centers)

    def _init_coordinates(self) -> None:
        """What Jaxley's solver initialisation does to a module built from scratch: lay out the
        branches (compute_xyz) and set the compartment centres."""
        self.compute_xyz()
        self.compute_compartment_centers()

    # -- moving ----------------------------------------------------------------------------
    def _shift_branches(self, branches, offset) -> None:
        for b in branches:
            points = self._branch_xyzr(b)
            points[:, :3] += np.asarray(offset, dtype=np.float64)
            self._set_branch_xyzr(b, points)

    def move(self, x: float = 0.0, y: float = 0.0, z: float = 0.0, update_nodes: bool = False) -> None:
        """Add (x, y, z) um to the coordinates of every branch in view (plotting only);
        ``update_nodes`` also recomputes the compartment centres in view."""
        self._shift_branches(self._branches_in_view, [x, y, z])
        if update_nodes:
            self.compute_compartment_centers()

    def move_to(self, x=0.0, y=0.0, z=0.0, update_nodes: bool = False) -> None:
        """Move so that the first point of the first branch lands at (x, y, z) um. With float
        ``x`` every cell moves by the first cell's offset; otherwise (arrays, one entry per
        cell in view, or integers) each cell's first point moves there (Jaxley's rule)."""
        cells = (lambda: self.cells) if self._base._level == "network" else (lambda: [self])
        roots = np.array([c.xyzr[0][0, :3] for c in cells()])
        root = roots[0] if isinstance(x, float) else roots
        move_by = np.array([x, y, z], dtype=np.float64).T - root
        if move_by.ndim == 1:
            move_by = np.tile(move_by, (len(set(self._rows()[0].tolist())), 1))
        for cell, offset in zip(cells(), move_by):
            self._shift_branches(cell._branches_in_view, offset)
        if update_nodes:
            self.compute_compartment_centers()

    def rotate(self, degrees: float, rotation_axis: str = "xy", update_nodes: bool = False) -> None:
        """Rotate the branches in view clockwise by ``degrees`` about the origin, in the plane
        ``rotation_axis`` ("xy", "xz" or "yz")."""
        planes = {"xy": [0, 1], "xz": [0, 2], "yz": [1, 2]}
        if rotation_axis not in planes:
            raise ValueError(f"rotate: rotation_axis '{rotation_axis}' is not understood; use 'xy', 'xz' or 'yz'")
        dims = planes[rotation_axis]
        rad = degrees / 180 * np.pi
        rotation = np.asarray([[np.cos(rad), np.sin(rad)], [-np.sin(rad), np.cos(rad)]])
        for b in self._branches_in_view:
            points = self._branch_xyzr(b)
            points[:, dims] = np.dot(rotation, points[:, dims].T).T
            self._set_branch_xyzr(b, points)
        if update_nodes:
            self.compute_compartment_centers()

    # -- drawing and showing ---------------------------------------------------------------
    def vis(self, ax=None, color="k", dims=(0, 1), type: str = "line", **kwargs):
        """Draw the branches in view on ``ax`` (a new figure if None) and return it:
        ``type="line"`` (traced points joined), ``"scatter"``, ``"comp"`` (one cylinder per
        compartment) or ``"morph"`` (the traced shape); ``dims`` picks the axes (three: 3-D)."""
        resolution = kwargs.pop("resolution", 100)
        if "comp" in type.lower():
            return plot_utils.plot_comps(self, dims=dims, ax=ax, color=color, resolution=resolution, **kwargs)
        if "morph" in type.lower():
            return plot_utils.plot_morph(self, dims=dims, ax=ax, color=color, resolution=resolution, **kwargs)
        xyzrs = self.xyzr
        if any(np.isnan(p[:, list(dims)]).all() for p in xyzrs):
            raise ValueError("vis: no coordinates available; run .compute_xyz() before .vis()")
        return plot_utils.plot_graph(xyzrs, dims=dims, color=color, ax=ax, type=type, **kwargs)

    def _mechanisms_in_view(self):
        core = self._base._core
        comps = set(self._comps.tolist())
        return [m for i, m in enumerate(core.mechanisms) if comps.intersection(core.mechanism_comps(i))]

    def show(self, param_names=None, *, indices: bool = True, params: bool = True, states: bool = True,
             channel_names: Optional[List[str]] = None):
        """The nodes table with Jaxley's ``show`` columns: the six index columns, then (with
        ``channel_names``) the channels' membership columns, their parameters and states."""
        nodes = self.nodes
        inds = [f"{s}_{i}" for i in ["comp_index", "branch_index", "cell_index"] for s in ["local", "global"]] if indices else []
        mechs = self._mechanisms_in_view()
        cols = inds + ([m.name for m in mechs] if channel_names else [])
        cols += sum([[k for k, _ in m.params] for m in mechs], []) if params else []
        cols += sum([[k for k, _ in m.states] for m in mechs], []) if states else []
        if param_names is not None:
            cols = inds + [c for c in cols if c in param_names] if params else list(param_names)
        return nodes[cols]

    # -- iteration -------------------------------------------------------------------------
    def _iter_level(self, level: str):
        """Views of every cell / branch / compartment in view, by the distinct indices of the
        view's scope (local: ``branches`` of a network are branch 0, 1, ... of every cell)."""
        view = self._cview()
        k = ["cell", "branch", "comp"].index(level) + (3 if view.scope_name == "local" else 0)
        for i in _unique(view.index_columns[k]):
            yield getattr(self, level)(i)

    @property
    def cells(self):
        yield from self._iter_level("cell")

    @property
    def branches(self):
        yield from self._iter_level("branch")

    @property
    def comps(self):
        yield from self._iter_level("comp")

    def __iter__(self):
        children = {"network": "cell", "cell": "branch", "branch": "comp"}
        if self._level not in children:
            raise TypeError(f"a {self._level} view cannot be iterated; use .cells, .branches or .comps")
        yield from self._iter_level(children[self._level])

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        return None


class NetworkGeometryMixin:
    """Network-only drawing and layout (Jaxley's Network.vis and arrange_in_layers)."""

    def arrange_in_layers(self, layers, within_layer_offset: float = 500.0, between_layer_offset: float = 1500.0,
                          vertical_layers: bool = False) -> None:
        """Move the cells into layers (``layers``: cells per layer, in cell order); offsets in um."""
        if int(np.sum(layers)) != self.shape[0]:
            raise ValueError(f"arrange_in_layers: the layers hold {int(np.sum(layers))} cells, the network has {self.shape[0]}")
        starts = np.cumsum([0] + list(layers))
        for layer_index, n in enumerate(layers):
            layer = self.cell(list(range(int(starts[layer_index]), int(starts[layer_index]) + int(n))))
            for i, cell in enumerate(layer.cells):
                if vertical_layers:
                    x_offset = (i - (n - 1) / 2) * within_layer_offset
                    y_offset = (len(layers) - 1 - layer_index) * between_layer_offset
                else:
                    x_offset = layer_index * between_layer_offset
                    y_offset = (i - (n - 1) / 2) * within_layer_offset
                cell.move_to(x=x_offset, y=y_offset, z=0)

    def vis(self, detail: str = "full", ax=None, color="k", synapse_color="b", dims=(0, 1), cell_plot_kwargs=None,
            synapse_plot_kwargs=None, synapse_scatter_kwargs=None, **kwargs):
        """Draw the cells (``detail="full"``: their branches; ``"point"``: one dot per cell) and
        every synapse as a line from its pre- to its post-synaptic location with a dot at the
        post end. Other keyword arguments are accepted and ignored, as in Jaxley."""
        from warnings import warn

        import matplotlib.pyplot as plt

        cell_kw, line_kw, dot_kw = cell_plot_kwargs or {}, synapse_plot_kwargs or {}, synapse_scatter_kwargs or {}
        first = self.cell(0).xyzr[0][:, :3]
        if all(first.shape == c.xyzr[0][:, :3].shape and np.all(first == c.xyzr[0][:, :3]) for c in self.cells):
            warn("Same coordinates for all cells. Consider using `net.cell(i).move()`, "
                 "`net.cell(i).move_to()` or `net.arrange_in_layers()` to move them.")
        if ax is None:
            fig = plt.figure(figsize=(3, 3))
            ax = fig.add_subplot(111) if len(dims) < 3 else plt.axes(projection="3d")
        dims_np = np.asarray(dims)
        center_of = lambda cell: np.mean(np.vstack(cell.xyzr)[:, :3], axis=0)  # noqa: E731
        if detail == "point":
            for cell in self.cells:
                ax.scatter(*center_of(cell)[dims_np], color=color, **cell_kw)
        elif detail == "full":
            ax = GeometryMixin.vis(self, dims=dims, color=color, ax=ax, **cell_kw)
        else:
            raise ValueError(f"vis: detail must be 'full' or 'point', got '{detail}'")
        self._draw_synapses(ax, detail, dims_np, synapse_color, line_kw, dot_kw, center_of)
        return ax

    def _draw_synapses(self, ax, detail, dims_np, synapse_color, line_kw, dot_kw, center_of) -> None:
        core = self._core
        cell_of, branch_of, _comps = self._rows()  # the module's view: row i is compartment i

        def location(comp: int) -> np.ndarray:
            # The compartment centre's relative position on the straight line between the
            # branch's two points, or the traced point at or before it (Jaxley's drawing).
            if detail == "point":
                return center_of(self.cell(int(cell_of[comp])))
            branch = int(branch_of[comp])
            loc = (0.5 + comp - core.first_comp(branch)) / core.ncomp_per_branch[branch]
            points = self._branch_xyzr(branch)[:, :3]
            if len(points) == 2:
                return points[0] + (points[1] - points[0]) * loc
            return points[int((len(points) - 1) * loc)]

        for _name, pre, post, _cols, _vals in core.synapse_groups:
            for p, q in zip(pre, post):
                ends = np.stack([location(int(p)), location(int(q))]).T
                ax.plot(*ends[dims_np], color=synapse_color, **line_kw)
                ax.scatter(*ends[dims_np, 1], color=synapse_color, **dot_kw)

"""Drawing modules with matplotlib, as Jaxley 0.14's jaxley/utils/plot_utils.py draws them
(same artists: one line or circle per branch, one scatter per branch, one filled outline per
compartment or per traced segment), written from that module's documented behaviour.

Coordinates are um. ``dims`` picks the plotted axes (0 = x, 1 = y, 2 = z); three dims draw
on a 3-D axes (``projection="3d"``)."""
from __future__ import annotations


import numpy as np


def _axes(ax, dims):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    fig = plt.figure(figsize=(3, 3))
    return fig.add_subplot(111) if len(dims) < 3 else plt.axes(projection="3d")


def interp(x, xp, fp) -> np.ndarray:
    """Piecewise-linear interpolation with jax.numpy.interp's rules (the interval is found by
    ``searchsorted(side="right")``; equal neighbouring ``xp`` give the left value; outside the
    range the end values), so coordinates agree with Jaxley's to rounding."""
    x, xp, fp = np.asarray(x, dtype=np.float64), np.asarray(xp, dtype=np.float64), np.asarray(fp, dtype=np.float64)
    i = np.clip(np.searchsorted(xp, x, side="right"), 1, len(xp) - 1)
    dx = xp[i] - xp[i - 1]
    flat = np.abs(dx) <= np.spacing(np.finfo(np.float64).eps)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(flat, fp[i - 1], fp[i - 1] + ((x - xp[i - 1]) / np.where(flat, 1.0, dx)) * (fp[i] - fp[i - 1]))
    f = np.where(x < xp[0], fp[0], f)
    return np.where(x > xp[-1], fp[-1], f)


def interp_columns(x, xp, points) -> np.ndarray:
    """``interp`` of every column of ``points`` (shape (n, k)); returns shape (k, len(x))."""
    return np.stack([interp(x, xp, points[:, k]) for k in range(points.shape[1])])


def plot_graph(xyzr, dims=(0, 1), color="k", ax=None, type: str = "line", **kwargs):
    """Each branch's points joined by a line (``type="line"``; a branch whose points all
    coincide is a filled circle of its radius) or drawn as a scatter (``type="scatter"``)."""
    from matplotlib.patches import Circle

    ax = _axes(ax, dims)
    for points in xyzr:
        shown = points[:, list(dims)].T
        if "line" in type.lower():
            if shown.shape[1] > 1 and np.any(np.std(points[:, :3], axis=0) > 0.0):
                ax.plot(*shown, color=color, **kwargs)
            else:
                ax.add_patch(Circle((shown[0, 0], shown[1, 0]), radius=points[0, -1], facecolor=color, **kwargs))
        elif "scatter" in type.lower():
            ax.scatter(*shown, color=color, **kwargs)
        else:
            raise NotImplementedError(f"ranvier: vis(type='{type}') is not supported; use line, scatter, comp or morph")
    return ax


def _rotation_from_z(direction: np.ndarray) -> np.ndarray:
    """The rotation that turns the z axis into ``direction`` (Rodrigues' formula)."""
    direction = np.asarray(direction, dtype=np.float64)
    direction = direction / np.linalg.norm(direction)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(z, direction)
    if np.allclose(axis, 0):
        return np.eye(3)
    angle = np.arccos(np.dot(z, direction))
    k = axis / np.sqrt(np.dot(axis, axis))
    cross = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.cos(angle) * np.eye(3) + np.sin(angle) * cross + (1.0 - np.cos(angle)) * np.outer(k, k)


def cylinder_mesh(length: float, radius: float, resolution: int = 100) -> np.ndarray:
    """Surface points (3, resolution, resolution) of a cylinder along z, centred at 0."""
    angle, height = np.meshgrid(np.linspace(0, 2 * np.pi, resolution), np.linspace(-length / 2, length / 2, resolution))
    return np.stack([radius * np.cos(angle), radius * np.sin(angle), height])


def sphere_mesh(radius: float, resolution: int = 100) -> np.ndarray:
    """Surface points (3, resolution, resolution) of a sphere centred at 0."""
    polar, azimuth = np.meshgrid(np.linspace(0, np.pi, resolution), np.linspace(0, 2 * np.pi, resolution))
    return np.stack([radius * np.sin(polar) * np.cos(azimuth), radius * np.sin(polar) * np.sin(azimuth), radius * np.cos(polar)])


def frustum_mesh(length: float, radius_bottom, radius_top, resolution: int = 100) -> np.ndarray:
    """Surface points of a cone frustum along z from 0, with a half-sphere of its radius at
    each end (so consecutive traced segments join smoothly)."""
    total = length + radius_bottom + radius_top
    angle, height = np.meshgrid(np.linspace(0, 2 * np.pi, resolution), np.linspace(0, total, resolution))
    r = np.zeros_like(height)
    bottom = height < radius_bottom
    r[bottom] = radius_bottom * np.sin(np.arccos(1 - height[bottom] / radius_bottom))
    body = (height >= radius_bottom) & (height <= total - radius_top)
    with np.errstate(invalid="ignore", divide="ignore"):
        r[body] = radius_bottom + (radius_top - radius_bottom) * ((height[body] - radius_bottom) / length)
    top = height > total - radius_top
    cos_polar = np.clip((height[top] - (total - radius_top)) / radius_top, -1.0, 1.0)
    r[top] = radius_top * np.sin(np.arccos(cos_polar))
    return np.stack([r * np.cos(angle), r * np.sin(angle), height])


def plot_mesh(mesh: np.ndarray, orientation, center, dims, ax=None, **kwargs):
    """Turn ``mesh`` (built along z) to ``orientation``, move it to ``center`` and draw its
    projection on ``dims`` as one filled convex outline (3-D: as a surface)."""
    from scipy.spatial import ConvexHull

    ax = _axes(ax, dims)
    dims = np.asarray(dims)
    points = _rotation_from_z(orientation) @ mesh.reshape(3, -1)
    points = points[dims] + np.asarray(center, dtype=np.float64)[dims, None]
    if len(dims) < 3:
        outline = points[:, ConvexHull(points.T).vertices]
        ax.fill(*outline, **kwargs)
    else:
        ax.plot_surface(*points.reshape(3, *mesh.shape[1:]), **kwargs)
    return ax


def plot_comps(module_or_view, dims=(0, 1), color="k", ax=None, true_comp_length: bool = True, resolution: int = 100,
               **kwargs):
    """Every compartment as a cylinder (its radius; its length, or with
    ``true_comp_length=False`` the straight distance between its ends) centred at its
    x, y, z and turned along its piece of the branch; single-point branches as spheres."""
    import matplotlib.pyplot as plt

    ax = _axes(ax, dims)
    xyzrs = module_or_view.xyzr
    if np.any(np.isnan(xyzrs[0][:, :3])):
        raise ValueError("vis(type='comp'): missing xyz coordinates; run compute_xyz() first")
    nodes = module_or_view.nodes
    # Jaxley divides each branch into `module.ncomp` pieces to orient the cylinders (the
    # largest ncomp of a module, every compartment in view for a view); kept for equal drawings.
    n_pieces = module_or_view._plot_ncomp
    for branch, xyzr in zip(module_or_view._branches_in_view, xyzrs):
        locs = xyzr[:, :3]
        if locs.shape[0] == 1:
            if len(dims) == 3:
                plot_mesh(sphere_mesh(xyzr[0, -1], resolution), [0, 0, 1], locs[0], dims, ax, color=color, **kwargs)
            else:
                ax.add_artist(plt.Circle(locs[0, list(dims)], xyzr[0, -1], color=color))
            continue
        seg = np.sqrt(np.nansum(np.diff(locs, axis=0) ** 2, axis=1))
        path = np.cumsum([0.0] + seg.tolist())
        ends = interp_columns(np.linspace(0, path[-1], n_pieces + 1), path, locs).T
        axes = np.diff(ends, axis=0)
        straight = np.sqrt(np.sum(axes**2, axis=1))
        rows = nodes[nodes["global_branch_index"] == branch]
        for chord, axis, (_, comp) in zip(straight, axes, rows.iterrows()):
            length = comp["length"] if true_comp_length else chord
            center = comp[["x", "y", "z"]].to_numpy(dtype=np.float64)
            plot_mesh(cylinder_mesh(length, comp["radius"], resolution), axis, center, dims, ax, color=color, **kwargs)
    return ax


def plot_morph(module_or_view, dims=(0, 1), color="k", ax=None, resolution: int = 100, **kwargs):
    """The traced morphology: every segment between two traced points as a frustum of their
    radii with rounded ends; single-point branches as spheres."""
    from warnings import warn

    ax = _axes(ax, dims)
    if len(dims) == 3:
        warn("rendering large morphologies in 3D can take a while. Consider projecting to 2D instead.")
    xyzrs = module_or_view.xyzr
    if np.any(np.isnan(xyzrs[0][:, :3])):
        raise ValueError("vis(type='morph'): missing xyz coordinates; run compute_xyz() first")
    for xyzr in xyzrs:
        if len(xyzr) == 1:
            mesh = frustum_mesh(0.0, float(xyzr[0, -1]), float(xyzr[0, -1]), resolution)
            plot_mesh(mesh, np.ones(3), xyzr[0, :3], dims, ax, color=color, **kwargs)
            continue
        for later, earlier in zip(xyzr[1:], xyzr[:-1]):
            step = earlier[:3] - later[:3]
            length = np.sqrt(np.sum(step**2))
            if length > 0:
                mesh = frustum_mesh(length, later[-1], earlier[-1], resolution)
                plot_mesh(mesh, step, later[:3], dims, ax, color=color, **kwargs)
    return ax


__all__ = ["plot_graph", "plot_comps", "plot_morph", "plot_mesh", "interp"]

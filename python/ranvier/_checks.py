"""Checks of Python inputs, each raising an error that names the argument and the value it got
(instead of numpy's "could not convert string to float" or nanobind's "incompatible function
arguments"). Used by integrate / vjp / compile; ``as_float_array`` and ``as_parents`` are meant
for the module code too (``set``, ``Cell(parents=...)``)."""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["as_float", "as_float_array", "as_parents", "as_str", "as_threads", "check_params_keys"]


def as_str(what: str, value, choices=None) -> str:
    """A string argument such as ``solver``."""
    if not isinstance(value, str):
        hint = f" (one of {', '.join(choices)})" if choices else ""
        raise TypeError(f"{what} must be a string{hint}, got {value!r}")
    return value


def as_float(what: str, value, *, positive: bool = False, allow_none: bool = False):
    """A finite real number (a Python or numpy scalar); ``None`` when allowed."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{what} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {x}")
    if positive and not x > 0.0:
        raise ValueError(f"{what} must be positive, got {x}")
    return x


def as_float_array(what: str, value, *, finite: bool = True) -> np.ndarray:
    """A contiguous float64 array of ``value``; refuses strings, objects and (if ``finite``) NaN/inf,
    naming ``what`` and the first bad entry."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be a number or an array of numbers, got {value!r}")
    try:
        a = np.ascontiguousarray(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number or an array of numbers, got {value!r}") from None
    if finite and a.size and not np.isfinite(a).all():
        idx = np.argwhere(~np.isfinite(a))[0]
        where = "" if a.ndim == 0 else f" at index {tuple(int(i) for i in idx) if len(idx) > 1 else int(idx[0])}"
        raise ValueError(f"{what} is {a[tuple(idx)]}{where}; it must be finite")
    return a


def as_parents(parents) -> list:
    """``Cell(parents=...)``: a flat sequence of integers (``-1`` for the root)."""
    a = np.asarray(parents)
    if a.ndim != 1:
        raise ValueError(f"parents must be a flat list of integers, got an array of shape {a.shape}")
    out = []
    for i, p in enumerate(a.tolist()):
        if isinstance(p, bool) or not isinstance(p, numbers.Integral):
            if isinstance(p, float) and p.is_integer():
                out.append(int(p))
                continue
            raise ValueError(f"parents[{i}] = {p!r} is not an integer")
        out.append(int(p))
    return out


def as_threads(threads) -> int:
    """``threads``: 0 (all cores) or a positive count."""
    if isinstance(threads, bool) or not isinstance(threads, (numbers.Integral, np.integer)):
        raise TypeError(f"threads must be an integer (0 = all cores), got {threads!r}")
    if threads < 0:
        raise ValueError(f"threads must be 0 (all cores) or positive, got {threads}")
    return int(threads)


def check_params_keys(core, params) -> None:
    """``params`` entry i must name trainable i (``get_parameters()`` order): a key that is not
    that trainable would otherwise be applied, by position, to another parameter."""
    trainables = [key for key, _groups, _init in core.trainables]
    for i, entry in enumerate(params):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ValueError(f"params[{i}] must be a one-key dict as returned by get_parameters(), got {entry!r}")
        (key,) = entry.keys()
        if i >= len(trainables):
            raise ValueError(f"params has {len(params)} entries but the module has {len(trainables)} trainable "
                             f"parameter(s) {trainables}")
        if key != trainables[i]:
            what = "is not a trainable parameter of this module" if key not in trainables else \
                f"is trainable {trainables.index(key)}, not {i}"
            raise KeyError(f"params[{i}] has key '{key}', which {what}; trainable {i} is '{trainables[i]}' "
                           f"(make_trainable order: {trainables})")

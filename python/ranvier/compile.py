"""Compile a module and inspect what the compiler made of it."""
from __future__ import annotations

from . import _core
from ._checks import as_threads

__all__ = ["compile", "compilations", "STAGES", "clear_cache", "cache_info", "set_cache_limit"]

# The one stage list (api/stages.h): the pass pipeline's, then the LLVM and CUDA backends'.
STAGES = tuple(_core.stages())


def compile(module, float32: bool = False, symbolic_derivative: bool = False, threads: int = 0):  # noqa: A001
    """The module compiled by the LLVM backend (kernels are cached by their IR: compiling the
    same structure again costs no LLVM compilation). ``.source(stage)`` gives the text of any
    stage in ``STAGES``."""
    if not _core.have_jit():
        raise NotImplementedError("Ranvier was built without the LLVM backend")
    core = getattr(module, "_core", module)
    return _core.compile(core, bool(float32), bool(symbolic_derivative), as_threads(threads))


def compilations() -> int:
    """Number of LLVM compilations in this process so far (kernel-cache hits do not count)."""
    return _core.compilations()


def clear_cache() -> None:
    """Forget every cached compiled kernel (forward and adjoint); models compiled before keep
    theirs, the next compile of any structure runs LLVM again. Frees JIT memory."""
    _core.clear_cache()


def cache_info() -> dict:
    """The kernel caches: ``{'entries', 'limit', 'hits', 'misses', 'evictions'}``. Each cache is
    an LRU holding at most ``limit`` kernels (``RANVIER_KERNEL_CACHE_SIZE``, default 64)."""
    return dict(_core.cache_info())


def set_cache_limit(entries: int) -> None:
    """Kernels each cache keeps; the least recently used are evicted first (0 keeps none)."""
    if isinstance(entries, bool) or not hasattr(entries, "__index__"):
        raise TypeError(f"set_cache_limit: entries = {entries!r} must be an integer")
    _core.set_cache_limit(entries.__index__())

"""Compile a module and inspect what the compiler made of it."""
from __future__ import annotations

from . import _core

__all__ = ["compile", "compilations", "STAGES"]

# The one stage list (api/stages.h): the pass pipeline's, then the LLVM and CUDA backends'.
STAGES = tuple(_core.stages())


def compile(module, float32: bool = False, symbolic_derivative: bool = False, threads: int = 0):  # noqa: A001
    """The module compiled by the LLVM backend (kernels are cached by their IR: compiling the
    same structure again costs no LLVM compilation). ``.source(stage)`` gives the text of any
    stage in ``STAGES``."""
    if not _core.have_jit():
        raise NotImplementedError("Ranvier was built without the LLVM backend")
    core = getattr(module, "_core", module)
    return _core.compile(core, float32, symbolic_derivative, threads)


def compilations() -> int:
    """Number of LLVM compilations in this process so far (kernel-cache hits do not count)."""
    return _core.compilations()

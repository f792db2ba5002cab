"""Ranvier: a compiler for multicompartment neuron models that computes exactly what
``jaxley.integrate`` computes. ``import ranvier as jx`` and most Jaxley scripts run.

Models (``Compartment``, ``Branch``, ``Cell``, views, channels, stimuli, clamps, recordings)
are built like in Jaxley; ``integrate`` compiles the model with LLVM (once per structure;
parameter values, stimuli and time grids are runtime inputs) and returns numpy arrays.
Channels written in Python (``ranvier.channels.Channel``) are traced once into Ranvier's
expression IR; no Python runs in the time loop. See ``ranvier.integrate`` for batching.
"""
try:
    from . import _core
except ImportError:  # development: PYTHONPATH=<build>/python:python, the extension lives in the build tree
    import pkgutil as _pkgutil

    __path__ = _pkgutil.extend_path(__path__, __name__)
    from . import _core  # noqa: F401 (imported to fail early where the extension is missing)

from . import channels, solver_gate, synapses
from .connect import connect, connectivity_matrix_connect, fully_connect, sparse_connect
from ._math import (
    Expr,
    abs,
    absolute,
    clip,
    exp,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    maximum,
    minimum,
    power,
    sigmoid,
    sqrt,
    square,
    tanh,
    where,
)
from .compile import cache_info, clear_cache, compilations, compile, set_cache_limit
from .gradient import value_and_grad, vjp
from .integrate import integrate
from .modules import Branch, Cell, Compartment, Module, Network, View, read_swc
from .morphology import apply_d_lambda, d_lambda_ncomp
from .stimulus import datapoint_to_step_currents, step_current

from .__version__ import __version__  # noqa: E402, F401 (the version string, as jaxley.__version__)

__all__ = [
    "Compartment", "Branch", "Cell", "Module", "View", "Network", "read_swc",
    "integrate", "vjp", "value_and_grad", "step_current", "datapoint_to_step_currents", "channels", "solver_gate",
    "compile", "compilations", "clear_cache", "cache_info", "set_cache_limit", "synapses", "connect",
    "fully_connect", "sparse_connect",
    "connectivity_matrix_connect", "Expr", "exp", "log", "tanh", "sqrt", "power", "square", "minimum",
    "maximum", "where", "clip", "abs", "absolute", "sigmoid", "less", "less_equal", "greater",
    "greater_equal", "apply_d_lambda", "d_lambda_ncomp",
]


def __getattr__(name):
    # The JAX-based parts (jaxley exports ParamTransform at top level), imported on first use so
    # that `import ranvier` works without jax.
    if name in ("optimize", "ParamTransform"):
        import importlib

        optimize = importlib.import_module(".optimize", __name__)
        return optimize if name == "optimize" else optimize.ParamTransform
    raise AttributeError(f"module 'ranvier' has no attribute '{name}'")

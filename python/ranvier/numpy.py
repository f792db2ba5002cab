"""A small jax.numpy-like namespace for channels written in Python
(``import ranvier.numpy as jnp``): functions trace on ranvier expressions and use numpy otherwise."""
from ._math import (  # noqa: F401
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
    sqrt,
    square,
    tanh,
    where,
)

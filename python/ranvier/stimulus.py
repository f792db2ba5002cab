"""Step currents with Jaxley's exact lengths and windows (jaxley/stimulus.py)."""
from __future__ import annotations

import numpy as np

from . import _core
from ._jax_values import is_jax

__all__ = ["step_current", "datapoint_to_step_currents"]


def step_current(i_delay: float, i_dur: float, i_amp: float, delta_t: float, t_max: float, i_offset: float = 0.0) -> np.ndarray:
    """A step current (nA): ``i_amp`` for samples ``int(i_delay/dt) <= k < int((i_delay+i_dur)/dt)``,
    ``i_offset`` elsewhere; ``int(t_max // delta_t) + 2`` samples. Times in ms."""
    return _core.step_current(float(i_delay), float(i_dur), float(i_amp), float(delta_t), float(t_max), float(i_offset))


def datapoint_to_step_currents(i_delay: float, i_dur: float, i_amp, delta_t: float, t_max: float, i_offset: float = 0.0) -> np.ndarray:
    """One step current per amplitude (``i_amp``, nA), shape ``(len(i_amp), T)``. JAX amplitudes
    (e.g. a tracer under ``jax.vmap``) give a JAX array: same window, the amplitudes stay traced."""
    if is_jax(i_amp):
        import jax.numpy as jnp

        window = _core.step_current(float(i_delay), float(i_dur), 1.0, float(delta_t), float(t_max), 0.0) != 0.0
        amps = jnp.reshape(i_amp, (-1, 1))
        return jnp.where(jnp.asarray(window)[None, :], amps, jnp.asarray(i_offset, dtype=amps.dtype))
    amps = [float(a) for a in np.asarray(i_amp, dtype=np.float64).ravel()]
    return _core.datapoint_to_step_currents(float(i_delay), float(i_dur), amps, float(delta_t), float(t_max), float(i_offset))

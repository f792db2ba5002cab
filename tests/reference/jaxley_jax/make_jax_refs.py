#!/usr/bin/env python3
"""Reference results from real Jaxley 0.14 (float64, CPU) for tests/python/test_jax_integrate.py:
the models of tests/python/jax_models.py run with ``jaxley`` under jax.jit / jax.vmap /
jax.value_and_grad. Writes refs.json next to this script. Usage (from the repository root)::

    build/venv/bin/python tests/reference/jaxley_jax/make_jax_refs.py
"""
import datetime
import json
import pathlib
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp  # noqa: E402
import jaxley  # noqa: E402
import numpy as np  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "python"))
import jax_models as m  # noqa: E402


def main():
    cell = m.hh_cell(jaxley)
    vmapped = jax.jit(jax.vmap(m.data_set_simulate(jaxley, cell)))(jnp.asarray(m.PARAMS))
    shared = jax.jit(m.shared_gna_vmap(jaxley, cell))(m.PARAMS[3, 0], jnp.asarray(m.PARAMS[:, 1]))
    net = m.tanh_net(jaxley)
    value, (g_params, g_amps) = jax.jit(jax.value_and_grad(m.tanh_loss(jaxley, net), argnums=(0, 1)))(
        net.get_parameters(), jnp.asarray(m.AMPS), jnp.asarray(m.LABELS))
    cell = m.trainable_cell(jaxley)
    grad_lanes = jax.jit(jax.vmap(jax.value_and_grad(m.stimulus_loss(jaxley, cell), argnums=(0, 1)), in_axes=(0, None)))
    s_value, (s_params, s_current) = grad_lanes(m.batched_trainables(cell), jnp.asarray(m.stimulus_current()))
    refs = {
        "about": f"jaxley {jaxley.__version__ if hasattr(jaxley, '__version__') else '0.14'}, jax {jax.__version__}, "
                 f"float64, written {datetime.date.today().isoformat()} by make_jax_refs.py",
        "params": m.PARAMS.tolist(),
        "amps": m.AMPS.tolist(),
        "vmapped": np.asarray(vmapped).tolist(),
        "shared_gna": np.asarray(shared).tolist(),
        "tanh_value": float(value),
        "tanh_grads": [{k: np.asarray(v).tolist() for k, v in g.items()} for g in g_params],
        "tanh_amps_grad": np.asarray(g_amps).tolist(),
        "stimulus_values": np.asarray(s_value).tolist(),
        "stimulus_param_grads": [{k: np.asarray(v).tolist() for k, v in g.items()} for g in s_params],
        "stimulus_current_grads": np.asarray(s_current).tolist(),
    }
    with open(HERE / "refs.json", "w") as f:
        json.dump(refs, f)


if __name__ == "__main__":
    main()

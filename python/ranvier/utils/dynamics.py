"""``jaxley.utils.dynamics``: helpers for Jaxley's step-by-step state vectors (not supported)."""


def build_dynamic_state_utils(module):
    """Jaxley 0.14's flatten/unflatten helpers for ``build_init_and_step_fn``'s states: not supported,
    since Ranvier has no step-by-step JAX functions (see ``ranvier.integrate.build_init_and_step_fn``)."""
    raise NotImplementedError(
        "build_dynamic_state_utils: Jaxley's step-by-step state helpers are not supported by Ranvier (it compiles the whole "
        "time loop; see build_init_and_step_fn)")


__all__ = ["build_dynamic_state_utils"]

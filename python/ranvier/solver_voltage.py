"""``jaxley.solver_voltage``: Jaxley's voltage solvers as JAX functions (not exposed by Ranvier).

Ranvier's voltage solves (``jaxley.dhs``, ``jaxley.stone``, ``jax.sparse``: SEMANTICS.md) are
compiled into the kernel; choose one with ``integrate(..., voltage_solver=...)``.
"""


def _make_dhs_solve(*args, **kwargs):
    raise NotImplementedError(
        "solver_voltage._make_dhs_solve: Jaxley's DHS solve as a JAX function is not exposed by Ranvier; the solve is compiled "
        "into the kernel (integrate(..., voltage_solver='jaxley.dhs'))")

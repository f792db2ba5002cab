"""Shared helpers of the Python tests. Run from the repository root:
    pip install . && python3 -m pytest tests/python
or against a CMake build tree without installing:
    PYTHONPATH=build-py/python:python python3 -m pytest tests/python
"""
import json
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
JAXLEY_REF = ROOT / "tests" / "reference" / "jaxley"


def jaxley_cases():
    with open(JAXLEY_REF / "cases.json") as f:
        return json.load(f)["cases"]


def read_csv(path):
    """(header, array (T+1, n_rec)) of a reference CSV: step,<state>@0,..."""
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return header, data


def build_module(jx, spec):
    t = spec["type"]
    if t == "compartment":
        return jx.Compartment()
    if t == "branch":
        return jx.Branch(jx.Compartment(), ncomp=spec["ncomp"])
    if isinstance(spec["ncomp"], int):
        return jx.Cell(jx.Branch(jx.Compartment(), ncomp=spec["ncomp"]), parents=spec["parents"])
    return jx.Cell([jx.Branch(jx.Compartment(), ncomp=k) for k in spec["ncomp"]], parents=spec["parents"])


def build_view(module, v):
    view = module
    if "branch" in v:
        view = view.branch(v["branch"])
    if "comp" in v:
        view = view.comp(v["comp"])
    if "loc" in v:
        view = view.loc(v["loc"])
    return view


def build_current(jx, c):
    if "step_current" in c:
        s = c["step_current"]
        return jx.step_current(s["i_delay"], s["i_dur"], s["i_amp"], s["delta_t"], s["t_max"], s.get("i_offset", 0.0))
    if "constant" in c:
        return np.full(c["length"], c["constant"])
    return np.asarray(c["values"], dtype=float)


def build_case(jx, case):
    """The module of a case of cases.json built with the module `jx` (ranvier or jaxley)."""
    m = build_module(jx, case["module"])
    if "solver_setup" in case:
        m._init_solver_jaxley_dhs_solve(allowed_nodes_per_level=case["solver_setup"]["allowed_nodes_per_level"])
    for op in case["ops"]:
        kind = op["op"]
        if kind == "set":
            build_view(m, op["view"]).set(op["key"], op["value"])
        elif kind == "insert":
            build_view(m, op["view"]).insert(getattr(jx.channels, op["channel"])())
        elif kind == "init_states":
            m.init_states(op.get("delta_t", 0.025))
        elif kind == "stimulate":
            build_view(m, op["view"]).stimulate(build_current(jx, op["current"]), verbose=False)
        elif kind == "clamp":
            build_view(m, op["view"]).clamp(op["state"], build_current(jx, op["values"]), verbose=False)
        elif kind == "record":
            build_view(m, op["view"]).record(op["state"], verbose=False)
        else:
            raise ValueError(kind)
    return m


@pytest.fixture(scope="session")
def real_jaxley():
    """Real Jaxley in float64, or skip."""
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platform_name", "cpu")
    return pytest.importorskip("jaxley")

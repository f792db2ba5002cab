"""The Jaxley compatibility suite: every case of tests/reference/jaxley/cases.json built
through ranvier's Python API (same ops as tests/cpp/jaxley_case.h) and compared with the
committed traces of real Jaxley 0.14 (float64) to 1e-8."""
import numpy as np
import pytest

import ranvier as jx
from conftest import JAXLEY_REF, build_case, jaxley_cases, read_csv

TOL = 1e-8  # in the recorded state's unit (mV for v)
CASES = jaxley_cases()


def integrate_kwargs(spec):
    return dict(t_max=spec["t_max"], delta_t=spec["delta_t"], solver=spec["solver"], voltage_solver=spec["voltage_solver"])


def compare(recs, csv, what):
    header, expected = read_csv(csv)
    assert recs.shape == (len(header) - 1, expected.shape[0]), f"{what}: shape {recs.shape} vs {expected.shape}"
    err = np.abs(recs - expected[:, 1:].T)
    assert not np.isnan(recs).any(), f"{what}: NaN"
    worst = np.unravel_index(np.argmax(err), err.shape)
    assert err.max() < TOL, f"{what}: max |ranvier - jaxley| = {err.max():.3g} in {header[worst[0] + 1]} at sample {worst[1]}"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_jaxley(case):
    module = build_case(jx, case)
    cont = "continue" in case
    out = jx.integrate(module, return_states=cont, **integrate_kwargs(case["integrate"]))
    recs, states = out if cont else (out, None)
    compare(recs, JAXLEY_REF / f"{case['name']}.csv", case["name"])
    if cont:
        recs2 = jx.integrate(module, all_states=states, **integrate_kwargs(case["continue"]))
        compare(recs2, JAXLEY_REF / f"{case['name']}.continue.csv", case["name"] + " (continued)")


@pytest.mark.parametrize("case", [c for c in CASES if c["integrate"]["solver"] in ("bwd_euler", "crank_nicolson")][:6],
                         ids=lambda c: c["name"])
def test_interpreter_equals_jit(case):
    module = build_case(jx, case)
    kw = integrate_kwargs(case["integrate"])
    a = jx.integrate(module, backend="interpreter", **kw)
    b = jx.integrate(module, backend="auto", **kw)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)

"""C++ errors reach Python as the right exceptions, with the C++ message:
ranvier::KeyError -> KeyError, NotSupported -> NotImplementedError, Error -> ValueError."""
import numpy as np
import pytest

import ranvier as jx


def hh_branch():
    b = jx.Branch(jx.Compartment(), ncomp=3)
    b.insert(jx.channels.HH())
    b.comp(0).record(verbose=False)
    return b


def test_key_errors():
    b = hh_branch()
    with pytest.raises(KeyError, match="HH_gFoo"):
        b.set("HH_gFoo", 1.0)
    with pytest.raises(KeyError, match="nope"):
        b.comp(0).record("nope", verbose=False)
    with pytest.raises(KeyError, match="XYZ"):
        b.make_trainable("XYZ", verbose=False)
    with pytest.raises(KeyError):
        b.data_set("XYZ", 1.0, None)
    with pytest.raises(KeyError, match="Nope"):
        jx._core.channels.by_name("Nope")
    with pytest.raises(KeyError, match="unknown stage"):
        jx.compile(b).source("nope")


def test_not_supported():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.insert(jx.channels.HH())
    cell.branch(0).comp(0).record(verbose=False)
    with pytest.raises(NotImplementedError, match="jaxley.stone"):
        jx.integrate(cell, t_max=1.0, voltage_solver="jaxley.stone")
    b = hh_branch()
    b.comp(1).clamp("v", np.full(10, -60.0), verbose=False)
    with pytest.raises(NotImplementedError, match="clamp"):
        jx.integrate(b, t_max=1.0)


def test_value_errors():
    b = hh_branch()
    with pytest.raises(ValueError, match="solver"):
        jx.integrate(b, t_max=1.0, solver="rk4")
    with pytest.raises(ValueError, match="delta_t"):
        jx.integrate(b, t_max=1.0, delta_t=-1.0)
    with pytest.raises(ValueError, match="branch"):
        b.branch(3)
    with pytest.raises(ValueError, match="positive"):
        b.set("radius", -1.0)
    with pytest.raises(ValueError, match="parents"):
        jx.Cell(jx.Branch(), parents=[0, 0])
    with pytest.raises(ValueError, match="loc"):
        b.loc(1.5)
    with pytest.raises(ValueError, match="t_max"):
        jx.integrate(b)  # no stimulus, no clamp, no t_max
    empty = jx.Compartment()
    with pytest.raises(ValueError, match="record"):
        jx.integrate(empty, t_max=1.0)
    with pytest.raises(ValueError, match="params"):
        jx.integrate(b, params=[{"HH_gNa": np.array([0.1])}], t_max=1.0)
    with pytest.raises(ValueError, match="stimulate"):
        b.comp(0).stimulate(np.zeros((2, 10)), verbose=False)


def test_messages_name_the_value():
    b = hh_branch()
    with pytest.raises(ValueError) as e:
        b.comp(7)
    assert "comp(7)" in str(e.value)

"""The Jaxley-style API surface: modules, views, indexing, node table, trainables, data_*."""
import copy

import numpy as np
import pytest

import ranvier as jx


def cell7():
    return jx.Cell([jx.Branch(jx.Compartment(), ncomp=k) for k in [2, 3, 4, 1, 2, 3, 2]], parents=[-1, 0, 0, 1, 1, 2, 2])


def test_indexing():
    cell = cell7()
    assert cell[1, 0].nodes.index.tolist() == [2]
    assert cell.branch(1).comp(0).nodes.index.tolist() == [2]
    assert cell[2].nodes.index.tolist() == [5, 6, 7, 8]
    assert cell.branch(2).loc(1.0).nodes.index.tolist() == [8]
    assert cell.branch(2).loc(0.0).nodes.index.tolist() == [5]
    assert cell.branch("all").comp(0).nodes.index.tolist() == [0, 2, 5, 9, 10, 12, 15]
    assert cell[1, "all"].nodes.index.tolist() == [2, 3, 4]
    branch = jx.Branch(jx.Compartment(), ncomp=4)
    assert branch[3].nodes.index.tolist() == [3]
    assert branch.loc(0.5).nodes.index.tolist() == [1]  # Jaxley's 1 + 1e-10 quirk
    with pytest.raises(IndexError):
        cell[0, 0, 0]


def test_nodes_table():
    cell = cell7()
    cell.branch(1).insert(jx.channels.HH())
    cell.branch(1).comp(2).set("radius", 2.0)
    n = cell.nodes
    assert len(n) == 17
    for col in ["global_comp_index", "global_branch_index", "local_comp_index", "length", "radius", "area", "v", "HH", "HH_gNa"]:
        assert col in n.columns
    assert n.loc[4, "radius"] == 2.0
    assert n.loc[4, "area"] == pytest.approx(2 * np.pi * 2.0 * 10.0)
    assert n["HH"].tolist() == [i in (2, 3, 4) for i in range(17)]
    assert np.isnan(n.loc[0, "HH_gNa"])
    v = cell.branch(2).nodes
    assert v["local_comp_index"].tolist() == [0, 1, 2, 3]
    assert v["global_branch_index"].tolist() == [2] * 4


def test_trainables_and_parameters():
    cell = cell7()
    cell.insert(jx.channels.HH())
    cell.make_trainable("HH_gNa", verbose=False)
    cell.branch("all").make_trainable("radius", verbose=False)
    cell.branch(1).comp("all").make_trainable("length", 12.0, verbose=False)
    p = cell.get_parameters()
    assert [list(d) for d in p] == [["HH_gNa"], ["radius"], ["length"]]
    assert p[0]["HH_gNa"].shape == (1,)
    assert p[1]["radius"].shape == (7,)
    np.testing.assert_array_equal(p[2]["length"], [12.0, 12.0, 12.0])
    cell.delete_trainables()
    assert cell.get_parameters() == []


def test_record_dedup_and_delete(capsys):
    b = jx.Branch(jx.Compartment(), ncomp=2)
    b.comp(0).record()
    assert "Added 1 recordings" in capsys.readouterr().out
    b.comp(0).record(verbose=False)
    b.record("v", verbose=False)
    assert b.recordings["rec_index"].tolist() == [0, 1]
    b.delete_recordings()
    assert len(b.recordings) == 0


def test_stimuli_accumulate_and_delete():
    b = jx.Branch(jx.Compartment(), ncomp=2)
    b.insert(jx.channels.HH())
    b.comp(0).record(verbose=False)
    cur = jx.step_current(0.5, 1.0, 0.1, 0.025, 2.0)
    b.comp(0).stimulate(cur, verbose=False)
    b.comp(0).stimulate(cur, verbose=False)
    two = jx.integrate(b, t_max=2.0)
    b.delete_stimuli()
    b.comp(0).stimulate(2 * cur, verbose=False)
    np.testing.assert_allclose(jx.integrate(b, t_max=2.0), two, rtol=0, atol=1e-12)
    assert b.externals["i"].shape == (1, len(cur))
    b.comp(1).clamp("v", np.full(len(cur), -60.0), verbose=False)
    assert jx.integrate(b, t_max=2.0)[0, -1] != two[0, -1]
    b.delete_clamps("v")
    np.testing.assert_allclose(jx.integrate(b, t_max=2.0), two, rtol=0, atol=1e-12)


def test_step_currents():
    c = jx.step_current(1.0, 2.0, 0.5, 0.025, 10.0)
    assert c.shape == (int(10.0 // 0.025) + 2,)
    assert c[39] == 0.0 and c[40] == 0.5 and c[119] == 0.5 and c[120] == 0.0
    d = jx.datapoint_to_step_currents(1.0, 2.0, [0.1, 0.2], 0.025, 10.0)
    assert d.shape == (2, len(c))


def test_copy_is_independent():
    b = jx.Branch(jx.Compartment(), ncomp=2)
    c = copy.deepcopy(b)
    c.insert(jx.channels.HH())
    assert "HH_gNa" in c.nodes.columns and "HH_gNa" not in b.nodes.columns


def test_modified_compartment_in_branch():
    comp = jx.Compartment()
    comp.set("radius", 3.0)
    comp.insert(jx.channels.Leak())
    b = jx.Branch(comp, ncomp=3)
    assert b.nodes["radius"].tolist() == [3.0] * 3
    assert b.nodes["Leak"].all()


def test_return_states_and_dhs_width():
    cell = cell7()
    cell.insert(jx.channels.HH())
    cell.branch(0).comp(0).stimulate(jx.step_current(0.5, 1.0, 0.5, 0.025, 3.0), verbose=False)
    cell.branch(6).comp(1).record(verbose=False)
    r1, states = jx.integrate(cell, t_max=3.0, return_states=True)
    assert set(states) >= {"v", "HH_m", "HH_h", "HH_n", "i_HH"}
    assert states["v"].shape == (17 + 3,)  # compartments then branchpoints
    cell._init_solver_jaxley_dhs_solve(allowed_nodes_per_level=4)
    r2 = jx.integrate(cell, t_max=3.0, voltage_solver="jaxley.dhs.gpu")
    np.testing.assert_allclose(r1, r2, rtol=0, atol=1e-9)
    cell._init_morph_jaxley_dhs_solve(allowed_nodes_per_level=1)


def test_compile_and_inspect():
    b = jx.Branch(jx.Compartment(), ncomp=2)
    b.insert(jx.channels.HH())
    b.comp(0).record(verbose=False)
    cm = jx.compile(b)
    assert "HH" in cm.source("model")
    assert "define" in cm.source("llvm_ir")
    assert len(cm.source("assembly")) > 0


def test_builtin_channel_attributes():
    hh = jx.channels.HH()
    assert hh.name == "HH" and hh.current_name == "i_HH"
    assert hh.channel_params["HH_gNa"] == 0.12 and hh.channel_states["HH_m"] == 0.2
    hh.channel_params["HH_gNa"] = 0.2
    c = jx.Compartment()
    c.insert(hh)
    assert c.nodes["HH_gNa"].tolist() == [0.2]
    with pytest.raises(NotImplementedError):
        jx.channels.HH("other")


def test_set_per_compartment_values():
    b = jx.Branch(jx.Compartment(), ncomp=3)
    b.set("radius", [1.0, 2.0, 3.0])
    assert b.nodes["radius"].tolist() == [1.0, 2.0, 3.0]
    assert b.nodes["area"].tolist()[2] == pytest.approx(2 * np.pi * 3.0 * 10.0)
    with pytest.raises(ValueError):
        b.set("radius", [1.0, 2.0])

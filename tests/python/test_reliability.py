"""Reliability (issue 19): no crash, no silent NaN, no silently ignored input. Each bad input is
refused before the run with the right error type and a message naming the input and its value;
a run that produces NaN says so; jobs too large for memory are refused up front (MemoryError);
the kernel cache is bounded and clearable."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ranvier as jx
from ranvier import _checks
from ranvier.channels import Channel, HH


def hh_cell(ncomp=2, parents=(-1, 0)):
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=ncomp), parents=list(parents))
    cell.insert(HH())
    cell.branch(0).comp(0).record("v", verbose=False)
    return cell


class Decay(Channel):
    """A one-state channel whose default parameter the test sets (NaN, or a second definition)."""

    def __init__(self, name=None, g=1e-4, rate=1.0):
        self.current_is_in_mA_per_cm2 = True
        super().__init__(name)
        self.channel_params = {f"{self._name}_g": g}
        self.channel_states = {f"{self._name}_s": 0.5}
        self.current_name = f"i_{self._name}"
        self.rate = rate

    def update_states(self, states, dt, v, params):
        s = states[f"{self._name}_s"]
        return {f"{self._name}_s": s - dt * self.rate * s}

    def compute_current(self, states, v, params):
        return params[f"{self._name}_g"] * states[f"{self._name}_s"] * (v + 70.0)

    def init_state(self, states, v, params, delta_t):
        return {}


# --- non-finite inputs --------------------------------------------------------------------

def test_nan_in_data_stimuli_and_data_clamps_is_refused():
    cell = hh_cell()
    stim = np.zeros(41)
    stim[3] = np.nan
    with pytest.raises(ValueError, match=r"data_stimuli\[0\].*nan.*index 3"):
        jx.integrate(cell, data_stimuli=(["i"], [stim], [np.array([0])]), t_max=1.0)
    with pytest.raises(ValueError, match=r"data_clamps\[0\] \('v'\) is inf"):
        jx.integrate(cell, data_clamps=(["v"], [np.full(41, np.inf)], [np.array([0])]), t_max=1.0)


def test_nan_in_add_stimuli_lane_is_refused_by_the_core():
    # The options object directly (what every wrapper builds): checked in C++ before the run.
    cell = hh_cell()
    o = jx._core.IntegrateOptions()
    o.t_max = 1.0
    lane = np.zeros((1, 41))
    lane[0, 7] = np.inf
    o.add_stimuli([0], lane)
    with pytest.raises(ValueError, match=r"data_stimuli\[0\] \(compartment 0\) is inf at sample 7"):
        jx._core.integrate(cell._core, o)


def test_nan_in_all_states_and_unknown_keys_are_refused():
    cell = hh_cell()
    _, states = jx.integrate(cell, t_max=1.0, return_states=True)
    bad = dict(states)
    bad["v"] = np.array(states["v"], copy=True)
    bad["v"][1] = np.nan
    with pytest.raises(ValueError, match=r"all_states\['v'\] is nan at node 1"):
        jx.integrate(cell, all_states=bad, t_max=1.0)
    extra = dict(states)
    extra["HH_q"] = states["v"]
    with pytest.raises(KeyError, match="HH_q"):
        jx.integrate(cell, all_states=extra, t_max=1.0)
    # The states returned by a run continue it (NaN where a mechanism is absent is allowed).
    assert np.isfinite(jx.integrate(cell, all_states=states, t_max=1.0)).all()


def test_nan_default_parameter_of_a_python_channel_is_refused():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0])
    with pytest.raises(ValueError, match=r"Decay_g.*nan"):
        cell.insert(Decay(g=float("nan")))


def test_tiny_length_that_makes_inf_is_refused_naming_the_geometry():
    cell = hh_cell()
    cell.set("length", 1e-300)
    with pytest.raises(ValueError, match=r"length = 1e-300"):
        jx.integrate(cell, t_max=1.0)


def test_nan_in_params_is_refused():
    cell = hh_cell()
    cell.make_trainable("HH_gNa", verbose=False)
    with pytest.raises(ValueError, match=r"params\[0\] \('HH_gNa'\) is nan"):
        jx.integrate(cell, params=[{"HH_gNa": np.array([np.nan])}], t_max=1.0)


def test_a_run_that_produces_nan_says_where():
    # Forward Euler with dt * g / c = 1000: the voltage grows a thousandfold per step until it overflows.
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0])
    cell.insert(jx.channels.Leak())
    cell.set("Leak_gLeak", 1.0)
    cell.set("v", 0.0)
    cell.branch(0).comp(1).record("v", verbose=False)
    with pytest.warns(RuntimeWarning, match=r"produced -?inf at t = \d+ ms .*state 'v' at compartment 1"):
        v = jx.integrate(cell, t_max=200.0, delta_t=1.0, solver="fwd_euler")
    assert not np.isfinite(v).all()


# --- silently accepted inputs -------------------------------------------------------------

def test_params_key_that_is_not_the_trainable_is_refused():
    cell = hh_cell()
    cell.make_trainable("HH_gNa", verbose=False)
    with pytest.raises(KeyError, match=r"params\[0\] has key 'HH_gK'.*'HH_gNa'"):
        jx.integrate(cell, params=[{"HH_gK": np.array([0.1])}], t_max=1.0)
    with pytest.raises(KeyError, match="HH_gK"):
        jx.vjp(cell, [{"HH_gK": np.array([0.1])}], t_max=1.0)


def test_a_different_mechanism_with_an_existing_name_is_refused():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0])
    cell.branch(0).insert(Decay(rate=1.0))
    cell.branch(1).insert(Decay(rate=1.0))  # the same definition: fine
    with pytest.raises(ValueError, match="different mechanism named 'Decay'"):
        cell.branch(1).insert(Decay(rate=2.0))


def test_second_instance_with_other_defaults_writes_them_like_jaxley():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0])
    cell.branch(0).insert(Decay(g=1e-4))
    cell.branch(1).insert(Decay(g=3e-4))
    g = np.asarray(cell._core.column("Decay_g"))
    assert g[0] == 1e-4 and g[-1] == 3e-4


def test_recording_a_current_that_is_absent_there_is_refused():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0])
    cell.branch(0).insert(HH())
    with pytest.raises(KeyError, match=r"'i_HH' does not exist at compartment 2"):
        cell.branch(1).comp(0).record("i_HH", verbose=False)


def test_negative_threads_and_bad_option_types_are_refused():
    cell = hh_cell()
    cell.make_trainable("HH_gNa", verbose=False)
    with pytest.raises(ValueError, match="threads.*-1"):
        jx.vjp(cell, t_max=1.0, threads=-1)
    with pytest.raises(ValueError, match="threads.*-2"):
        jx.compile(cell, threads=-2)
    with pytest.raises(TypeError, match="solver must be a string.*None"):
        jx.integrate(cell, t_max=1.0, solver=None)
    with pytest.raises(TypeError, match="t_max must be a number.*'abc'"):
        jx.integrate(cell, t_max="abc")
    with pytest.raises(ValueError, match="delta_t must be finite, got nan"):
        jx.integrate(cell, t_max=1.0, delta_t=float("nan"))


def test_parents_must_be_a_flat_list_of_integers():
    assert _checks.as_parents([-1, 0, 0.0]) == [-1, 0, 0]
    branch = jx.Branch(jx.Compartment(), ncomp=1)
    with pytest.raises(ValueError, match=r"parents\[1\] = 0.5"):
        jx.Cell(branch, parents=[-1, 0.5])
    with pytest.raises(ValueError, match=r"shape \(2, 1\)"):
        jx.Cell(branch, parents=[[-1], [0]])


def test_set_names_the_key_and_the_value():
    cell = hh_cell()
    with pytest.raises(TypeError, match="HH_gNa.*'abc'"):
        cell.set("HH_gNa", "abc")
    with pytest.raises(ValueError, match="HH_gNa.*nan"):
        cell.branch(0).set("HH_gNa", float("nan"))


# --- vague errors -------------------------------------------------------------------------

def test_swc_folder_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        jx.read_swc(str(tmp_path), ncomp=1)
    with pytest.raises(ValueError, match="no such file"):
        jx.read_swc(str(tmp_path / "nope.swc"), ncomp=1)


def test_swc_radius_zero_at_a_tip_names_the_geometry(tmp_path):
    path = tmp_path / "tip.swc"
    path.write_text("1 1 0 0 0 5 -1\n2 3 10 0 0 2 1\n3 3 20 0 0 0 2\n")
    cell = jx.read_swc(str(path), ncomp=2)
    cell.record("v", verbose=False)
    with pytest.raises(ValueError, match=r"resistive_load_out = inf \(from length = .* radius = "):
        jx.integrate(cell, t_max=1.0)


# --- memory -------------------------------------------------------------------------------

def run_isolated(code, limit="1G"):
    """`code` in a fresh interpreter with RANVIER_MEMORY_LIMIT=limit: (returncode, stderr)."""
    env = dict(os.environ, RANVIER_MEMORY_LIMIT=limit)
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


SETUP = """
import numpy as np, ranvier as jx
from ranvier.channels import HH
cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=10), parents=[-1, 0, 0, 1, 1, 2, 2, 3, 3, 4])
cell.insert(HH())
cell.branch(0).comp(0).record('v', verbose=False)
cell.make_trainable('HH_gNa', verbose=False)
"""


@pytest.mark.parametrize("job, needle", [
    ("jx.vjp(cell, [{'HH_gNa': np.full((256, 1), 0.12)}], t_max=150.0)", "vjp of a batch of 256 simulations"),
    ("jx.integrate(cell, params=[{'HH_gNa': np.full((4096, 1), 0.12)}], t_max=1000.0)", "batch of 4096 simulations"),
    ("[cell.branch(b).record('v', verbose=False) for b in range(10)]; jx.integrate(cell, t_max=2e5)", "recordings x 8000001"),
    ("jx.Branch(jx.Compartment(), ncomp=10**9)", "Branch(ncomp=1000000000)"),
    ("jx.step_current(1.0, 1.0, 0.1, 0.025, 1e9)", "step_current"),
])
def test_large_jobs_are_refused_up_front_with_the_memory_they_need(job, needle):
    rc, out = run_isolated(SETUP + f"""
try:
    {job}
except MemoryError as e:
    print('MemoryError:', e)
""")
    assert rc == 0, out
    assert "MemoryError:" in out and needle in out and "GB" in out and "RANVIER_MEMORY_LIMIT" in out, out


def test_an_allocation_failure_is_a_memory_error_not_a_crash():
    # The guard off (a huge limit) and the address space capped: the allocation itself fails.
    code = "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n" + SETUP + """
try:
    jx.vjp(cell, [{'HH_gNa': np.full((256, 1), 0.12)}], t_max=150.0, threads=1)
    print('ran')
except MemoryError as e:
    print('MemoryError:', e)
"""
    rc, out = run_isolated(code, limit="1000G")
    assert rc == 0, out  # not an abort (terminate called after throwing std::bad_alloc)
    assert "MemoryError:" in out and "vjp" in out, out


def test_memory_limit_environment_variable_is_checked():
    rc, out = run_isolated(SETUP + "jx.integrate(cell, t_max=1.0)", limit="lots")
    assert rc != 0 and "RANVIER_MEMORY_LIMIT = 'lots'" in out


# --- kernel cache -------------------------------------------------------------------------

def test_kernel_cache_is_bounded_clearable_and_visible():
    jx.clear_cache()
    assert jx.cache_info()["entries"] == 0
    old = jx.cache_info()["limit"]
    try:
        jx.set_cache_limit(2)
        for n in (1, 2, 3, 4):
            cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=n), parents=[-1])
            cell.insert(HH())
            cell.branch(0).comp(0).record("v", verbose=False)
            jx.integrate(cell, t_max=0.5)
        info = jx.cache_info()
        assert info["limit"] == 2 and 1 <= info["entries"] <= 2 and info["evictions"] >= 2, info
        before = jx.compilations()
        jx.integrate(cell, t_max=0.5)  # the most recent structure is still cached
        assert jx.compilations() == before
        jx.clear_cache()
        assert jx.cache_info()["entries"] == 0
        jx.integrate(cell, t_max=0.5)
        assert jx.compilations() == before + 1
        with pytest.raises(TypeError, match="entries"):
            jx.set_cache_limit("3")
    finally:
        jx.set_cache_limit(old)


def test_ion_pumps_and_diffusion_are_refused_as_not_supported():
    # Jaxley 0.14's pumps import (scripts and test suites that import them load), but making one,
    # or asking for axial diffusion of a concentration, says that Ranvier cannot simulate it.
    from ranvier.pumps import CaFaradayConcentrationChange, CaNernstReversal, CaPump, Pump

    class UserPump(Pump):
        def __init__(self, name=None):
            super().__init__(name)
            self.ion_name = "CaCon_i"

    for make in (UserPump, CaPump, CaFaradayConcentrationChange, CaNernstReversal):
        with pytest.raises(NotImplementedError, match=rf"{make.__name__}: ion pumps .* not supported"):
            make()
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1])
    with pytest.raises(NotImplementedError, match=r"diffuse\('CaCon_i'\).*not supported"):
        cell.diffuse("CaCon_i")
    with pytest.raises(NotImplementedError, match="not supported"):
        cell.branch(0).diffuse("CaCon_i")

"""``TestSynapse``: Jaxley's test synapse type (jaxley.synapses.TestSynapse), a Python synapse
traced like a user's. One state ``<name>_c`` relaxes towards a sigmoid of the presynaptic
voltage (threshold -35 mV, slope 10 mV) with the time constant (1 - s_inf) / k_minus
(k_minus = 1/40 1/ms), by Jaxley's exponential-Euler step (solve_inf_gate_exponential);
I = gC c (v_post - 0 mV) [nA]."""
from typing import Optional

from ..solver_gate import save_exp, solve_inf_gate_exponential
from . import Synapse


class TestSynapse(Synapse):
    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, name: Optional[str] = None):
        super().__init__(name)
        self.synapse_params = {f"{self._name}_gC": 1e-4}  # uS
        self.synapse_states = {f"{self._name}_c": 0.2}

    def update_states(self, states, delta_t, pre_voltage, post_voltage, params):
        v_th, delta, k_minus = -35.0, 10.0, 1.0 / 40.0  # mV, mV, 1/ms
        s_inf = 1.0 / (1.0 + save_exp((v_th - pre_voltage) / delta))
        tau_s = (1.0 - s_inf) / k_minus  # ms
        c = f"{self._name}_c"
        return {c: solve_inf_gate_exponential(states[c], delta_t, s_inf, tau_s)}

    def compute_current(self, states, pre_voltage, post_voltage, params):
        e_syn = 0.0  # mV
        return params[f"{self._name}_gC"] * states[f"{self._name}_c"] * (post_voltage - e_syn)

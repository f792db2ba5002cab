COMMENT
Jaxley's IonotropicSynapse (jaxley/synapses/ionotropic.py; Abbott & Marder 1998) as a
NEURON point process, for bench/neuron_network.py.

Placed in the postsynaptic segment; the POINTER vpre is set to the presynaptic segment's v
(h.setpointer(pre_seg._ref_v, "vpre", syn)).  Graded transmission, no events, no delay.

  s_inf = 1 / (1 + exp((v_th - vpre) / delta))
  tau_s = (1 - s_inf) / k_minus
  s    <- s * exp(-dt / tau_s) + s_inf * (1 - exp(-dt / tau_s))     (Jaxley's update, verbatim)
  i     = gS * s * (v - e_syn)

Units: gS in uS times mV is nA, NEURON's unit for a point-process current, so the current
is Jaxley's number unchanged.  Jaxley divides the same nA by the postsynaptic compartment's
area (2 pi r L) to get a density; NEURON divides a point current by the segment's area
itself, which for these cylinders is the same 2 pi r L.  exp arguments are clipped at 20
as Jaxley's save_exp does (never reached here).

Step order.  Jaxley, per step n: s_{n+1} = U(s_n, v_n) with the voltages at the start of
the step, then the voltage solve with i(s_{n+1}, v_n) linearised in v_post.  NEURON's own
way for a state (SOLVE ... METHOD cnexp in BREAKPOINT) would update s in nrn_state after the
voltage solve, with v_{n+1}.  Here s is updated in a BEFORE BREAKPOINT block instead, which
NEURON runs once per step before the currents are evaluated (at v_n; the current is then
evaluated at v_n and v_n + 0.001 mV for di/dv, as Jaxley's 1e-3 mV difference), so the
order is Jaxley's.  finitialize's initial current evaluation (t = 0) does not update s;
the first step (t = dt/2) does.  jaxley_order = 0 turns this off and updates s after the
solve instead (NEURON's usual order: one update behind Jaxley, with the new voltages).
s is therefore an ASSIGNED variable updated by hand, not a STATE.  Checked: the s that
NEURON records equals this update applied to the recorded presynaptic v of the step
before, to the last bit.
ENDCOMMENT

NEURON {
  POINT_PROCESS IonotropicSynapse
  POINTER vpre
  RANGE gS, e_syn, k_minus, v_th, delta, s0, jaxley_order, s, i
  NONSPECIFIC_CURRENT i
}

UNITS {
  (nA) = (nanoamp)
  (mV) = (millivolt)
  (uS) = (microsiemens)
}

PARAMETER {
  gS = 1e-4 (uS)
  e_syn = 0 (mV)
  k_minus = 0.025 (/ms)
  v_th = -35 (mV)
  delta = 10 (mV)
  s0 = 0.2
  jaxley_order = 1
}

ASSIGNED {
  v (mV)
  vpre (mV)
  i (nA)
  s
}

INITIAL {
  s = s0
}

BEFORE BREAKPOINT {
  if (jaxley_order && t > 0) {
    update_s()
  }
}

BREAKPOINT {
  i = gS * s * (v - e_syn)
}

AFTER SOLVE {
  if (!jaxley_order) {
    update_s()
  }
}

FUNCTION save_exp(x) {
  if (x > 20) {
    save_exp = exp(20)
  } else {
    save_exp = exp(x)
  }
}

PROCEDURE update_s() {
  LOCAL s_inf, tau_s, slope, exp_term
  s_inf = 1 / (1 + save_exp((v_th - vpre) / delta))
  tau_s = (1 - s_inf) / k_minus
  slope = -1 / tau_s
  exp_term = save_exp(slope * dt)
  s = s * exp_term + s_inf * (1 - exp_term)
}

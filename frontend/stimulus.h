#pragma once
// Step currents with Jaxley's exact lengths and windows (jaxley/stimulus.py).
#include <vector>

namespace ranvier {

// A step current in nA: `i_amp` for samples int(i_delay/dt) <= k < int((i_delay+i_dur)/dt),
// `i_offset` elsewhere; int(t_max // dt) + 2 samples. Times in ms.
std::vector<double> step_current(double i_delay, double i_dur, double i_amp, double delta_t, double t_max,
                                 double i_offset = 0.0);

// One step current per amplitude, shape (i_amps.size(), T).
std::vector<std::vector<double>> datapoint_to_step_currents(double i_delay, double i_dur,
                                                            const std::vector<double>& i_amps, double delta_t,
                                                            double t_max, double i_offset = 0.0);

}  // namespace ranvier

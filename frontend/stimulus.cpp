#include "frontend/stimulus.h"

#include <algorithm>
#include <cmath>

#include "ir/error.h"
#include "ir/memory.h"
#include "ir/pyfloat.h"

namespace ranvier {

std::vector<double> step_current(double i_delay, double i_dur, double i_amp, double delta_t, double t_max,
                                 double i_offset) {
  if (!(delta_t > 0.0)) fail("step_current: delta_t must be positive, got {}", delta_t);
  if (!(t_max >= 0.0) || !std::isfinite(t_max)) fail("step_current: t_max must be finite and non-negative, got {}", t_max);
  if (!(i_delay >= 0.0)) fail("step_current: i_delay must be non-negative, got {}", i_delay);
  if (!(i_dur >= 0.0)) fail("step_current: i_dur must be non-negative, got {}", i_dur);
  if (!std::isfinite(i_amp)) fail("step_current: i_amp must be finite, got {}", i_amp);
  if (!std::isfinite(i_offset)) fail("step_current: i_offset must be finite, got {}", i_offset);
  const double samples = ir::python_floordiv(t_max, delta_t) + 2.0;
  check_memory(8.0 * samples, fmt::format("step_current(t_max={}, delta_t={}): {} samples", t_max, delta_t, samples));
  const long long n = static_cast<long long>(samples);
  std::vector<double> current = allocating(fmt::format("step_current: {} samples", n),
                                           [&] { return std::vector<double>(static_cast<std::size_t>(n), i_offset); });
  // jnp .at[start:end].set clips the slice to the array.
  long long start = std::min(ir::python_int(i_delay / delta_t), n);
  long long end = std::min(ir::python_int((i_delay + i_dur) / delta_t), n);
  for (long long k = start; k < end; ++k) current[static_cast<std::size_t>(k)] = i_amp;
  return current;
}

std::vector<std::vector<double>> datapoint_to_step_currents(double i_delay, double i_dur,
                                                            const std::vector<double>& i_amps, double delta_t,
                                                            double t_max, double i_offset) {
  std::vector<std::vector<double>> out;
  for (double a : i_amps) out.push_back(step_current(i_delay, i_dur, a, delta_t, t_max, i_offset));
  return out;
}

}  // namespace ranvier

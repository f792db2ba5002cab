#include "runtime/check_outputs.h"

#include <cmath>

#include <fmt/format.h>

namespace ranvier::runtime {

std::optional<NonFinite> first_nonfinite(const Result& r) {
  for (int t = 0; t < r.n_samples; ++t)
    for (int i = 0; i < r.n_recordings; ++i)
      if (!std::isfinite(r(i, t))) return NonFinite{t, i, r(i, t)};
  return std::nullopt;
}

std::optional<std::string> describe_nonfinite(const ir::Model& model, const Result& r, double delta_t) {
  const std::optional<NonFinite> bad = first_nonfinite(r);
  if (!bad) return std::nullopt;
  const ir::Recording& rec = model.recordings[static_cast<std::size_t>(bad->recording)];
  return fmt::format("integrate produced {} at t = {} ms (sample {}): recording {}, state '{}' at compartment {}; the "
                     "parameters or the time step make the simulation unstable",
                     bad->value, bad->sample * delta_t, bad->sample, bad->recording, rec.state, rec.comp);
}

}  // namespace ranvier::runtime

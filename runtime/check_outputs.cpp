#include "runtime/check_outputs.h"

#include <cmath>

#include <fmt/format.h>

namespace ranvier::runtime {

std::optional<std::string> describe_nonfinite(const ir::Model& model, const Result& r, double delta_t) {
  for (int t = 0; t < r.n_samples; ++t)
    for (int i = 0; i < r.n_recordings; ++i)
      if (!std::isfinite(r(i, t))) {
        const ir::Recording& rec = model.recordings[static_cast<std::size_t>(i)];
        return fmt::format("integrate produced {} at t = {} ms (sample {}): recording {}, state '{}' at compartment {}; the "
                           "parameters or the time step make the simulation unstable",
                           r(i, t), t * delta_t, t, i, rec.state, rec.comp);
      }
  return std::nullopt;
}

}  // namespace ranvier::runtime

#include "passes/dhs_wavefront.h"

#include <algorithm>

namespace ranvier::passes {

DhsSchedule dhs_wavefront(const DhsSchedule& schedule) {
  DhsSchedule out = schedule;
  out.levels.clear();
  // last_into[x]: the wavefront of the latest elimination into x so far (0: none), which is
  // when x's row is final as far as the eliminations seen so far go.
  std::vector<int> last_into(schedule.parent.size(), 0);
  for (const auto& level : schedule.levels)
    for (auto [c, p] : level) {
      // After every update into c (its row is final) and after the previous update into p
      // (that order is kept).
      const int wave = std::max(last_into[static_cast<std::size_t>(c)], last_into[static_cast<std::size_t>(p)]) + 1;
      last_into[static_cast<std::size_t>(p)] = wave;
      if (static_cast<std::size_t>(wave) > out.levels.size()) out.levels.resize(static_cast<std::size_t>(wave));
      out.levels[static_cast<std::size_t>(wave - 1)].emplace_back(c, p);
    }
  return out;
}

}  // namespace ranvier::passes

#include "ir/dhs_schedule.h"

#include <fmt/format.h>

namespace ranvier::ir {

std::string DhsSchedule::print() const {
  std::string out = fmt::format("dhs schedule: root {}, {} levels, allowed_nodes_per_level {}\n", root, levels.size(),
                                allowed_nodes_per_level);
  for (std::size_t l = 0; l < levels.size(); ++l) {
    out += fmt::format("  level {}:", l);
    for (auto [c, p] : levels[l]) out += fmt::format(" {}->{}", c, p);
    out += "\n";
  }
  return out;
}

}  // namespace ranvier::ir

#include <functional>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "frontend/channels/builtin.h"
#include "ir/error.h"

namespace ranvier::channels {
namespace {
const std::map<std::string, std::function<Mechanism()>>& registry() {
  static const std::map<std::string, std::function<Mechanism()>> r = {
      {"HH", HH}, {"Leak", Leak}, {"Na", Na}, {"K", K}, {"Km", Km}, {"CaL", CaL}, {"CaT", CaT},
      {"Fire", Fire}, {"Izhikevich", Izhikevich}, {"Rate", Rate}, {"AdEx", AdEx}};
  return r;
}
}  // namespace

Mechanism by_name(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end())
    fail_key("unknown channel '{}'; built-in channels are {}", name, fmt::join(builtin_names(), ", "));
  return it->second();
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const auto& [n, f] : registry()) names.push_back(n);
  return names;
}

}  // namespace ranvier::channels

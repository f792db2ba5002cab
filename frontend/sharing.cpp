// Groups and explicitly shared trainable parameters: what Jaxley's `add_to_group` and
// `make_trainable` (after the user wrote the `controlled_by_param` column of a view's
// `.nodes` or `.edges`) store. The Python package computes the sharing from its tables and
// hands the resulting index groups here, so they are validated once, in C++.
#include <algorithm>
#include <cmath>
#include <set>

#include "frontend/module.h"
#include "ir/error.h"

namespace ranvier {

void Module::add_to_group(const std::string& name, const std::vector<int>& comps) {
  if (name.empty()) fail("add_to_group: the group name is empty");
  for (const auto& m : mechanisms_)
    if (m.name == name)
      fail("add_to_group('{}'): a channel of that name is inserted; groups and channels cannot share a name", name);
  if (has_column(name)) fail("add_to_group('{}'): '{}' is already a column of the nodes table", name, name);
  if (comps.empty()) fail("add_to_group('{}'): the view selects no compartment", name);
  for (int c : comps)
    if (c < 0 || c >= n_comp()) fail("add_to_group('{}'): compartment {} does not exist (the module has {})", name, c, n_comp());
  add_group(name, comps);
}

namespace {

// Index of the synapse type that has `key` as a parameter or state, or -1.
int synapse_type_of(const std::vector<ir::SynapseGroup>& synapses, const std::string& key) {
  for (std::size_t g = 0; g < synapses.size(); ++g)
    if (synapses[g].column_index(key) >= 0) return static_cast<int>(g);
  return -1;
}

}  // namespace

void Module::add_trainable(const std::string& key, const std::vector<std::vector<int>>& groups, const std::vector<double>& init) {
  if (groups.empty()) fail("make_trainable('{}'): no parameter to create (no group of compartments or synapses)", key);
  if (init.size() != groups.size())
    fail("make_trainable('{}'): {} initial value(s) for {} parameter(s)", key, init.size(), groups.size());
  const int col = column_index(key);
  const int type = col < 0 ? synapse_type_of(synapses_, key) : -1;
  if (col < 0 && type < 0) fail_key("cannot make '{}' trainable: no such parameter or state in the nodes or edges", key);
  const int limit = col >= 0 ? n_comp() : synapses_[static_cast<std::size_t>(type)].size();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].empty()) fail("make_trainable('{}'): parameter {} controls no compartment or synapse", key, g);
    if (!std::isfinite(init[g])) fail("make_trainable('{}'): the initial value of parameter {} is {}", key, g, init[g]);
    std::set<int> seen;
    for (int i : groups[g]) {
      if (i < 0 || i >= limit)
        fail("make_trainable('{}'): {} {} does not exist (there are {})", key, col >= 0 ? "compartment" : "synapse", i, limit);
      if (!seen.insert(i).second) fail("make_trainable('{}'): parameter {} lists index {} twice", key, g, i);
      if (col >= 0 && std::isnan(columns_[static_cast<std::size_t>(col)][static_cast<std::size_t>(i)]))
        fail("make_trainable('{}'): '{}' is not defined at compartment {} (its channel is not inserted there)", key, key, i);
    }
  }
  trainables_.push_back(Trainable{key, groups, init});
}

}  // namespace ranvier

#include "frontend/network.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ir/error.h"

namespace ranvier {

Network::Network(const std::vector<Cell>& cells) {
  std::vector<const Module*> parts;
  for (const auto& c : cells) {
    if (!c.synapse_groups().empty()) fail("Network: a cell must not have synapses of its own");
    parts.push_back(&c);
  }
  init_forest(parts);
}

SynapseView Network::synapses(const std::string& type) {
  std::vector<std::string> names;
  for (std::size_t g = 0; g < synapses_.size(); ++g) {
    if (synapses_[g].type.name == type) {
      std::vector<int> all(static_cast<std::size_t>(synapses_[g].size()));
      std::iota(all.begin(), all.end(), 0);
      return SynapseView(this, static_cast<int>(g), all, false);
    }
    names.push_back(synapses_[g].type.name);
  }
  fail_key("the network has no synapses of type '{}' (types: {})", type, names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
}

int Network::n_synapses() const {
  int n = 0;
  for (const auto& g : synapses_) n += g.size();
  return n;
}

SynapseView::SynapseView(Module* module, int group, std::vector<int> edges, bool edge_selected)
    : module_(module), group_(group), edges_(std::move(edges)), edge_selected_(edge_selected) {}

const ir::SynapseGroup& SynapseView::group() const { return module_->synapses_[static_cast<std::size_t>(group_)]; }
const std::string& SynapseView::type() const { return group().type.name; }

SynapseView SynapseView::edge(const Index& i) const {
  // Indices count within the view (Jaxley's local edge index).
  if (i.all()) return SynapseView(module_, group_, edges_, true);
  std::vector<int> edges;
  for (int k : i.values()) {
    if (k >= static_cast<int>(edges_.size()))
      fail("edge({}) does not exist: this view has {} synapse(s) of type '{}'", k, edges_.size(), type());
    edges.push_back(edges_[static_cast<std::size_t>(k)]);
  }
  return SynapseView(module_, group_, std::move(edges), true);
}

int SynapseView::column(const std::string& key, const char* what) const {
  int c = group().column_index(key);
  if (c < 0)
    fail_key("cannot {} '{}': synapse type '{}' has no such parameter or state (it has: {})", what, key, type(),
             fmt::join(group().column_names, ", "));
  return c;
}

const SynapseView& SynapseView::set(const std::string& key, double value) const {
  int c = column(key, "set");
  if (!std::isfinite(value)) fail("cannot set '{}' to {}: the value must be finite", key, value);
  auto& col = module_->synapses_[static_cast<std::size_t>(group_)].columns[static_cast<std::size_t>(c)];
  for (int e : edges_) col[static_cast<std::size_t>(e)] = value;
  return *this;
}

const SynapseView& SynapseView::record(const std::string& state) const {
  const auto& t = group().type;
  if (!t.has_state(state) && state != t.current_name()) {
    std::vector<std::string> names;
    for (const auto& s : t.states) names.push_back(s.name);
    names.push_back(t.current_name());
    fail_key("cannot record '{}': it is not a state or the current of synapse type '{}' (recordable: {})", state, type(),
             fmt::join(names, ", "));
  }
  auto& recs = module_->recordings_;
  for (int e : edges_) {
    bool dup = std::any_of(recs.begin(), recs.end(), [&](const ir::Recording& r) { return r.comp == e && r.state == state; });
    if (!dup) recs.push_back({e, state});
  }
  return *this;
}

const SynapseView& SynapseView::make_trainable(const std::string& key, std::optional<double> init) const {
  int c = column(key, "make trainable");
  const auto& col = group().columns[static_cast<std::size_t>(c)];
  Trainable t{key, {}, {}};
  std::vector<std::vector<int>> groups;
  if (edge_selected_) {
    for (int e : edges_) groups.push_back({e});
  } else {
    groups.push_back(edges_);
  }
  for (auto& g : groups) {
    double mean = 0.0;
    for (int e : g) mean += col[static_cast<std::size_t>(e)];
    mean /= static_cast<double>(g.size());
    t.groups.push_back(g);
    t.init.push_back(init ? *init : mean);
  }
  module_->trainables_.push_back(std::move(t));
  return *this;
}

}  // namespace ranvier

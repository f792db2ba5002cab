#include "ir/model.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ir/error.h"

namespace ranvier::ir {

int Model::column_index(const std::string& name) const {
  auto it = std::find(column_names.begin(), column_names.end(), name);
  return it == column_names.end() ? -1 : static_cast<int>(it - column_names.begin());
}

const std::vector<double>& Model::column(const std::string& name) const {
  int i = column_index(name);
  if (i < 0) fail_key("model has no parameter or state '{}'", name);
  return columns[i];
}

bool Model::is_parameter(const std::string& name) const {
  const auto& g = geometry_columns();
  if (std::find(g.begin(), g.end(), name) != g.end()) return true;
  return std::any_of(mechanisms.begin(), mechanisms.end(), [&](const Mechanism& m) { return m.has_param(name); });
}

bool Model::is_state(const std::string& name) const {
  if (name == "v") return true;
  return std::any_of(mechanisms.begin(), mechanisms.end(), [&](const Mechanism& m) { return m.has_state(name); });
}

bool Model::is_current(const std::string& name) const {
  return std::find(current_names.begin(), current_names.end(), name) != current_names.end();
}

int Model::synapse_group_of(const std::string& name) const {
  for (std::size_t g = 0; g < synapses.size(); ++g) {
    const auto& t = synapses[g].type;
    if (t.has_param(name) || t.has_state(name) || t.current_name() == name) return static_cast<int>(g);
  }
  return -1;
}

namespace {
const char* edge_type_name(EdgeType t) {
  switch (t) {
    case EdgeType::CompToComp: return "comp->comp";
    case EdgeType::BranchpointToParent: return "bp->parent";
    case EdgeType::BranchpointToChild: return "bp->child";
    case EdgeType::ParentToBranchpoint: return "parent->bp";
    case EdgeType::ChildToBranchpoint: return "child->bp";
  }
  return "?";
}

std::string ranges(const std::vector<int>& v) {
  // Compact "0-3,7,9-10" form of a sorted index list.
  std::string out;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + (i == j ? fmt::format("{}", v[i]) : fmt::format("{}-{}", v[i], v[j]));
    i = j + 1;
  }
  return out.empty() ? "-" : out;
}
}  // namespace

std::string Model::print() const {
  std::string out;
  out += fmt::format("model: {} compartments, {} branchpoints, {} branches\n", n_comp, n_bp, n_branches());
  out += fmt::format("parents: [{}]\nncomp: [{}]\n", fmt::join(parents, ", "), fmt::join(ncomp_per_branch, ", "));
  out += "edges:\n";
  for (const Edge& e : edges)
    out += fmt::format("  {} -> {} ({}, ordered {})\n", e.source, e.sink, edge_type_name(e.type), e.ordered);
  out += "mechanisms:\n";
  for (std::size_t m = 0; m < mechanisms.size(); ++m) {
    const Mechanism& mech = mechanisms[m];
    out += fmt::format("  {} on compartments {} (current {})\n", mech.name, ranges(mechanism_comps[m]), mech.current_name);
    std::vector<std::pair<std::string, Expr>> roots;
    for (const auto& u : mech.update) roots.emplace_back(u.name + "'", u.expr);
    roots.emplace_back(mech.current_name, mech.current);
    out += ir::print(std::span<const std::pair<std::string, Expr>>(roots));
  }
  out += "columns:\n";
  for (std::size_t c = 0; c < column_names.size(); ++c) {
    std::vector<std::string> vals;
    for (double x : columns[c]) vals.push_back(std::isnan(x) ? "nan" : fmt::format("{}", x));
    out += fmt::format("  {}: [{}]\n", column_names[c], fmt::join(vals, ", "));
  }
  if (!synapses.empty()) out += "synapses:\n";
  for (const auto& g : synapses) {
    out += fmt::format("  {}: {} synapse(s)\n", g.type.name, g.size());
    std::vector<std::pair<std::string, Expr>> roots;
    for (const auto& u : g.type.update) roots.emplace_back(u.name + "'", u.expr);
    roots.emplace_back(g.type.current_name(), g.type.current);
    out += ir::print(std::span<const std::pair<std::string, Expr>>(roots));
    for (int i = 0; i < g.size(); ++i) {
      std::vector<std::string> vals;
      for (std::size_t c = 0; c < g.column_names.size(); ++c) vals.push_back(fmt::format("{}={}", g.column_names[c], g.columns[c][i]));
      out += fmt::format("    {}: comp {} -> comp {} ({})\n", i, g.pre[i], g.post[i], fmt::join(vals, ", "));
    }
  }
  for (const auto& s : stimuli) out += fmt::format("stimulus: comp {} ({} samples)\n", s.comp, s.current.size());
  for (const auto& c : clamps) out += fmt::format("clamp: {} at comp {} ({} samples)\n", c.state, c.comp, c.values.size());
  for (const auto& r : recordings) out += fmt::format("record: {} at comp {}\n", r.state, r.comp);
  return out;
}

}  // namespace ranvier::ir

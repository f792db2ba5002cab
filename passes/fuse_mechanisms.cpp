#include "passes/fuse_mechanisms.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace ranvier::passes {

ir::KernelIR fuse_mechanisms(const ir::Model& model) {
  ir::KernelIR k;
  k.current_names = model.current_names;
  for (const auto& m : model.mechanisms)
    for (const auto& s : m.states)
      if (std::find(k.state_names.begin(), k.state_names.end(), s.name) == k.state_names.end()) k.state_names.push_back(s.name);

  // Mechanism set of every compartment, as a bit list in insertion order.
  std::vector<std::vector<char>> at(model.n_comp, std::vector<char>(model.mechanisms.size(), 0));
  for (std::size_t m = 0; m < model.mechanisms.size(); ++m)
    for (int c : model.mechanism_comps[m]) at[c][m] = 1;
  std::map<std::vector<char>, std::size_t> group_of;
  for (int c = 0; c < model.n_comp; ++c) {
    auto [it, inserted] = group_of.emplace(at[c], k.groups.size());
    if (inserted) {
      ir::KernelGroup g;
      for (std::size_t m = 0; m < model.mechanisms.size(); ++m)
        if (at[c][m]) g.mechanisms.push_back(model.mechanisms[m].name);
      k.groups.push_back(std::move(g));
    }
    auto& runs = k.groups[it->second].runs;
    if (!runs.empty() && runs.back().second == c) ++runs.back().second;
    else runs.emplace_back(c, c + 1);
  }

  for (auto& g : k.groups) {
    // Latest value of every state as mechanisms are applied in order.
    std::unordered_map<std::string, ir::Expr> latest;
    auto current_value = [&](const ir::Node* n) -> ir::Expr {
      if (n->op != ir::Op::State) return {};
      auto it = latest.find(n->name);
      return it == latest.end() ? ir::Expr() : it->second;
    };
    std::vector<std::string> order;
    for (const auto& name : g.mechanisms) {
      const Mechanism& mech = *std::find_if(model.mechanisms.begin(), model.mechanisms.end(),
                                            [&](const Mechanism& m) { return m.name == name; });
      std::vector<std::pair<std::string, ir::Expr>> updates;
      for (const auto& u : mech.update) updates.emplace_back(u.name, ir::substitute(u.expr, current_value));
      for (auto& [s, e] : updates) {
        if (!latest.count(s)) order.push_back(s);
        latest[s] = e;
      }
    }
    for (const auto& s : order) g.new_states.push_back({s, latest.at(s)});
    // Currents read the updated states through leaves named "<state>'": the linearisation
    // perturbs v in the current only, not in the gate updates (as Jaxley does).
    auto updated_leaf = [&](const ir::Node* n) -> ir::Expr {
      if (n->op != ir::Op::State || !latest.count(n->name)) return {};
      return ir::state(n->name + ir::kUpdatedSuffix);
    };
    std::vector<std::pair<std::string, ir::Expr>> sums;
    for (const auto& name : g.mechanisms) {
      const Mechanism& mech = *std::find_if(model.mechanisms.begin(), model.mechanisms.end(),
                                            [&](const Mechanism& m) { return m.name == name; });
      ir::Expr i = ir::substitute(mech.current, updated_leaf);
      g.mechanism_currents.push_back({mech.name, i});
      auto it = std::find_if(sums.begin(), sums.end(), [&](const auto& p) { return p.first == mech.current_name; });
      if (it == sums.end()) sums.emplace_back(mech.current_name, i);
      else it->second = it->second + i;
    }
    for (auto& [n, e] : sums) g.currents.push_back({n, e});
  }
  return k;
}

}  // namespace ranvier::passes

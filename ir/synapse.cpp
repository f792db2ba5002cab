#include "ir/synapse.h"

#include <algorithm>

#include "ir/error.h"

namespace ranvier::ir {

Expr v_pre() { return state(kPreVoltage); }
Expr v_post() { return state(kPostVoltage); }

bool SynapseType::has_param(const std::string& n) const {
  return std::any_of(params.begin(), params.end(), [&](const NamedValue& p) { return p.name == n; });
}

bool SynapseType::has_state(const std::string& n) const {
  return std::any_of(states.begin(), states.end(), [&](const NamedValue& s) { return s.name == n; });
}

void SynapseType::validate() const {
  if (name.empty()) fail("synapse type has no name");
  if (!current.defined()) fail("synapse '{}' defines no current", name);
  std::vector<Expr> roots{current};
  for (const auto& u : update) {
    if (!has_state(u.name)) fail("synapse '{}' updates '{}', which is not one of its states", name, u.name);
    roots.push_back(u.expr);
  }
  for (const auto& p : leaf_names(roots, Op::Param))
    if (!has_param(p)) fail("synapse '{}' uses parameter '{}' that it does not declare", name, p);
  for (const auto& s : leaf_names(roots, Op::State))
    if (s != kPreVoltage && s != kPostVoltage && !has_state(s))
      fail("synapse '{}' uses state '{}' that it does not declare", name, s);
  if (!leaf_names(roots, Op::Voltage).empty() || !leaf_names(std::vector<Expr>{current}, Op::TimeStep).empty())
    fail("synapse '{}' must read voltages through v_pre()/v_post() and may use dt only in its update", name);
}

int SynapseGroup::column_index(const std::string& n) const {
  auto it = std::find(column_names.begin(), column_names.end(), n);
  return it == column_names.end() ? -1 : static_cast<int>(it - column_names.begin());
}

}  // namespace ranvier::ir

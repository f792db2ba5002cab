#include "ir/mechanism.h"

#include <algorithm>

#include "ir/abi.h"
#include "ir/error.h"
#include "ir/kernel.h"


namespace ranvier::ir {

bool Mechanism::has_param(const std::string& n) const {
  return std::any_of(params.begin(), params.end(), [&](const NamedValue& p) { return p.name == n; });
}

bool Mechanism::has_state(const std::string& n) const {
  return std::any_of(states.begin(), states.end(), [&](const NamedValue& s) { return s.name == n; });
}

bool Mechanism::writes_voltage() const {
  return std::any_of(update.begin(), update.end(), [](const NamedExpr& u) { return u.name == kVoltage; });
}

void Mechanism::validate() const {
  if (name.empty()) fail("mechanism has no name");
  if (!current.defined()) fail("mechanism '{}' defines no current", name);
  std::vector<Expr> roots{current};
  for (const auto& u : update) {
    if (!has_state(u.name) && u.name != kVoltage) fail("mechanism '{}' updates '{}', which is not one of its states", name, u.name);
    roots.push_back(u.expr);
  }
  for (const auto& i : init) {
    if (!has_state(i.name)) fail("mechanism '{}' initialises '{}', which is not one of its states", name, i.name);
    roots.push_back(i.expr);
  }
  for (const auto& p : ir::leaf_names(roots, ir::Op::Param))
    // The compartment's capacitance (uF/cm^2) is readable as in Jaxley (AdEx divides by it).
    if (!has_param(p) && p != kCapacitance) fail("mechanism '{}' uses parameter '{}' that it does not declare", name, p);
  for (const auto& s : ir::leaf_names(roots, ir::Op::State))
    if (!has_state(s)) fail("mechanism '{}' uses state '{}' that it does not declare", name, s);
}

}  // namespace ranvier::ir

#include "passes/fold_constants.h"

#include <unordered_map>

namespace ranvier::passes {

ir::Expr fold_constants(ir::Expr e) {
  ir::Expr roots[] = {e};
  std::unordered_map<const ir::Node*, ir::Expr> out;
  for (const ir::Node* n : ir::topological_order(roots)) {
    if (n->args.empty()) {
      out[n] = ir::Expr(n);
      continue;
    }
    std::vector<ir::Expr> args;
    std::vector<double> values;
    bool all_const = true;
    for (const ir::Node* a : n->args) {
      args.push_back(out.at(a));
      all_const &= args.back().is_const();
      if (args.back().is_const()) values.push_back(args.back().const_value());
    }
    out[n] = all_const ? ir::constant(ir::apply(n->op, values, n->value)) : ir::make(n->op, args, n->value, n->name);
  }
  return out.at(e.node());
}

ir::KernelIR fold_constants(ir::KernelIR k) {
  for (auto& g : k.groups) {
    for (auto& s : g.new_states) s.expr = fold_constants(s.expr);
    for (auto& c : g.currents) c.expr = fold_constants(c.expr);
    if (g.voltage_term.defined()) g.voltage_term = fold_constants(g.voltage_term);
    if (g.constant_term.defined()) g.constant_term = fold_constants(g.constant_term);
  }
  return k;
}

}  // namespace ranvier::passes

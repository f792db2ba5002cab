#include "ir/evaluate.h"

#include <unordered_map>

namespace ranvier::ir {

double evaluate(Expr e, const std::function<double(const Node*)>& leaf) {
  Expr roots[] = {e};
  std::unordered_map<const Node*, double> value;
  double args[3];
  for (const Node* n : topological_order(roots)) {
    if (n->op == Op::Const) {
      value[n] = n->value;
    } else if (n->args.empty()) {
      value[n] = leaf(n);
    } else {
      for (std::size_t i = 0; i < n->args.size(); ++i) args[i] = value.at(n->args[i]);
      value[n] = apply(n->op, std::span<const double>(args, n->args.size()), n->value);
    }
  }
  return value.at(e.node());
}

}  // namespace ranvier::ir

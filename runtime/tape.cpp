#include "runtime/tape.h"

#include <unordered_map>

#include "runtime/exp_reference.h"

namespace ranvier::runtime {

Tape::Tape(std::span<const ir::Expr> roots) {
  std::unordered_map<const ir::Node*, int> slot;
  std::vector<std::pair<int, double>> constants;
  for (const ir::Node* n : ir::topological_order(roots)) {
    int s = n_slots_++;
    slot[n] = s;
    switch (n->op) {
      case ir::Op::Const: constants.emplace_back(s, n->value); break;
      case ir::Op::Param:
      case ir::Op::State:
      case ir::Op::Voltage:
      case ir::Op::TimeStep: leaves_.push_back({s, n->op, n->name}); break;
      default: {
        Instr in{n->op, s, {0, 0, 0}, static_cast<int>(n->args.size()), n->value};
        for (std::size_t i = 0; i < n->args.size(); ++i) in.args[i] = slot.at(n->args[i]);
        code_.push_back(in);
      }
    }
  }
  // Constants are written by run() itself, so callers only fill leaves.
  for (auto [s, v] : constants) code_.insert(code_.begin(), Instr{ir::Op::Const, s, {0, 0, 0}, 0, v});
  for (ir::Expr r : roots) outputs_.push_back(slot.at(r.node()));
}

void Tape::run(double* slots, bool kernel_exp) const {
  double args[3];
  for (const Instr& in : code_) {
    if (in.op == ir::Op::Const) {
      slots[in.dst] = in.value;
      continue;
    }
    if (kernel_exp && in.op == ir::Op::Exp) {
      slots[in.dst] = exp_reference(slots[in.args[0]]);
      continue;
    }
    for (int i = 0; i < in.n_args; ++i) args[i] = slots[in.args[i]];
    slots[in.dst] = ir::apply(in.op, std::span<const double>(args, in.n_args), in.value);
  }
}

}  // namespace ranvier::runtime

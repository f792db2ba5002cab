#include "runtime/tape.h"

#include <unordered_map>

#include "ir/partials.h"
#include "ir/exp_reference.h"

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
    // The four arithmetic ops inline (the same IEEE operation as ir::apply), the rest through it.
    switch (in.op) {
      case ir::Op::Const: slots[in.dst] = in.value; continue;
      case ir::Op::Add: slots[in.dst] = slots[in.args[0]] + slots[in.args[1]]; continue;
      case ir::Op::Sub: slots[in.dst] = slots[in.args[0]] - slots[in.args[1]]; continue;
      case ir::Op::Mul: slots[in.dst] = slots[in.args[0]] * slots[in.args[1]]; continue;
      case ir::Op::Div: slots[in.dst] = slots[in.args[0]] / slots[in.args[1]]; continue;
      case ir::Op::Exp:
        if (kernel_exp) {
          slots[in.dst] = exp_reference(slots[in.args[0]]);
          continue;
        }
        break;
      default: break;
    }
    for (int i = 0; i < in.n_args; ++i) args[i] = slots[in.args[i]];
    slots[in.dst] = ir::apply(in.op, std::span<const double>(args, in.n_args), in.value);
  }
}

void Tape::backward(const double* slots, double* adjoint) const {
  double args[3], d[3];
  for (auto it = code_.rbegin(); it != code_.rend(); ++it) {
    const Instr& in = *it;
    if (in.op == ir::Op::Const) continue;
    const double a = adjoint[in.dst];
    // A zero cotangent contributes nothing; skipping it also keeps an infinite partial of
    // an unused branch from turning into 0 * inf = NaN.
    if (a == 0.0) continue;
    switch (in.op) {  // the common ops inline; the same rules as ir::partials
      case ir::Op::Add:
        adjoint[in.args[0]] += a;
        adjoint[in.args[1]] += a;
        continue;
      case ir::Op::Sub:
        adjoint[in.args[0]] += a;
        adjoint[in.args[1]] += -a;
        continue;
      case ir::Op::Mul:
        adjoint[in.args[0]] += a * slots[in.args[1]];
        adjoint[in.args[1]] += a * slots[in.args[0]];
        continue;
      case ir::Op::Exp: adjoint[in.args[0]] += a * slots[in.dst]; continue;
      default: break;
    }
    for (int i = 0; i < in.n_args; ++i) args[i] = slots[in.args[i]];
    ir::partials(in.op, std::span<const double>(args, in.n_args), in.value, slots[in.dst], d);
    for (int i = 0; i < in.n_args; ++i) adjoint[in.args[i]] += a * d[i];
  }
}

}  // namespace ranvier::runtime

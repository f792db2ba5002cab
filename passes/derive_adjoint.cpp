#include "passes/derive_adjoint.h"

#include <algorithm>
#include <set>
#include <string>

#include <fmt/ranges.h>

#include "ir/abi.h"
#include "ir/error.h"

namespace ranvier::passes {
namespace {

using ir::Expr;
using ir::Node;
using ir::Op;

bool differentiable_leaf(const Node* n) { return n->op == Op::Param || n->op == Op::State || n->op == Op::Voltage; }

// -a, without double negations (exact either way).
Expr negate(Expr a) {
  if (a.op() == Op::Neg) return a.arg(0);
  if (a.is_const()) return Expr(-a.const_value());
  return -a;
}

// a * c without the multiplications by 1 and -1 that a literal transcription would emit.
Expr scale(Expr a, double c) {
  if (c == 1.0) return a;
  if (c == -1.0) return negate(a);
  return a * ir::constant(c);
}

// a * x, folding a constant x.
Expr times(Expr a, Expr x) { return x.is_const() ? scale(a, x.const_value()) : a * x; }

// 1 / y for the reverse pass (within an ulp of it; gradients need no more): a constant folds,
// 1 / (1 / z) is z, anything else one hash-consed division shared by all its uses.
Expr reciprocal(Expr y) {
  if (y.is_const()) return Expr(1.0 / y.const_value());
  if (y.op() == Op::Div && y.arg(0).is_const() && y.arg(0).const_value() == 1.0) return y.arg(1);
  return Expr(1.0) / y;
}

// 1.0 where x == y, else 0.0 (NaN compares unequal), from the two comparisons the IR has.
Expr equal(Expr x, Expr y) { return ir::less_equal(x, y) * ir::less_equal(y, x); }

}  // namespace

std::unordered_map<const Node*, Expr> reverse_mode(std::span<const Expr> roots, std::span<const Expr> seeds) {
  RANVIER_ASSERT(roots.size() == seeds.size());
  const std::vector<const Node*> order = ir::topological_order(roots);
  // Only nodes that depend on a differentiable leaf carry cotangents.
  std::unordered_map<const Node*, bool> active;
  for (const Node* n : order) {
    bool a = differentiable_leaf(n);
    for (const Node* arg : n->args) a = a || active.at(arg);
    active[n] = a;
  }
  std::unordered_map<const Node*, std::vector<Expr>> shares;
  for (std::size_t i = 0; i < roots.size(); ++i)
    if (seeds[i].defined() && active.at(roots[i].node())) shares[roots[i].node()].push_back(seeds[i]);
  auto sum = [](const std::vector<Expr>& terms) {
    Expr s = terms.front();
    for (std::size_t i = 1; i < terms.size(); ++i) s = s + terms[i];
    return s;
  };

  std::unordered_map<const Node*, Expr> leaves;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node* n = *it;
    auto found = shares.find(n);
    if (found == shares.end()) continue;
    const Expr a = sum(found->second);
    shares.erase(found);
    if (differentiable_leaf(n)) {
      leaves[n] = a;
      continue;
    }
    const Expr r(n);
    auto arg = [&](int k) { return Expr(n->args[static_cast<std::size_t>(k)]); };
    auto give = [&](int k, Expr share) {
      if (active.at(n->args[static_cast<std::size_t>(k)])) shares[n->args[static_cast<std::size_t>(k)]].push_back(share);
    };
    const bool active1 = n->args.size() > 1 && active.at(n->args[1]);
    switch (n->op) {
      case Op::Add: give(0, a); give(1, a); break;
      case Op::Sub: give(0, a); give(1, negate(a)); break;
      case Op::Mul: give(0, times(a, arg(1))); give(1, times(a, arg(0))); break;
      case Op::Div: {
        // Reverse mode divides by y once per distinct y (its reciprocal is shared), or not at
        // all: 1 / c folds, 1 / (1 / z) is z, and d(1 / y)/dy is -r * r.
        const Expr q = times(a, reciprocal(arg(1)));
        give(0, q);
        if (active1) {
          const Expr x = arg(0);
          give(1, negate(x.is_const() && x.const_value() == 1.0 ? a * (r * r) : q * r));
        }
        break;
      }
      case Op::Neg: give(0, negate(a)); break;
      case Op::IntPow: {
        const int p = static_cast<int>(n->value);
        if (p == 1) give(0, a);
        else if (p >= 2) give(0, a * (ir::constant(p) * (p == 2 ? arg(0) : ir::ipow(arg(0), p - 1))));
        break;  // x^0: derivative 0
      }
      case Op::Pow:
        give(0, a * (arg(1) * ir::pow(arg(0), arg(1) - ir::constant(1.0))));
        if (active1) give(1, ir::select(equal(arg(0), 0.0), 0.0, a * (ir::log(arg(0)) * r)));
        break;
      case Op::Exp: give(0, a * r); break;
      case Op::Log: give(0, a / arg(0)); break;
      case Op::Tanh: give(0, a * (ir::constant(1.0) - r * r)); break;
      case Op::Sqrt: give(0, a * (ir::constant(0.5) / r)); break;
      case Op::Min:
      case Op::Max: {
        // The selected argument takes the cotangent, a tie splits it (JAX).
        const Expr tie = equal(arg(0), arg(1));
        const Expr first = n->op == Op::Min ? ir::less(arg(0), arg(1)) : ir::less(arg(1), arg(0));
        const Expr half = scale(a, 0.5);
        give(0, ir::select(tie, half, ir::select(first, a, 0.0)));
        give(1, ir::select(tie, half, ir::select(first, 0.0, a)));
        break;
      }
      case Op::Less:
      case Op::LessEq: break;  // piecewise constant
      case Op::Select:
        give(1, ir::select(arg(0), a, 0.0));
        give(2, ir::select(arg(0), 0.0, a));
        break;
      default: RANVIER_ASSERT(false && "reverse_mode: unexpected op");
    }
  }
  return leaves;
}

namespace {

// The adjoint of one elementwise body: `new_states` (state -> value after the step; a
// "<state>'" leaf in `outputs` is that value) and `outputs` (array -> value), both seeded by
// their cotangent arrays.
ir::AdjointGroup adjoint_body(const std::vector<ir::NamedExpr>& new_states, const std::vector<ir::NamedExpr>& outputs) {
  std::unordered_map<std::string, Expr> updated;
  for (const auto& s : new_states) updated[s.name + ir::kUpdatedSuffix] = s.expr;
  auto inline_updates = [&](Expr e) {
    return ir::substitute(e, [&](const Node* n) {
      if (n->op == Op::State)
        if (auto it = updated.find(n->name); it != updated.end()) return it->second;
      return Expr();
    });
  };
  std::vector<Expr> roots, seeds;
  std::set<std::string> written;
  for (const auto& s : new_states) {
    roots.push_back(s.expr);
    seeds.push_back(ir::param(ir::cotangent_array(s.name)));
    written.insert(s.name);
  }
  for (const auto& o : outputs) {
    roots.push_back(inline_updates(o.expr));
    seeds.push_back(ir::param(ir::cotangent_array(o.name)));
  }
  const auto leaves = reverse_mode(roots, seeds);
  auto adjoint_of = [&](Op op, const std::string& name) -> Expr {
    for (const auto& [node, adj] : leaves)
      if (node->op == op && (op == Op::Voltage || node->name == name)) return adj;
    return Expr();
  };
  ir::AdjointGroup out;
  // States: every state the body writes or reads.
  std::set<std::string> states(written);
  for (const auto& name : ir::leaf_names(roots, Op::State)) states.insert(name);
  for (const auto& s : states) {
    const std::string array = ir::cotangent_array(s);
    const Expr adj = adjoint_of(Op::State, s);
    Expr value = written.count(s) ? (adj.defined() ? adj : Expr(0.0)) : ir::param(array);
    if (!written.count(s) && adj.defined()) value = value + adj;
    out.outputs.push_back({array, value});
  }
  if (const Expr adj = adjoint_of(Op::Voltage, ""); adj.defined())
    out.outputs.push_back({ir::cotangent_array("v"), ir::param(ir::cotangent_array("v")) + adj});
  for (const auto& p : ir::leaf_names(roots, Op::Param)) {
    if (p.rfind(ir::kCotangentPrefix, 0) == 0) continue;  // a seed
    const Expr adj = adjoint_of(Op::Param, p);
    if (!adj.defined()) continue;
    const std::string array = ir::cotangent_array(p);
    out.outputs.push_back({array, p == ir::kExternalCurrent ? adj : ir::param(array) + adj});
  }
  return out;
}

}  // namespace

ir::KernelIR derive_adjoint(ir::KernelIR kernel) {
  kernel.adjoints.clear();
  kernel.synapse_adjoints.clear();
  for (const ir::KernelGroup& g : kernel.groups) {
    for (const auto& s : g.new_states)
      if (s.name == ir::kVoltage)
        fail_unsupported("ranvier: gradients of models with channels that write the voltage ({}) are not supported yet",
                         fmt::join(g.mechanisms, ", "));
    RANVIER_ASSERT(g.voltage_term.defined() && g.constant_term.defined() && "derive_adjoint runs after linearize");
    std::vector<ir::NamedExpr> outputs = g.currents;
    outputs.push_back({"__voltage_term", g.voltage_term});
    outputs.push_back({"__constant_term", g.constant_term});
    kernel.adjoints.push_back(adjoint_body(g.new_states, outputs));
  }
  for (const ir::SynapseKernel& k : kernel.synapses) kernel.synapse_adjoints.push_back(adjoint_body(k.new_states, k.outputs));
  return kernel;
}

}  // namespace ranvier::passes

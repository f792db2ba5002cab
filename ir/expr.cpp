#include "ir/expr.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "ir/error.h"

namespace ranvier::ir {
namespace {

std::size_t hash_combine(std::size_t h, std::size_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

std::size_t node_hash(const Node& n) {
  std::size_t h = std::hash<int>()(static_cast<int>(n.op));
  h = hash_combine(h, std::hash<std::uint64_t>()(std::bit_cast<std::uint64_t>(n.value)));
  h = hash_combine(h, std::hash<std::string>()(n.name));
  for (const Node* a : n.args) h = hash_combine(h, std::hash<const void*>()(a));
  return h;
}

struct NodePtrHash {
  std::size_t operator()(const Node* n) const { return n->hash; }
};
struct NodePtrEq {
  bool operator()(const Node* a, const Node* b) const {
    // Constants compare by bit pattern so that -0.0 and 0.0 (and NaNs) stay distinct.
    return a->op == b->op &&
           std::bit_cast<std::uint64_t>(a->value) == std::bit_cast<std::uint64_t>(b->value) &&
           a->name == b->name && a->args == b->args;
  }
};

// The process-wide interner. Nodes are never freed: a model's DAG is small and shared.
class Interner {
 public:
  const Node* intern(Node&& n) {
    n.hash = node_hash(n);
    std::lock_guard lock(mutex_);
    if (auto it = set_.find(&n); it != set_.end()) return *it;
    storage_.push_back(std::make_unique<Node>(std::move(n)));
    const Node* p = storage_.back().get();
    set_.insert(p);
    return p;
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<Node>> storage_;
  std::unordered_set<const Node*, NodePtrHash, NodePtrEq> set_;
};

Interner& interner() {
  static Interner instance;
  return instance;
}

}  // namespace

const char* op_name(Op op) {
  switch (op) {
    case Op::Const: return "const";
    case Op::Param: return "param";
    case Op::State: return "state";
    case Op::Voltage: return "v";
    case Op::TimeStep: return "dt";
    case Op::Add: return "add";
    case Op::Sub: return "sub";
    case Op::Mul: return "mul";
    case Op::Div: return "div";
    case Op::Neg: return "neg";
    case Op::IntPow: return "ipow";
    case Op::Pow: return "pow";
    case Op::Exp: return "exp";
    case Op::Log: return "log";
    case Op::Tanh: return "tanh";
    case Op::Sqrt: return "sqrt";
    case Op::Min: return "min";
    case Op::Max: return "max";
    case Op::Less: return "lt";
    case Op::LessEq: return "le";
    case Op::Select: return "select";
  }
  return "?";
}

int op_arity(Op op) {
  switch (op) {
    case Op::Const:
    case Op::Param:
    case Op::State:
    case Op::Voltage:
    case Op::TimeStep: return 0;
    case Op::Neg:
    case Op::IntPow:
    case Op::Exp:
    case Op::Log:
    case Op::Tanh:
    case Op::Sqrt: return 1;
    case Op::Select: return 3;
    default: return 2;
  }
}

Expr make(Op op, std::span<const Expr> args, double value, const std::string& name) {
  RANVIER_ASSERT(static_cast<int>(args.size()) == op_arity(op));
  Node n;
  n.op = op;
  n.value = value;
  n.name = name;
  n.args.reserve(args.size());
  for (Expr a : args) {
    RANVIER_ASSERT(a.defined());
    n.args.push_back(a.node());
  }
  return Expr(interner().intern(std::move(n)));
}

Expr::Expr(double c) : node_(constant(c).node()) {}

Expr constant(double c) { return make(Op::Const, {}, c); }
Expr param(const std::string& name) { return make(Op::Param, {}, 0.0, name); }
Expr state(const std::string& name) { return make(Op::State, {}, 0.0, name); }
Expr voltage() { return make(Op::Voltage, {}); }
Expr dt() { return make(Op::TimeStep, {}); }

namespace {
Expr binary(Op op, Expr a, Expr b) {
  Expr args[] = {a, b};
  return make(op, args);
}
Expr unary(Op op, Expr a, double value = 0.0) {
  Expr args[] = {a};
  return make(op, args, value);
}
}  // namespace

Expr operator+(Expr a, Expr b) { return binary(Op::Add, a, b); }
Expr operator-(Expr a, Expr b) { return binary(Op::Sub, a, b); }
Expr operator*(Expr a, Expr b) { return binary(Op::Mul, a, b); }
Expr operator/(Expr a, Expr b) { return binary(Op::Div, a, b); }
Expr operator-(Expr a) { return unary(Op::Neg, a); }
Expr exp(Expr a) { return unary(Op::Exp, a); }
Expr log(Expr a) { return unary(Op::Log, a); }
Expr tanh(Expr a) { return unary(Op::Tanh, a); }
Expr sqrt(Expr a) { return unary(Op::Sqrt, a); }
Expr pow(Expr a, Expr b) { return binary(Op::Pow, a, b); }
Expr ipow(Expr a, int n) {
  if (n < 1) fail("ipow: exponent must be a positive integer, got {}", n);
  return unary(Op::IntPow, a, n);
}
Expr min(Expr a, Expr b) { return binary(Op::Min, a, b); }
Expr max(Expr a, Expr b) { return binary(Op::Max, a, b); }
Expr less(Expr a, Expr b) { return binary(Op::Less, a, b); }
Expr less_equal(Expr a, Expr b) { return binary(Op::LessEq, a, b); }
Expr select(Expr cond, Expr if_true, Expr if_false) {
  Expr args[] = {cond, if_true, if_false};
  return make(Op::Select, args);
}

std::vector<const Node*> topological_order(std::span<const Expr> roots) {
  std::vector<const Node*> order;
  std::unordered_set<const Node*> seen;
  // Iterative post-order DFS; children are visited in argument order.
  std::vector<std::pair<const Node*, std::size_t>> stack;
  for (Expr r : roots) {
    if (!r.defined() || seen.count(r.node())) continue;
    stack.emplace_back(r.node(), 0);
    seen.insert(r.node());
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->args.size()) {
        const Node* c = n->args[i++];
        if (seen.insert(c).second) stack.emplace_back(c, 0);
      } else {
        order.push_back(n);
        stack.pop_back();
      }
    }
  }
  return order;
}

Expr substitute(Expr e, const std::function<Expr(const Node*)>& leaf) {
  Expr roots[] = {e};
  std::unordered_map<const Node*, Expr> done;
  for (const Node* n : topological_order(roots)) {
    if (Expr r = leaf(n); r.defined()) {
      done[n] = r;
      continue;
    }
    if (n->args.empty()) {
      done[n] = Expr(n);
      continue;
    }
    std::vector<Expr> args;
    bool changed = false;
    for (const Node* a : n->args) {
      args.push_back(done.at(a));
      changed |= args.back().node() != a;
    }
    done[n] = changed ? make(n->op, args, n->value, n->name) : Expr(n);
  }
  return done.at(e.node());
}

std::vector<std::string> leaf_names(std::span<const Expr> roots, Op kind) {
  std::vector<std::string> names;
  for (const Node* n : topological_order(roots))
    if (n->op == kind) names.push_back(n->name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

namespace {
std::string leaf_text(const Node* n) {
  switch (n->op) {
    case Op::Const: return fmt::format("{}", n->value);
    case Op::Param: return "$" + n->name;
    case Op::State: return "@" + n->name;
    case Op::Voltage: return "v";
    case Op::TimeStep: return "dt";
    default: return {};
  }
}
}  // namespace

std::string print(std::span<const std::pair<std::string, Expr>> named_roots) {
  std::vector<Expr> roots;
  for (const auto& [name, e] : named_roots) roots.push_back(e);
  std::unordered_map<const Node*, std::string> ref;
  std::string out;
  int next = 0;
  for (const Node* n : topological_order(roots)) {
    if (n->args.empty()) {
      ref[n] = leaf_text(n);
      continue;
    }
    std::string name = fmt::format("%{}", next++);
    std::string line = fmt::format("  {} = {}(", name, op_name(n->op));
    for (std::size_t i = 0; i < n->args.size(); ++i) line += (i ? ", " : "") + ref.at(n->args[i]);
    if (n->op == Op::IntPow) line += fmt::format(", {}", static_cast<int>(n->value));
    out += line + ")\n";
    ref[n] = name;
  }
  for (const auto& [name, e] : named_roots) out += fmt::format("  {} := {}\n", name, ref.at(e.node()));
  return out;
}

std::string print(Expr e) {
  std::pair<std::string, Expr> root[] = {{"result", e}};
  return print(root);
}

double apply(Op op, std::span<const double> a, double value) {
  switch (op) {
    case Op::Add: return a[0] + a[1];
    case Op::Sub: return a[0] - a[1];
    case Op::Mul: return a[0] * a[1];
    case Op::Div: return a[0] / a[1];
    case Op::Neg: return -a[0];
    case Op::IntPow: {
      // Binary exponentiation in the order of JAX's integer_pow, so rounding matches.
      double x = a[0], acc = 0.0;
      bool have = false;
      for (int y = static_cast<int>(value); y > 0;) {
        if (y & 1) {
          acc = have ? acc * x : x;
          have = true;
        }
        y >>= 1;
        if (y > 0) x = x * x;
      }
      return acc;
    }
    case Op::Pow: return std::pow(a[0], a[1]);
    case Op::Exp: return std::exp(a[0]);
    case Op::Log: return std::log(a[0]);
    case Op::Tanh: return std::tanh(a[0]);
    case Op::Sqrt: return std::sqrt(a[0]);
    // jnp.minimum / maximum propagate NaN.
    case Op::Min: return (std::isnan(a[0]) || std::isnan(a[1])) ? std::numeric_limits<double>::quiet_NaN() : (a[1] < a[0] ? a[1] : a[0]);
    case Op::Max: return (std::isnan(a[0]) || std::isnan(a[1])) ? std::numeric_limits<double>::quiet_NaN() : (a[1] > a[0] ? a[1] : a[0]);
    case Op::Less: return a[0] < a[1] ? 1.0 : 0.0;
    case Op::LessEq: return a[0] <= a[1] ? 1.0 : 0.0;
    case Op::Select: return a[0] != 0.0 ? a[1] : a[2];
    default: RANVIER_ASSERT(false && "apply() called on a leaf");
  }
}

}  // namespace ranvier::ir

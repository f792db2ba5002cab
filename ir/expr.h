#pragma once
// The expression DAG: immutable, hash-consed nodes. Equal subexpressions are one node, so
// common-subexpression elimination is free and structural equality is pointer equality.
//
// Leaves are constants, named parameters, named states, the membrane voltage `v` (mV) and the
// time step `dt` (ms). Mechanisms (channels) are written as C++ expressions over `Expr`
// handles; the passes and backends only ever see these nodes.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace ranvier::ir {

enum class Op : std::uint8_t {
  // leaves
  Const,
  Param,    // a named parameter (runtime input), e.g. "HH_gNa"
  State,    // a named state, e.g. "HH_m"
  Voltage,  // membrane voltage v (mV)
  TimeStep, // dt (ms)
  // arithmetic
  Add,
  Sub,
  Mul,
  Div,
  Neg,
  IntPow,  // x ** n for a small integer n (as JAX's integer_pow: binary exponentiation)
  Pow,     // x ** y
  Exp,
  Log,
  Tanh,
  Sqrt,
  Min,
  Max,
  // comparisons yield 1.0 / 0.0; Select(c, a, b) = c != 0 ? a : b
  Less,
  LessEq,
  Select,
};

const char* op_name(Op op);
int op_arity(Op op);

struct Node {
  Op op;
  double value = 0.0;          // Const: the value; IntPow: the exponent
  std::string name;            // Param / State: the full name
  std::vector<const Node*> args;
  std::size_t hash = 0;
};

// A handle on a hash-consed node. Cheap to copy; nodes live as long as the process.
class Expr {
 public:
  Expr() = default;
  Expr(double c);  // NOLINT(google-explicit-constructor): lets users write 0.1 * x
  explicit Expr(const Node* n) : node_(n) {}

  const Node* node() const { return node_; }
  Op op() const { return node_->op; }
  bool defined() const { return node_ != nullptr; }
  bool is_const() const { return node_ && node_->op == Op::Const; }
  double const_value() const { return node_->value; }
  const std::string& name() const { return node_->name; }
  std::size_t arity() const { return node_->args.size(); }
  Expr arg(std::size_t i) const { return Expr(node_->args[i]); }

  friend bool operator==(Expr a, Expr b) { return a.node_ == b.node_; }

 private:
  const Node* node_ = nullptr;
};

// Construction. These never simplify: a DAG built from Jaxley's formulas evaluates with
// exactly Jaxley's sequence of floating-point operations. Simplification is a pass.
Expr make(Op op, std::span<const Expr> args, double value = 0.0, const std::string& name = {});
Expr constant(double c);
Expr param(const std::string& name);
Expr state(const std::string& name);
Expr voltage();
Expr dt();

Expr operator+(Expr a, Expr b);
Expr operator-(Expr a, Expr b);
Expr operator*(Expr a, Expr b);
Expr operator/(Expr a, Expr b);
Expr operator-(Expr a);
Expr exp(Expr a);
Expr log(Expr a);
Expr tanh(Expr a);
Expr sqrt(Expr a);
Expr pow(Expr a, Expr b);
Expr ipow(Expr a, int n);
Expr min(Expr a, Expr b);
Expr max(Expr a, Expr b);
Expr less(Expr a, Expr b);
Expr less_equal(Expr a, Expr b);
Expr select(Expr cond, Expr if_true, Expr if_false);

// Nodes of the DAGs rooted at `roots`, each once, children before parents (a valid
// evaluation order). Deterministic for a given set of roots.
std::vector<const Node*> topological_order(std::span<const Expr> roots);

// Rebuild `e` bottom-up, replacing each node n for which `leaf(n)` returns a defined Expr.
Expr substitute(Expr e, const std::function<Expr(const Node*)>& leaf);

// The names of all Param / State leaves in the DAGs, sorted and unique.
std::vector<std::string> leaf_names(std::span<const Expr> roots, Op kind);

// Stable, readable text: one let-binding per shared or compound node, numbered in evaluation
// order ("%3 = exp(%2)"), then the named roots.
std::string print(std::span<const std::pair<std::string, Expr>> named_roots);
std::string print(Expr e);

// Apply the operation to scalar doubles: the single definition of each op's arithmetic, used
// by the reference interpreter and constant folding (backends must emit the same sequence).
double apply(Op op, std::span<const double> args, double value);

}  // namespace ranvier::ir

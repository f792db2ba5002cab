// passes/derive_adjoint: the symbolic reverse mode the compiled gradients are built from,
// against ir::partials (every op, at kinks too) and against the interpreter's tape
// (runtime/tape.h) on composite expressions; and the derived adjoint of a real fused kernel.
#include <cmath>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "ir/evaluate.h"
#include "ir/partials.h"
#include "passes/derive_adjoint.h"
#include "passes/pipeline.h"
#include "runtime/tape.h"

namespace ranvier::passes {
namespace {

using ir::Expr;
using ir::Op;

double eval(Expr e, const std::map<std::string, double>& values) {
  return ir::evaluate(e, [&](const ir::Node* n) { return values.at(n->name); });
}

// d op(args) / d args[i] from reverse_mode with seed 1, evaluated at `x`.
std::vector<double> symbolic_partials(Op op, const std::vector<double>& x, double value) {
  const char* names[] = {"x0", "x1", "x2"};
  std::vector<Expr> args;
  std::map<std::string, double> values;
  for (std::size_t i = 0; i < x.size(); ++i) {
    args.push_back(ir::param(names[i]));
    values[names[i]] = x[i];
  }
  const Expr f = ir::make(op, args, value);
  const Expr roots[] = {f};
  const Expr seeds[] = {Expr(1.0)};
  const auto adj = reverse_mode(roots, seeds);
  std::vector<double> d;
  for (const Expr& a : args) {
    auto it = adj.find(a.node());
    d.push_back(it == adj.end() ? 0.0 : eval(it->second, values));
  }
  return d;
}

void expect_partials(Op op, std::vector<double> x, double value = 0.0) {
  double want[3];
  ir::partials(op, x, value, ir::apply(op, x, value), want);
  const std::vector<double> got = symbolic_partials(op, x, value);
  for (std::size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 4e-16 * std::abs(want[i])) << ir::op_name(op) << " argument " << i << " at x0 = " << x[0];
}

TEST(DeriveAdjoint, EveryOpFollowsPartials) {
  expect_partials(Op::Add, {1.5, -2.0});
  expect_partials(Op::Sub, {1.5, -2.0});
  expect_partials(Op::Mul, {1.5, -2.0});
  expect_partials(Op::Div, {1.5, -2.0});
  expect_partials(Op::Neg, {0.7});
  for (int n : {0, 1, 2, 3, 4}) expect_partials(Op::IntPow, {-1.3}, n);
  expect_partials(Op::Pow, {1.7, 2.5});
  expect_partials(Op::Pow, {0.0, 2.5});  // d/dy at x = 0 is 0 (not log(0) * 0)
  expect_partials(Op::Exp, {-0.4});
  expect_partials(Op::Log, {2.3});
  expect_partials(Op::Tanh, {0.3});
  expect_partials(Op::Sqrt, {2.3});
  for (Op op : {Op::Min, Op::Max}) {
    expect_partials(op, {1.0, 2.0});
    expect_partials(op, {3.0, 2.0});
    expect_partials(op, {2.0, 2.0});  // a tie splits the cotangent
  }
  expect_partials(Op::Select, {1.0, 2.0, 3.0});
  expect_partials(Op::Select, {0.0, 2.0, 3.0});
  expect_partials(Op::Less, {1.0, 2.0});
  expect_partials(Op::LessEq, {2.0, 2.0});
}

// Select, Min and Max route the cotangent: the unselected branch gets an exact zero.
TEST(DeriveAdjoint, UnselectedBranchGetsExactZero) {
  const Expr x = ir::param("x");
  const Expr f = ir::select(ir::less(x, 1.0), 3.0 * x, ir::log(x)) + ir::exp(ir::min(x, 2.0));
  const Expr roots[] = {f};
  const Expr seeds[] = {Expr(1.0)};
  const auto adj = reverse_mode(roots, seeds);
  EXPECT_EQ(eval(adj.at(x.node()), {{"x", 0.5}}), 3.0 + std::exp(0.5));  // log branch and min's 2.0 unselected
  EXPECT_EQ(eval(adj.at(x.node()), {{"x", 4.0}}), 0.25);                  // 3 x and min's x unselected
}

// Several roots sharing subexpressions, each with its own seed, against the tape.
TEST(DeriveAdjoint, CompositeExpressionsMatchTheTape) {
  const Expr x = ir::param("x"), y = ir::state("y"), v = ir::voltage();
  const Expr shared = ir::exp(ir::min(-(v + 40.0) / 10.0, 20.0));
  const Expr a = 0.1 * (v + 40.0) / (shared - 1.0) * ir::ipow(y, 3) + ir::tanh(x * y);
  const Expr b = ir::sqrt(x * x + 1.0) / shared - ir::pow(ir::max(y, 0.5), x);
  const Expr roots[] = {a, b};
  const Expr seeds[] = {ir::param("seed_a"), ir::param("seed_b")};
  const std::map<std::string, double> values = {{"x", 0.8}, {"y", 0.6}, {"seed_a", 1.7}, {"seed_b", -0.3}};
  const double v0 = -62.5;
  auto value_of = [&](const ir::Node* n) { return n->op == Op::Voltage ? v0 : values.at(n->name); };
  const auto adj = reverse_mode(roots, seeds);

  runtime::Tape tape(roots);
  std::vector<double> slots(static_cast<std::size_t>(tape.n_slots())), back(slots.size(), 0.0);
  for (const auto& leaf : tape.leaves()) slots[static_cast<std::size_t>(leaf.slot)] = leaf.op == Op::Voltage ? v0 : values.at(leaf.name);
  tape.run(slots.data());
  back[static_cast<std::size_t>(tape.output(0))] = values.at("seed_a");
  back[static_cast<std::size_t>(tape.output(1))] = values.at("seed_b");
  tape.backward(slots.data(), back.data());
  int checked = 0;
  for (const auto& leaf : tape.leaves()) {
    const ir::Node* node = leaf.op == Op::Voltage ? v.node() : leaf.op == Op::State ? y.node() : x.node();
    const double want = back[static_cast<std::size_t>(leaf.slot)];
    const double got = ir::evaluate(adj.at(node), value_of);
    EXPECT_NEAR(got, want, 1e-14 * std::abs(want)) << ir::op_name(leaf.op) << " " << leaf.name;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

// The adjoint of HH's fused body: one output per state (read and written), v, and every
// parameter it depends on; the external current's cotangent is written, not accumulated.
TEST(DeriveAdjoint, HodgkinHuxleyGroupHasEveryCotangent) {
  Cell cell;
  cell.insert(channels::HH());
  const ir::KernelIR k = derive_adjoint(lower(cell.lower(), {}).program.kernel);
  ASSERT_EQ(k.adjoints.size(), k.groups.size());
  std::map<std::string, Expr> out;
  for (const auto& o : k.adjoints[0].outputs) out[o.name] = o.expr;
  for (const char* name : {"HH_m", "HH_h", "HH_n", "v", "HH_gNa", "HH_gK", "HH_gLeak", "HH_eNa", "HH_eK", "HH_eLeak",
                           "capacitance", "__i_ext"})
    EXPECT_TRUE(out.count(ir::cotangent_array(name))) << name;
  EXPECT_FALSE(out.count(ir::cotangent_array("i_HH")));  // cleared by the runtime
  // d/d i_ext of constant_term = (cst 1000 + i_ext) / cm is seed / cm.
  const Expr g_iext = out.at(ir::cotangent_array("__i_ext"));
  const double got = ir::evaluate(g_iext, [](const ir::Node* n) {
    if (n->name == ir::cotangent_array("__constant_term")) return 3.0;
    if (n->name == "capacitance") return 2.0;
    return 0.25;
  });
  EXPECT_DOUBLE_EQ(got, 1.5);
}

}  // namespace
}  // namespace ranvier::passes

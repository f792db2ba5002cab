// ir::partials (the local derivative of every op, used by the adjoint) against central
// differences of ir::apply at points away from kinks, and JAX's conventions at the kinks.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "ir/expr.h"
#include "ir/partials.h"

namespace ranvier::ir {
namespace {

void expect_matches_differences(Op op, std::vector<double> x, double value = 0.0) {
  double d[3];
  const double y = apply(op, x, value);
  partials(op, x, value, y, d);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double h = 1e-6 * std::max(1.0, std::abs(x[i]));
    std::vector<double> plus = x, minus = x;
    plus[i] += h;
    minus[i] -= h;
    const double fd = (apply(op, plus, value) - apply(op, minus, value)) / (2.0 * h);
    EXPECT_NEAR(d[i], fd, 1e-7 * std::max(1.0, std::abs(fd))) << op_name(op) << " argument " << i;
  }
}

TEST(Partials, MatchCentralDifferencesOfApply) {
  expect_matches_differences(Op::Add, {1.5, -2.0});
  expect_matches_differences(Op::Sub, {1.5, -2.0});
  expect_matches_differences(Op::Mul, {1.5, -2.0});
  expect_matches_differences(Op::Div, {1.5, -2.0});
  expect_matches_differences(Op::Neg, {0.7});
  expect_matches_differences(Op::IntPow, {0.7}, 3.0);
  expect_matches_differences(Op::IntPow, {-1.3}, 4.0);
  expect_matches_differences(Op::IntPow, {-1.3}, 1.0);
  expect_matches_differences(Op::Pow, {1.7, 2.5});
  expect_matches_differences(Op::Exp, {-0.4});
  expect_matches_differences(Op::Log, {2.3});
  expect_matches_differences(Op::Tanh, {0.3});
  expect_matches_differences(Op::Sqrt, {2.3});
  expect_matches_differences(Op::Min, {1.0, 2.0});
  expect_matches_differences(Op::Min, {3.0, 2.0});
  expect_matches_differences(Op::Max, {1.0, 2.0});
  expect_matches_differences(Op::Max, {3.0, 2.0});
  expect_matches_differences(Op::Select, {1.0, 2.0, 3.0});
  expect_matches_differences(Op::Select, {0.0, 2.0, 3.0});
  expect_matches_differences(Op::Less, {1.0, 2.0});
}

TEST(Partials, JaxConventionsAtKinks) {
  double d[3];
  std::vector<double> tie = {2.0, 2.0};
  partials(Op::Min, tie, 0.0, 2.0, d);
  EXPECT_EQ(d[0], 0.5);  // jnp.minimum splits the cotangent at a tie
  EXPECT_EQ(d[1], 0.5);
  std::vector<double> zero = {0.0};
  partials(Op::IntPow, zero, 0.0, 1.0, d);
  EXPECT_EQ(d[0], 0.0);  // x ** 0
  std::vector<double> cond = {1.0, 5.0, 6.0};
  partials(Op::Select, cond, 0.0, 5.0, d);
  EXPECT_EQ(d[0], 0.0);
  EXPECT_EQ(d[1], 1.0);
  EXPECT_EQ(d[2], 0.0);
}

}  // namespace
}  // namespace ranvier::ir

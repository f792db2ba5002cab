// NEURON's d_lambda rule (frontend/d_lambda.h) against hand-computed values.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "frontend/d_lambda.h"
#include "frontend/read_swc.h"
#include "ir/error.h"
#include "test_support.h"

namespace ranvier {
namespace {

TEST(DLambda, LambdaF) {
  // 1e5 * sqrt(1 / (4 pi 100 * 100 * 1)) = 282.0947917738781 um
  EXPECT_NEAR(lambda_f(1.0, 100.0, 1.0, 100.0), 282.0947917738781, 1e-9);
  EXPECT_NEAR(lambda_f(2.0, 100.0, 1.0, 100.0), 398.9422804014327, 1e-9);
  EXPECT_NEAR(lambda_f(4.0, 35.4, 1.0, 100.0), 1e5 * std::sqrt(4.0 / (4 * std::numbers::pi * 100 * 35.4)), 1e-9);
}

TEST(DLambda, NsegHandComputed) {
  // L 200, d 1: 200 / 28.209 = 7.090; (7.090 + 0.9) / 2 = 3.99 -> 3 -> 7
  EXPECT_EQ(d_lambda_nseg(200.0, 1.0, 100.0, 1.0), 7);
  // L 1000, d 2: 1000 / 39.894 = 25.07; 25.97 / 2 -> 12 -> 25
  EXPECT_EQ(d_lambda_nseg(1000.0, 2.0, 100.0, 1.0), 25);
  // L 10, d 1: 0.354 + 0.9 -> 0 -> 1
  EXPECT_EQ(d_lambda_nseg(10.0, 1.0, 100.0, 1.0), 1);
  EXPECT_EQ(d_lambda_nseg(0.0, 1.0, 100.0, 1.0), 1);
  // Boundary: L / (d_lambda lambda) = 1.1 exactly -> (1.1 + 0.9) / 2 = 1 -> 3.
  const double lam = lambda_f(1.0, 100.0, 1.0, 100.0);
  EXPECT_EQ(d_lambda_nseg(1.1 * 0.1 * lam * (1 + 1e-12), 1.0, 100.0, 1.0), 3);
  EXPECT_EQ(d_lambda_nseg(1.1 * 0.1 * lam * (1 - 1e-9), 1.0, 100.0, 1.0), 1);
  // d_lambda 0.3 and 1000 Hz: lambda_1000 = 89.206 um; 500 / 26.76 = 18.68 -> 19.58 / 2 -> 9 -> 19
  EXPECT_EQ(d_lambda_nseg(500.0, 1.0, 100.0, 1.0, 1000.0, 0.3), 19);
  EXPECT_THROW(d_lambda_nseg(10.0, 0.0, 100.0, 1.0), Error);
  EXPECT_THROW(d_lambda_nseg(10.0, 1.0, 100.0, 1.0, 100.0, 0.0), Error);
}

TEST(DLambda, PerBranchOfACell) {
  // Branch 0: 4 comps of 50 um, r 0.5 (L 200, d 1) -> 7. Branch 1: 1 comp of 1000 um, r 1 -> 25.
  // Branch 2: 2 comps of 5 um, r 0.5 -> 1.
  Compartment c;
  Cell cell({Branch(c, 4), Branch(c, 1), Branch(c, 2)}, {-1, 0, 0});
  cell.set("axial_resistivity", 100.0);
  cell.branch(0).set("length", 50.0);
  cell.branch(0).set("radius", 0.5);
  cell.branch(1).set("length", 1000.0);
  cell.branch(1).set("radius", 1.0);
  cell.branch(2).set("length", 5.0);
  cell.branch(2).set("radius", 0.5);
  EXPECT_EQ(d_lambda_ncomp(cell), (std::vector<int>{7, 25, 1}));
  // Non-uniform branch: comps (100 um, d 1) and (100 um, d 4): electrotonic length
  // 100/282.09 + 100/564.19 = 0.53174 lambda -> 5.3174 + 0.9 = 6.217 / 2 -> 3 -> 7.
  Cell two(Branch(c, 2));
  two.set("axial_resistivity", 100.0);
  two.set("length", 100.0);
  two.comp(0).set("radius", 0.5);
  two.comp(1).set("radius", 2.0);
  EXPECT_EQ(d_lambda_ncomp(two), std::vector<int>{7});
  // Capacitance enters as Ra * cm: cm 4 halves lambda -> 200 um at d 1 is 14.18 lambda/10 -> 15.
  cell.set("capacitance", 4.0);
  EXPECT_EQ(d_lambda_ncomp(cell)[0], 15);
}

TEST(DLambda, SwcCellOneCountPerBranch) {
  const std::string path = test::shared_dir() + "/data/morphologies/morph_ca1_n120.swc";
  swc::ReadOptions o;
  o.ncomp = 1;
  Cell cell = ranvier::read_swc(path, o);
  cell.set("axial_resistivity", 100.0);
  const auto n = d_lambda_ncomp(cell);
  ASSERT_EQ(static_cast<int>(n.size()), cell.n_branches());
  const auto& L = cell.column("length");
  const auto& r = cell.column("radius");
  for (int b = 0; b < cell.n_branches(); ++b) {
    EXPECT_EQ(n[b] % 2, 1);
    EXPECT_EQ(n[b], d_lambda_nseg(L[b], 2 * r[b], 100.0, 1.0)) << "branch " << b;
  }
}

}  // namespace
}  // namespace ranvier

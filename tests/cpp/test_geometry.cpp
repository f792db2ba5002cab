// Coordinates kept in the C++ module (frontend/geometry.cpp) and path distances: hand-computed
// expectations (Jaxley's own numbers are checked from Python, tests/python/test_geometry.py).
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "frontend/module.h"
#include "frontend/network.h"
#include "ir/error.h"

namespace ranvier {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Lengths 10 um (the default): branch 0 = comps 0, 1; children 1 (comps 2, 3) and 2 (comps 4, 5).
Cell three_branch_cell() { return Cell(Branch(Compartment(), 2), {-1, 0, 0}); }

TEST(Geometry, PathDistanceSiblingsMeetAtTheirBranchpoint) {
  Cell cell = three_branch_cell();
  cell.branch(2).set("length", 4.0);
  const auto d = cell.path_distance(2);  // first compartment of branch 1
  EXPECT_EQ(d[2], 0.0);
  EXPECT_EQ(d[3], 10.0);
  EXPECT_EQ(d[1], 10.0);
  EXPECT_EQ(d[0], 20.0);
  // Through the branchpoint: half of comp 2 plus half of comp 4, not via comp 1's centre.
  EXPECT_EQ(d[4], 5.0 + 2.0);
  EXPECT_EQ(d[5], 5.0 + 2.0 + 4.0);
}

TEST(Geometry, PathDistanceToOtherCellsIsMinusOne) {
  Network net({three_branch_cell(), three_branch_cell()});
  const auto d = net.path_distance(0);
  EXPECT_EQ(d[5], 10.0 + 10.0 + 10.0);  // 0 -> 1 -> branchpoint -> 4 -> 5
  for (int c = 6; c < 12; ++c) EXPECT_EQ(d[c], -1.0) << c;
}

TEST(Geometry, XyzrTracedOnlyWithEveryRadius) {
  Cell cell = three_branch_cell();
  EXPECT_TRUE(cell.xyzr(1).empty());
  EXPECT_FALSE(cell.has_traced_xyzr(1));
  cell.set_xyzr(1, {{0.0, 0.0, 0.0, kNaN}, {20.0, 0.0, 0.0, kNaN}});
  EXPECT_EQ(cell.xyzr(1).size(), 2u);
  EXPECT_FALSE(cell.has_traced_xyzr(1));  // computed layout: the branch stays a cylinder
  cell.set_xyzr(1, {{0.0, 0.0, 0.0, 1.0}, {20.0, 0.0, 0.0, 2.0}});
  EXPECT_TRUE(cell.has_traced_xyzr(1));
  EXPECT_THROW(cell.set_xyzr(3, {{0.0, 0.0, 0.0, 1.0}}), Error);
  EXPECT_THROW(cell.set_xyzr(0, {}), Error);
}

TEST(Geometry, SetNcompUsesTracedRadiiOnlyWhenKnown) {
  Cell built = three_branch_cell(), traced = three_branch_cell();
  built.set_xyzr(1, {{0.0, 0.0, 0.0, kNaN}, {20.0, 0.0, 0.0, kNaN}});
  traced.set_xyzr(1, {{0.0, 0.0, 0.0, 2.0}, {20.0, 0.0, 0.0, 2.0}});
  built.branch(1).set_ncomp(4);
  traced.branch(1).set_ncomp(4);
  EXPECT_EQ(built.column("radius")[2], 1.0);   // um, the branch's radius
  EXPECT_EQ(traced.column("radius")[2], 2.0);  // um, from the traced points
  EXPECT_NEAR(traced.column("area")[2], 2.0 * M_PI * 2.0 * 5.0, 1e-9);  // um^2, 20 um / 4 comps
}

TEST(Geometry, SetCoordinatesCreatesColumns) {
  Cell cell = three_branch_cell();
  EXPECT_FALSE(cell.has_column("x"));
  cell.set_coordinates({1, 4}, {{{1.0, 2.0, 3.0}}, {{4.0, 5.0, 6.0}}});
  EXPECT_EQ(cell.column("y")[4], 5.0);
  EXPECT_TRUE(std::isnan(cell.column("x")[0]));
  EXPECT_THROW(cell.set_coordinates({7}, {{{0.0, 0.0, 0.0}}}), Error);
  EXPECT_THROW(cell.set_coordinates({1}, {}), Error);
}

}  // namespace
}  // namespace ranvier

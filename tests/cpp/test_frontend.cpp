// The frontend against hand-computed Jaxley values: step-current lengths and windows (Python
// float semantics), loc() digitize, comp(j) on a whole cell, record de-duplication, insert and
// set, cylinder geometry, init_states, make_trainable groups, the model IR's edges and axial
// conductances (SEMANTICS §2.3), integrate's output shape, and continuation via all_states.
#include <cmath>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "frontend/stimulus.h"
#include "ir/error.h"
#include "api/integrate.h"
#include "runtime/prepare.h"

namespace ranvier {
namespace {

constexpr double kPi = std::numbers::pi;

// Indices k with x[k] == value.
std::vector<int> where(const std::vector<double>& x, double value) {
  std::vector<int> out;
  for (std::size_t k = 0; k < x.size(); ++k)
    if (x[k] == value) out.push_back(static_cast<int>(k));
  return out;
}

// [a, b)
std::vector<int> range(int a, int b) {
  std::vector<int> out;
  for (int k = a; k < b; ++k) out.push_back(k);
  return out;
}

// --- step currents -----------------------------------------------------------------------
// jx.step_current: length int(t_max // dt) + 2, amplitude on [int(i_delay/dt), int((i_delay+i_dur)/dt)).

TEST(Frontend, StepCurrentLengthAndWindow) {
  // 10.0 // 0.025 == 399.0 in Python (0.025 is slightly above 1/40): 401 samples;
  // int(1/0.025) = 40, int(6/0.025) = 240.
  auto i = step_current(1.0, 5.0, 0.2, 0.025, 10.0);
  EXPECT_EQ(i.size(), 401u);
  EXPECT_EQ(where(i, 0.2), range(40, 240));
  EXPECT_EQ(where(i, 0.0).size(), 401u - 200u);
  // Exactly representable step: 10.0 // 1.0 == 10 -> 12 samples.
  auto j = step_current(2.0, 3.0, 1.0, 1.0, 10.0);
  EXPECT_EQ(j.size(), 12u);
  EXPECT_EQ(where(j, 1.0), range(2, 5));
  // 0.3 // 0.1 == 2.0 (not 3): 4 samples.
  EXPECT_EQ(step_current(0.0, 0.3, 1.0, 0.1, 0.3).size(), 4u);
  // Truncating divisions: int(0.7/0.1) = int(6.999999999999999) = 6, int((0.7+0.3)/0.1) = 10;
  // 2.0 // 0.1 == 19.0 -> 21 samples.
  auto k = step_current(0.7, 0.3, 1.0, 0.1, 2.0);
  EXPECT_EQ(k.size(), 21u);
  EXPECT_EQ(where(k, 1.0), range(6, 10));
  // int(0.1/0.025) = 4, int((0.1+0.2)/0.025) = int(12.000000000000002) = 12; 1.0 // 0.025 = 39.
  auto l = step_current(0.1, 0.2, 0.5, 0.025, 1.0);
  EXPECT_EQ(l.size(), 41u);
  EXPECT_EQ(where(l, 0.5), range(4, 12));
  // The window is clipped at the end of the array; the offset fills the rest.
  auto m = step_current(8.0, 5.0, 0.3, 0.025, 10.0, -0.01);
  EXPECT_EQ(m.size(), 401u);
  EXPECT_EQ(where(m, 0.3), range(320, 401));
  EXPECT_EQ(where(m, -0.01), range(0, 320));
  // A window starting after the end sets nothing.
  auto n = step_current(20.0, 5.0, 0.3, 0.025, 10.0);
  EXPECT_TRUE(where(n, 0.3).empty());
  // t_max = 0: 0 // dt = 0 -> 2 samples.
  EXPECT_EQ(step_current(0.0, 1.0, 0.3, 0.025, 0.0).size(), 2u);
}

TEST(Frontend, DatapointToStepCurrents) {
  const std::vector<double> amps = {0.1, 0.2, 0.3};
  auto rows = datapoint_to_step_currents(1.0, 5.0, amps, 0.025, 10.0);
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), 401u);
    EXPECT_EQ(where(rows[r], amps[r]), range(40, 240)) << "row " << r;
    EXPECT_EQ(rows[r], step_current(1.0, 5.0, amps[r], 0.025, 10.0));
  }
}

// --- views -------------------------------------------------------------------------------

TEST(Frontend, LocDigitize) {
  // loc(x) -> digitize(x, linspace(0, 1 + 1e-10, ncomp + 1)) - 1; the 1e-10 moves the bin
  // edges just above k/ncomp, so x = 0.5 on two compartments is still comp 0.
  Cell cell(std::vector<Branch>{Branch(Compartment(), 2), Branch(Compartment(), 4)}, {-1, 0});
  auto comps = [](const View& v) { return v.comps(); };
  EXPECT_EQ(comps(cell.branch(0).loc(0.5)), std::vector<int>{0});
  EXPECT_EQ(comps(cell.branch(1).loc(0.5)), std::vector<int>{2 + 1});
  EXPECT_EQ(comps(cell.branch(0).loc(0.0)), std::vector<int>{0});
  EXPECT_EQ(comps(cell.branch(1).loc(0.0)), std::vector<int>{2});
  EXPECT_EQ(comps(cell.branch(0).loc(1.0)), std::vector<int>{1});
  EXPECT_EQ(comps(cell.branch(1).loc(1.0)), std::vector<int>{5});
  EXPECT_EQ(comps(cell.branch(1).loc(0.25)), std::vector<int>{2});      // np: 0
  EXPECT_EQ(comps(cell.branch(1).loc(0.26)), std::vector<int>{3});      // np: 1
  EXPECT_EQ(comps(cell.branch(1).loc(0.75)), std::vector<int>{4});      // np: 2
  EXPECT_EQ(comps(cell.branch(1).loc(0.999999)), std::vector<int>{5});  // np: 3
  EXPECT_EQ(comps(cell.branch("all").loc(1.0)), (std::vector<int>{1, 5}));
  EXPECT_EQ(comps(cell.branch("all").loc(0.0)), (std::vector<int>{0, 2}));
  // A single branch needs no branch().
  Branch branch(Compartment(), 4);
  EXPECT_EQ(comps(branch.loc(0.5)), std::vector<int>{1});
  EXPECT_EQ(comps(Compartment().loc(0.7)), std::vector<int>{0});
}

TEST(Frontend, CompOnWholeCellIsLocalToEachBranch) {
  Cell cell(std::vector<Branch>{Branch(Compartment(), 3), Branch(Compartment(), 1), Branch(Compartment(), 2)}, {-1, 0, 0});
  ASSERT_EQ(cell.first_comp(1), 3);
  ASSERT_EQ(cell.first_comp(2), 4);
  EXPECT_EQ(cell.comp(0).comps(), (std::vector<int>{0, 3, 4}));
  EXPECT_EQ(cell.comp(1).comps(), (std::vector<int>{1, 5}));
  EXPECT_EQ(cell.comp(2).comps(), (std::vector<int>{2}));
  EXPECT_EQ(cell.branch("all").comp(1).comps(), (std::vector<int>{1, 5}));
  EXPECT_EQ(cell.branch(2).comp(1).comps(), (std::vector<int>{5}));
  EXPECT_EQ(cell.comp("all").comps(), (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(cell.branch(0).comps(), (std::vector<int>{0, 1, 2}));
  EXPECT_THROW(cell.comp(3), Error);
}

TEST(Frontend, RecordDropsDuplicatesAndKeepsOrder) {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.insert(channels::HH());
  cell.branch(1).comp(1).record("v");
  cell.branch(0).comp(0).record("HH_m");
  cell.branch(1).record("v");     // comp 2 is new, comp 3 a duplicate
  cell.record("v");               // comps 0 and 1 are new
  cell.branch(0).comp(0).record("HH_m");
  cell.branch(0).comp(0).record("i_HH");
  cell.branch(0).comp(0).record("i_HH");
  const auto& r = cell.recordings();
  ASSERT_EQ(r.size(), 6u);
  std::vector<std::pair<int, std::string>> got;
  for (const auto& x : r) got.emplace_back(x.comp, x.state);
  std::vector<std::pair<int, std::string>> expected = {{3, "v"}, {0, "HH_m"}, {2, "v"}, {0, "v"}, {1, "v"}, {0, "i_HH"}};
  EXPECT_EQ(got, expected);
  IntegrateOptions opt;
  opt.t_max = 0.1;
  EXPECT_EQ(integrate(cell, opt).n_recordings, 6);
  cell.delete_recordings();
  EXPECT_TRUE(cell.recordings().empty());
}

TEST(Frontend, InsertThenSetTouchesOnlyCompartmentsWithTheChannel) {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  cell.branch(1).insert(channels::HH());
  cell.branch(2).comp(1).insert(channels::Na());
  const double nan = std::nan("");
  auto is = [&](const std::string& col, const std::vector<double>& expected) {
    const auto& c = cell.column(col);
    ASSERT_EQ(c.size(), expected.size());
    for (std::size_t k = 0; k < c.size(); ++k) {
      if (std::isnan(expected[k])) {
        EXPECT_TRUE(std::isnan(c[k])) << col << "[" << k << "] = " << c[k];
      } else {
        EXPECT_EQ(c[k], expected[k]) << col << "[" << k << "]";
      }
    }
  };
  is("HH_gNa", {nan, nan, 0.12, 0.12, nan, nan});  // default where inserted, NaN elsewhere
  is("HH_m", {nan, nan, 0.2, 0.2, nan, nan});
  cell.set("HH_gNa", 0.2);
  is("HH_gNa", {nan, nan, 0.2, 0.2, nan, nan});
  cell.branch("all").comp(1).set("HH_gK", 0.05);  // comps 1, 3, 5: only 3 has HH
  is("HH_gK", {nan, nan, 0.036, 0.05, nan, nan});
  cell.set("Na_gNa", 0.07);
  is("Na_gNa", {nan, nan, nan, nan, nan, 0.07});
  // Global params shared by several channels exist where any of them is.
  is("eNa", {nan, nan, nan, nan, nan, 50.0});
  EXPECT_TRUE(cell.has_mechanism(0, 2));
  EXPECT_FALSE(cell.has_mechanism(0, 0));
  // Inserting again elsewhere resets only the new compartments to the defaults.
  cell.branch(0).comp(0).insert(channels::HH());
  is("HH_gNa", {0.12, nan, 0.2, 0.2, nan, nan});
  // set("v") touches every compartment.
  cell.set("v", -65.0);
  is("v", {-65.0, -65.0, -65.0, -65.0, -65.0, -65.0});
}

TEST(Frontend, SetRadiusAndLengthRecomputeTheCylinder) {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.branch(1).comp(0).set("radius", 2.5);
  cell.branch(1).comp(0).set("length", 30.0);
  cell.branch(0).set("radius", 0.5);
  auto check = [&](int c, double l, double r) {
    SCOPED_TRACE("compartment " + std::to_string(c));
    EXPECT_EQ(cell.column("length")[c], l);
    EXPECT_EQ(cell.column("radius")[c], r);
    EXPECT_DOUBLE_EQ(cell.column("area")[c], 2.0 * kPi * r * l);
    EXPECT_DOUBLE_EQ(cell.column("volume")[c], l * r * r * kPi);
    EXPECT_DOUBLE_EQ(cell.column("resistive_load_in")[c], (l / 2.0) / (r * r) / kPi);
    EXPECT_DOUBLE_EQ(cell.column("resistive_load_out")[c], (l / 2.0) / (r * r) / kPi);
  };
  check(0, 10.0, 0.5);
  check(1, 10.0, 0.5);
  check(2, 30.0, 2.5);
  check(3, 10.0, 1.0);
  // The defaults (SEMANTICS §1.2): length 10, radius 1, r_a 5000, cm 1, v -70.
  EXPECT_EQ(cell.column("axial_resistivity")[3], 5000.0);
  EXPECT_EQ(cell.column("capacitance")[3], 1.0);
  EXPECT_EQ(cell.column("v")[3], -70.0);
  EXPECT_DOUBLE_EQ(cell.column("area")[3], 20.0 * kPi);
  EXPECT_DOUBLE_EQ(cell.column("resistive_load_in")[3], 5.0 / kPi);
}

TEST(Frontend, InitStatesIsTheHhSteadyState) {
  Cell cell(Branch(Compartment(), 1), {-1, 0});
  cell.insert(channels::HH());
  cell.branch(0).set("v", -62.0);
  cell.init_states();
  // SEMANTICS §3.1: alpha / (alpha + beta) at the node voltage.
  EXPECT_NEAR(cell.column("HH_m")[0], 0.07490098835688629, 1e-15);
  EXPECT_NEAR(cell.column("HH_h")[0], 0.488947681848153, 1e-15);
  EXPECT_NEAR(cell.column("HH_n")[0], 0.3644787002343737, 1e-15);
  EXPECT_NEAR(cell.column("HH_m")[1], 0.028905534475191907, 1e-15);  // -70 mV
  EXPECT_NEAR(cell.column("HH_h")[1], 0.7540796658225246, 1e-15);
  EXPECT_NEAR(cell.column("HH_n")[1], 0.24458654944007166, 1e-15);
  // Parameters are not touched.
  EXPECT_EQ(cell.column("HH_gNa")[0], 0.12);
}

TEST(Frontend, MakeTrainableGroupsAndInitialValues) {
  Cell cell(std::vector<Branch>{Branch(Compartment(), 2), Branch(Compartment(), 3), Branch(Compartment(), 1)}, {-1, 0, 0});
  cell.branch(1).insert(channels::HH());
  // Distinct radii so that means are visible.
  for (int c = 0; c < cell.n_comp(); ++c) {
    int b = cell.branch_of(c);
    cell.branch(b).comp(c - cell.first_comp(b)).set("radius", 1.0 + 0.5 * c);
  }
  const auto& radius = cell.column("radius");
  auto mean = [&](const std::vector<int>& comps) {
    double s = 0.0;
    for (int c : comps) s += radius[c];
    return s / static_cast<double>(comps.size());
  };
  cell.make_trainable("radius");  // module level: one shared value
  cell.branch("all").make_trainable("radius");  // one per branch
  cell.branch(1).comp("all").make_trainable("radius");  // one per compartment
  cell.comp(0).make_trainable("length");  // comp level on a whole cell: one per comp 0 of each branch
  cell.branch(1).make_trainable("axial_resistivity", 100.0);  // one branch, explicit init
  cell.make_trainable("HH_gNa");  // defined only on branch 1
  const auto& t = cell.trainables();
  ASSERT_EQ(t.size(), 6u);

  ASSERT_EQ(t[0].groups.size(), 1u);
  EXPECT_EQ(t[0].groups[0], range(0, 6));
  EXPECT_DOUBLE_EQ(t[0].init[0], mean(range(0, 6)));

  ASSERT_EQ(t[1].groups.size(), 3u);
  EXPECT_EQ(t[1].groups[0], range(0, 2));
  EXPECT_EQ(t[1].groups[1], range(2, 5));
  EXPECT_EQ(t[1].groups[2], range(5, 6));
  for (int g = 0; g < 3; ++g) EXPECT_DOUBLE_EQ(t[1].init[g], mean(t[1].groups[g]));

  ASSERT_EQ(t[2].groups.size(), 3u);
  for (int g = 0; g < 3; ++g) {
    EXPECT_EQ(t[2].groups[g], std::vector<int>{2 + g});
    EXPECT_EQ(t[2].init[g], radius[2 + g]);
  }

  ASSERT_EQ(t[3].groups.size(), 3u);
  EXPECT_EQ(t[3].groups[0], std::vector<int>{0});
  EXPECT_EQ(t[3].groups[1], std::vector<int>{2});
  EXPECT_EQ(t[3].groups[2], std::vector<int>{5});

  ASSERT_EQ(t[4].groups.size(), 1u);
  EXPECT_EQ(t[4].groups[0], range(2, 5));
  EXPECT_EQ(t[4].init[0], 100.0);

  ASSERT_EQ(t[5].groups.size(), 1u);
  EXPECT_EQ(t[5].groups[0], range(2, 5));  // nanmean over the compartments that have HH
  EXPECT_EQ(t[5].init[0], 0.12);

  cell.delete_trainables();
  EXPECT_TRUE(cell.trainables().empty());
}

// params (one value per group, in group order) give the same run as the equivalent set().
TEST(Frontend, TrainableParamsEqualSet) {
  auto build = [] {
    auto cell = std::make_unique<Cell>(Branch(Compartment(), 2), std::vector<int>{-1, 0, 0});
    cell->insert(channels::HH());
    cell->branch(2).comp(1).stimulate(step_current(0.5, 3.0, 0.3, 0.025, 5.0));
    cell->branch(0).comp(0).record("v");
    cell->branch(2).comp(1).record("v");
    return cell;
  };
  auto trained = build();
  trained->branch("all").make_trainable("HH_gNa");
  trained->branch(1).comp("all").make_trainable("radius");
  IntegrateOptions opt;
  opt.params = {{0.08, 0.12, 0.2}, {0.7, 1.3}};
  opt.backend = "interpreter";
  Result a = integrate(*trained, opt);

  auto direct = build();
  direct->branch(0).set("HH_gNa", 0.08);
  direct->branch(1).set("HH_gNa", 0.12);
  direct->branch(2).set("HH_gNa", 0.2);
  direct->branch(1).comp(0).set("radius", 0.7);
  direct->branch(1).comp(1).set("radius", 1.3);
  opt.params.clear();
  Result b = integrate(*direct, opt);
  ASSERT_EQ(a.data.size(), b.data.size());
  for (std::size_t k = 0; k < a.data.size(); ++k) ASSERT_EQ(a.data[k], b.data[k]) << "sample " << k;
}

// --- the model IR ------------------------------------------------------------------------

// Cell(Branch(Compartment(), 2), {-1, 0, 0}): comps 0,1 | 2,3 | 4,5, branchpoint node 6.
// SEMANTICS §2.3: comp->comp edges inside each branch in both directions; branchpoint ->
// parent's last comp (type 1), -> each child's first comp (type 2), and the mirror edges
// (types 3, 4) into the branchpoint.
TEST(Frontend, ModelIrEdgesOfThreeBranchCell) {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  cell.branch(1).insert(channels::HH());
  cell.branch(0).comp(0).record();
  const ir::Model model = cell.lower();
  EXPECT_EQ(model.n_comp, 6);
  EXPECT_EQ(model.n_bp, 1);
  EXPECT_EQ(model.edges.size(), 12u);  // 2 per comp pair (3) + 2 per child (2) + 2 for the parent
  const std::string text = model.print();
  for (const char* line : {
           "model: 6 compartments, 1 branchpoints, 3 branches\n",
           "parents: [-1, 0, 0]\n",
           "ncomp: [2, 2, 2]\n",
           "  0 -> 1 (comp->comp, ordered 1)\n",  // source proximal to sink
           "  1 -> 0 (comp->comp, ordered 0)\n",
           "  2 -> 3 (comp->comp, ordered 1)\n",
           "  5 -> 4 (comp->comp, ordered 0)\n",
           "  6 -> 1 (bp->parent",
           "  6 -> 2 (bp->child",
           "  6 -> 4 (bp->child",
           "  1 -> 6 (parent->bp",
           "  2 -> 6 (child->bp",
           "  4 -> 6 (child->bp",
           "  HH on compartments 2-3 (current i_HH)\n",
           "record: v at comp 0\n",
       })
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << text;
  // No edge between branches other than through the branchpoint.
  EXPECT_EQ(text.find("  1 -> 2 "), std::string::npos);
  EXPECT_EQ(text.find("  3 -> 4 "), std::string::npos);
}

// Axial conductances of the same cell from the §2.3 table, for default compartments
// (l = 10, r = 1, r_a = 5000, cm = 1: rho = 5/pi, area = 20 pi) and after radius 2 at comp 1
// (rho = 5/(4 pi), area = 40 pi):
//   type 0 into comp 0 from 1: 1e7 / ((25000/pi + 6250/pi) * 20 pi) = 16; into 1 from 0: 8;
//   between default comps: 1e7 / ((50000/pi) * 20 pi) = 10;
//   type 1 (bp -> comp 1): 1e7 / (5000 * 5/(4 pi) * 40 pi) = 40; type 2 (bp -> default): 20;
//   type 3 (comp 1 -> bp): 1 / (5000 * 5/(4 pi)) = 4 pi / 25000; type 4: pi / 25000.
TEST(Frontend, AxialConductancesFollowTheEdgeTable) {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  cell.branch(0).comp(1).set("radius", 2.0);
  const ir::Model model = cell.lower();
  const auto g = runtime::axial_conductances(model, model.columns);
  ASSERT_EQ(g.size(), model.edges.size());
  int checked = 0;
  for (std::size_t e = 0; e < model.edges.size(); ++e) {
    const auto& edge = model.edges[e];
    double expected = 0.0;
    switch (edge.type) {
      case ir::EdgeType::CompToComp:
        if (edge.sink == 0) expected = 16.0;
        else if (edge.sink == 1) expected = 8.0;
        else expected = 10.0;
        break;
      case ir::EdgeType::BranchpointToParent: expected = 40.0; break;
      case ir::EdgeType::BranchpointToChild: expected = 20.0; break;
      case ir::EdgeType::ParentToBranchpoint: expected = 4.0 * kPi / 25000.0; break;
      case ir::EdgeType::ChildToBranchpoint: expected = kPi / 25000.0; break;
    }
    EXPECT_NEAR(g[e], expected, 1e-12 * expected) << "edge " << edge.source << " -> " << edge.sink;
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

// --- integrate ---------------------------------------------------------------------------

TEST(Frontend, IntegrateOutputShape) {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.insert(channels::HH());
  cell.branch(0).comp(0).record();
  cell.branch(1).comp(1).record();
  cell.branch(1).comp(1).record("HH_m");
  auto shape = [&](std::optional<double> t_max, double dt) {
    IntegrateOptions opt;
    opt.t_max = t_max;
    opt.delta_t = dt;
    Result r = integrate(cell, opt);
    EXPECT_EQ(r.data.size(), static_cast<std::size_t>(r.n_recordings) * r.n_samples);
    EXPECT_EQ(r.n_recordings, 3);
    return r.n_samples;
  };
  EXPECT_EQ(shape(10.0, 0.025), 401);  // T = int(10 // 0.025 + 1) = 400 steps, plus t = 0
  EXPECT_EQ(shape(10.0, 1.0), 12);     // T = 11
  EXPECT_EQ(shape(0.3, 0.1), 4);       // T = 3
  EXPECT_EQ(shape(0.0, 0.025), 2);     // T = 1
  // Without t_max: T = the stimulus length (401 for t_max = 10), so 402 columns, as in
  // Jaxley's tutorial (shape (…, 402)).
  cell.branch(0).comp(0).stimulate(step_current(1.0, 5.0, 0.2, 0.025, 10.0));
  EXPECT_EQ(shape(std::nullopt, 0.025), 402);
  // With t_max the stimulus is cut (or zero-padded).
  EXPECT_EQ(shape(5.0, 0.025), 201);
  EXPECT_EQ(shape(20.0, 0.025), 801);
  // Column 0 is the initial state.
  IntegrateOptions opt;
  opt.t_max = 1.0;
  Result r = integrate(cell, opt);
  EXPECT_EQ(r(0, 0), -70.0);
  EXPECT_EQ(r(2, 0), 0.2);
}

// Two 10 ms runs, the second continuing from the first's states, equal one 20 ms run.
TEST(Frontend, ContinuationEqualsOneLongRun) {
  for (const char* backend : {"interpreter", "auto"}) {
    for (const char* solver : {"bwd_euler", "crank_nicolson"}) {
      SCOPED_TRACE(std::string(backend) + " " + solver);
      Cell cell(Branch(Compartment(), 3), {-1, 0, 0});
      cell.insert(channels::HH());
      cell.branch(1).insert(channels::K());
      cell.branch(2).comp(2).stimulate(std::vector<double>(2000, 0.15));  // constant: same in both halves
      cell.branch(0).comp(0).record();
      cell.branch(2).comp(2).record();
      cell.branch(1).comp(1).record("K_n");
      cell.branch(1).comp(1).record("i_K");
      cell.branch(0).comp(1).record("i_HH");
      IntegrateOptions opt;
      opt.solver = solver;
      opt.backend = backend;
      opt.t_max = 20.0;  // 20 // 0.025 = 799 -> 800 steps
      Result full = integrate(cell, opt);
      ASSERT_EQ(full.n_samples, 801);
      opt.t_max = 10.0;  // 400 steps
      opt.return_states = true;
      Result first = integrate(cell, opt);
      ASSERT_TRUE(first.states);
      opt.all_states = first.states;
      Result second = integrate(cell, opt);
      ASSERT_EQ(first.n_samples, 401);
      ASSERT_EQ(second.n_samples, 401);
      double worst = 0.0;
      for (int rec = 0; rec < full.n_recordings; ++rec) {
        for (int t = 0; t <= 400; ++t) {
          worst = std::max(worst, std::abs(first(rec, t) - full(rec, t)));
          worst = std::max(worst, std::abs(second(rec, t) - full(rec, 400 + t)));
        }
      }
      EXPECT_LT(worst, 1e-12);
      // Something happened (the stimulus made the cell spike).
      double vmax = -1e9;
      for (int t = 0; t < full.n_samples; ++t) vmax = std::max(vmax, full(1, t));
      EXPECT_GT(vmax, 0.0);
    }
  }
}

}  // namespace
}  // namespace ranvier

// The three NEURON 8.2 cases of shared/reference/neuron, reproduced to 1e-6 mV at every
// sample. NEURON is an independent implementation; with steady-state initial gates its
// fixed-step scheme equals Jaxley's up to rounding.
#include <cmath>

#include <gtest/gtest.h>

#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "frontend/stimulus.h"
#include "api/integrate.h"
#include "test_support.h"

namespace ranvier {
namespace {

constexpr double kTolerance = 1e-6;  // mV

void expect_trace(const Result& r, int rec, const std::vector<double>& expected, const std::string& what) {
  ASSERT_EQ(static_cast<std::size_t>(r.n_samples), expected.size()) << what;
  double worst = 0.0;
  for (int t = 0; t < r.n_samples; ++t) worst = std::max(worst, std::abs(r(rec, t) - expected[t]));
  EXPECT_LT(worst, kTolerance) << what << ": max |ranvier - NEURON| = " << worst << " mV";
}

std::string neuron_csv(const std::string& name) { return test::shared_dir() + "/reference/neuron/" + name + ".csv"; }

TEST(NeuronReference, Case1SingleHH) {
  Compartment comp;
  comp.set("axial_resistivity", 100.0);
  comp.insert(channels::HH());
  comp.init_states();
  comp.stimulate(step_current(1.0, 15.0, 0.03, 0.025, 20.0));
  comp.record("v");
  IntegrateOptions opt;
  opt.t_max = 20.0;
  Result r = integrate(comp, opt);
  auto csv = test::read_csv(neuron_csv("case1_single_hh_bwd_euler"));
  expect_trace(r, 0, csv.column("v_soma_seg0_mV"), "case1");
}

TEST(NeuronReference, Case2PassiveCable) {
  Compartment c;
  Branch cable(c, 8);
  cable.set("length", 50.0);
  cable.set("axial_resistivity", 100.0);
  cable.insert(channels::Leak());
  cable.set("Leak_gLeak", 1e-4);
  cable.set("Leak_eLeak", -70.0);
  cable.comp(0).stimulate(step_current(1.0, 10.0, 0.5, 0.025, 20.0));
  for (int k : {0, 3, 7}) cable.comp(k).record("v");
  IntegrateOptions opt;
  opt.t_max = 20.0;
  for (const char* vs : {"jaxley.dhs", "jax.sparse", "jaxley.stone", "jaxley.dhs.gpu"}) {
    opt.voltage_solver = vs;
    Result r = integrate(cable, opt);
    auto csv = test::read_csv(neuron_csv("case2_passive_cable_bwd_euler"));
    expect_trace(r, 0, csv.column("v_cable_seg0_mV"), std::string("case2 seg0 ") + vs);
    expect_trace(r, 1, csv.column("v_cable_seg3_mV"), std::string("case2 seg3 ") + vs);
    expect_trace(r, 2, csv.column("v_cable_seg7_mV"), std::string("case2 seg7 ") + vs);
  }
}

TEST(NeuronReference, Case3Tree7HH) {
  // root -> a, b; a -> a0, a1; b -> b0, b1; 4 compartments per section.
  const std::vector<int> parents = {-1, 0, 0, 1, 1, 2, 2};
  const double length[] = {200, 150, 250, 100, 300, 120, 180};  // um per section
  const double radius[] = {1.5, 1.0, 1.2, 0.5, 0.7, 0.8, 0.6};  // um
  Cell cell(Branch(Compartment(), 4), parents);
  cell.set("axial_resistivity", 100.0);
  for (int b = 0; b < 7; ++b) {
    cell.branch(b).set("length", length[b] / 4);
    cell.branch(b).set("radius", radius[b]);
  }
  cell.insert(channels::HH());
  cell.init_states();
  cell.branch(0).comp(0).stimulate(step_current(1.0, 15.0, 0.8, 0.025, 20.0));
  cell.branch(0).comp(0).record();
  cell.branch(1).comp(3).record();
  for (int b = 3; b < 7; ++b) cell.branch(b).comp(3).record();
  auto csv = test::read_csv(neuron_csv("case3_tree7_hh_bwd_euler"));
  const char* cols[] = {"v_root_seg0_mV", "v_a_seg3_mV", "v_a0_seg3_mV", "v_a1_seg3_mV", "v_b0_seg3_mV", "v_b1_seg3_mV"};
  IntegrateOptions opt;
  opt.t_max = 20.0;
  for (const char* vs : {"jaxley.dhs", "jax.sparse", "jaxley.dhs.gpu"}) {
    opt.voltage_solver = vs;
    Result r = integrate(cell, opt);
    for (int i = 0; i < 6; ++i) expect_trace(r, i, csv.column(cols[i]), std::string("case3 ") + cols[i] + " " + vs);
  }
}

}  // namespace
}  // namespace ranvier

// Channels that write the voltage (Jaxley 0.14's Fire, Izhikevich, Rate, AdEx): the
// interpreter against a hand-written step of Jaxley's scheme, the LLVM backend against the
// interpreter bit for bit (cells, networks, batches), and the errors where not supported yet. Traces
// against real Jaxley are in tests/python/test_simplified_models.py.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "api/compile.h"
#include "api/vjp.h"
#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/stimulus.h"
#include "frontend/synapses/builtin.h"
#include "ir/error.h"
#include "passes/pipeline.h"

namespace ranvier {
namespace {

constexpr double kDt = 0.1;    // ms
constexpr double kTmax = 40.0;  // ms

IntegrateOptions options(const std::string& backend) {
  IntegrateOptions o;
  o.delta_t = kDt;
  o.t_max = kTmax;
  o.backend = backend;
  o.interpreter_uses_kernel_exp = backend == "interpreter";  // the JIT's exp, for bit equality
  return o;
}

void expect_bitwise_equal(const Result& a, const Result& b) {
  ASSERT_EQ(a.n_recordings, b.n_recordings);
  ASSERT_EQ(a.n_samples, b.n_samples);
  int differ = 0;
  for (std::size_t i = 0; i < a.data.size(); ++i)
    if (!(a.data[i] == b.data[i]) && !(std::isnan(a.data[i]) && std::isnan(b.data[i]))) ++differ;
  EXPECT_EQ(differ, 0);
}

// Leak + Fire on one compartment, and the step written out by hand (SEMANTICS.md 2.4 with
// the voltage replaced before the implicit solve): reset, linearised leak at the reset
// voltage, one-node backward Euler.
TEST(SimplifiedModels, LeakyIntegrateAndFireEqualsTheHandWrittenStep) {
  Compartment comp;
  comp.insert(channels::Leak());
  comp.insert(channels::Fire());
  const std::vector<double> i_stim = step_current(5.0, 20.0, 0.005, kDt, kTmax);  // nA
  comp.stimulate(i_stim);
  comp.record("v");
  comp.record("Fire_spikes");
  const Result r = integrate(comp, options("interpreter"));

  const double g_leak = 1e-4, e_leak = -70.0, vth = -50.0, vreset = -70.0;  // S/cm^2, mV
  const double area = 2.0 * M_PI * 1.0 * 10.0;                             // um^2, radius 1, length 10
  const double cm = 1.0;                                                    // uF/cm^2
  double v = -70.0;
  int spikes = 0;
  for (int k = 0; k + 1 < r.n_samples; ++k) {
    const bool spike = v > vth;
    const double v_reset = spike ? vreset : v;
    const double i0 = g_leak * (v_reset - e_leak), i1 = g_leak * (v_reset + 1e-3 - e_leak);  // mA/cm^2
    const double g = (i1 - i0) / 1e-3;
    const double constant = -(i0 - g * v_reset);
    const double i_ext = i_stim[static_cast<std::size_t>(k)] / area * 1e5;  // uA/cm^2
    const double vt = g * 1000.0 / cm, ct = (constant * 1000.0 + i_ext) / cm;
    v = (v_reset + kDt * ct) / (1.0 + kDt * vt);
    spikes += spike;
    EXPECT_NEAR(r(0, k + 1), v, 1e-12 * std::abs(v)) << "step " << k;
    EXPECT_EQ(r(1, k + 1), spike ? 1.0 : 0.0) << "step " << k;
  }
  EXPECT_GT(spikes, 2);  // the current drives it across threshold repeatedly
}

Cell three_branch_cell() {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  cell.insert(channels::Leak());
  cell.branch(1).insert(channels::Fire());
  cell.branch(2).insert(channels::HH());
  cell.branch(0).comp(0).stimulate(step_current(2.0, 30.0, 0.05, kDt, kTmax));
  cell.branch(0).comp(0).record("v");
  cell.branch(1).comp(1).record("v");
  cell.branch(1).comp(0).record("Fire_spikes");
  cell.branch(2).comp(1).record("HH_m");
  return cell;
}

TEST(SimplifiedModels, JitEqualsInterpreterBitForBit) {
  std::vector<Module*> models;
  Cell lif = three_branch_cell();
  Compartment izh;
  izh.insert(channels::Izhikevich());
  izh.init_states();
  izh.stimulate(step_current(10.0, 25.0, 0.012, kDt, kTmax));
  izh.record("v");
  izh.record("Izhikevich_u");
  Compartment adex;
  adex.insert(channels::AdEx());
  adex.set("v", -70.0);
  adex.stimulate(step_current(5.0, 30.0, 0.1, kDt, kTmax));
  adex.record("v");
  adex.record("AdEx_w");
  adex.record("AdEx_spikes");
  Compartment rate;
  rate.insert(channels::Rate());
  rate.set("v", 2.0);
  rate.stimulate(step_current(0.0, kTmax + 1.0, 0.01, kDt, kTmax));
  rate.record("v");
  for (Module* m : std::initializer_list<Module*>{&lif, &izh, &adex, &rate}) {
    const Result ri = integrate(*m, options("interpreter"));
    const Result rj = integrate(*m, options("jit"));
    expect_bitwise_equal(rj, ri);
  }
}

TEST(SimplifiedModels, IzhikevichSpikesAndResets) {
  Compartment comp;
  comp.insert(channels::Izhikevich());
  comp.init_states();  // u = b v
  comp.stimulate(step_current(10.0, 25.0, 0.012, kDt, kTmax));
  comp.record("v");
  const Result r = integrate(comp, options("interpreter"));
  int resets = 0;
  for (int k = 1; k < r.n_samples; ++k) resets += r(0, k) < r(0, k - 1) - 50.0;
  EXPECT_GT(resets, 0);
  for (int k = 0; k < r.n_samples; ++k) EXPECT_LT(r(0, k), 30.0 + 5.0);  // reset before the solve
}

TEST(SimplifiedModels, TheMembraneTermsReadTheWrittenVoltage) {
  // The lowered group writes "v" and its membrane terms read only "v'" (the body's written
  // voltage), never the voltage before the step.
  Compartment comp;
  comp.insert(channels::Leak());
  comp.insert(channels::Fire());
  const passes::Lowered lowered = passes::lower(comp.lower(), {});
  ASSERT_EQ(lowered.program.kernel.groups.size(), 1u);
  const ir::KernelGroup& g = lowered.program.kernel.groups[0];
  bool writes_v = false;
  for (const auto& s : g.new_states) writes_v |= s.name == "v";
  EXPECT_TRUE(writes_v);
  const ir::Expr terms[] = {g.voltage_term, g.constant_term};
  const auto states = ir::leaf_names(terms, ir::Op::State);
  EXPECT_NE(std::find(states.begin(), states.end(), "v'"), states.end());
  for (const ir::Node* n : ir::topological_order(terms)) EXPECT_NE(n->op, ir::Op::Voltage);
}

TEST(SimplifiedModels, GradientsAreNotSupported) {
  Compartment comp;
  comp.insert(channels::Leak());
  comp.insert(channels::Fire());
  comp.record("v");
  IntegrateOptions o = options("auto");
  EXPECT_THROW(vjp(comp, o), NotSupported);
  o.backend = "interpreter";
  EXPECT_THROW(vjp(comp, o), NotSupported);
}

// Two LIF cells and an Izhikevich cell, all connected: every synapse reads the written voltage
// of its pre and post compartments (the JIT writes voltages before any block's synapses).
Network spiking_network() {
  Cell lif(Branch(Compartment(), 2), {-1, 0});
  lif.insert(channels::Leak());
  lif.insert(channels::Fire());
  Cell izh(Branch(Compartment(), 1), {-1});
  izh.insert(channels::Izhikevich());
  Network net({lif, lif, izh});
  connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(1).comp(1), synapses::IonotropicSynapse());
  connect(net.cell(1).branch(0).comp(0), net.cell(2), synapses::IonotropicSynapse());
  connect(net.cell(2), net.cell(0).branch(1).comp(0), synapses::TanhConductanceSynapse());
  net.synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 0.004);
  net.cell(0).stimulate(step_current(2.0, 30.0, 0.01, kDt, kTmax));
  net.cell(2).stimulate(step_current(5.0, 30.0, 0.012, kDt, kTmax));
  net.cell("all").branch(0).comp(0).record("v");
  net.cell(1).branch(1).comp(1).record("v");
  net.cell(0).branch(0).comp(0).record("Fire_spikes");
  net.synapses("IonotropicSynapse").record("IonotropicSynapse_s");
  return net;
}

TEST(SimplifiedModels, NetworkOnTheJitEqualsTheInterpreterBitForBit) {
  Network net = spiking_network();
  const Result ri = integrate(net, options("interpreter"));
  expect_bitwise_equal(integrate(net, options("jit")), ri);
  // Lanes that differ, on two threads.
  std::vector<IntegrateOptions> lanes(3, options("jit"));
  for (int b = 0; b < 3; ++b) lanes[b].param_state.push_back({"Fire_vth", {0, 1, 2, 3}, {-52.0 + 2.0 * b}});
  CompileOptions co;
  co.threads = 2;
  const auto batch = compile(net, co).integrate(lanes);
  for (int b = 0; b < 3; ++b) {
    IntegrateOptions ref = lanes[b];
    ref.backend = "interpreter";
    ref.interpreter_uses_kernel_exp = true;
    expect_bitwise_equal(batch.lane(b), integrate(net, ref));
  }
  double spikes = 0.0;
  for (int t = 0; t < ri.n_samples; ++t) spikes += ri(4, t);
  EXPECT_GT(spikes, 0.0);
}

TEST(SimplifiedModels, MechanismsMayUpdateVButNotUndeclaredStates) {
  Mechanism m = channels::Fire();
  EXPECT_TRUE(m.writes_voltage());
  EXPECT_NO_THROW(m.validate());
  EXPECT_FALSE(channels::Leak().writes_voltage());
  m.update.push_back({"Other_state", ir::voltage()});
  EXPECT_THROW(m.validate(), Error);
}

}  // namespace
}  // namespace ranvier

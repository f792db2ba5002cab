// Gradients of whole simulations (runtime/gradient.h) against real Jaxley's jax.grad in
// float64 (tests/reference/jaxley_grad/, written by make_grad_refs.py there) and against
// central finite differences of Ranvier's own forward pass; checkpointing against the
// unbounded-memory adjoint.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/read_swc.h"
#include "frontend/stimulus.h"
#include "frontend/synapses/builtin.h"
#include "ir/error.h"
#include "jaxley_case.h"
#include "network_case.h"
#include "runtime/buffer_pool.h"
#include "api/vjp.h"

namespace ranvier {
namespace {

namespace fs = std::filesystem;
using test::json;

fs::path grad_dir() { return fs::path(test::source_dir()) / "tests" / "reference" / "jaxley_grad"; }

json grad_case(const std::string& name) {
  std::ifstream in(grad_dir() / "cases.json");
  const json all = json::parse(in);
  for (const json& c : all.at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no gradient case " + name);
}

json grad_reference(const std::string& name) {
  std::ifstream in(grad_dir() / (name + ".json"));
  return json::parse(in);
}

std::unique_ptr<Module> build(const json& c) {
  const json& spec = c.at("module");
  std::unique_ptr<Module> m;
  if (spec.at("type") == "swc") {
    swc::ReadOptions options;
    options.ncomp = spec.at("ncomp").get<int>();
    const fs::path file = fs::path(test::shared_dir()) / "data" / "morphologies" / spec.at("file").get<std::string>();
    m = std::make_unique<Cell>(ranvier::read_swc(file.string(), options));
  } else {
    m = test::build_module(spec);
  }
  if (c.contains("solver_setup")) m->set_allowed_nodes_per_level(c.at("solver_setup").at("allowed_nodes_per_level"));
  test::apply_ops(*m, c.at("ops"));
  for (const json& t : c.at("trainables")) {
    std::optional<double> init;
    if (t.contains("init")) init = t.at("init").get<double>();
    test::build_view(*m, t.at("view")).make_trainable(t.at("key"), init);
  }
  return m;
}

IntegrateOptions options_of(const json& c, Module& m) {
  json spec = c.at("integrate");
  std::vector<int> checkpoints;
  if (spec.contains("checkpoint_lengths")) checkpoints = spec.at("checkpoint_lengths").get<std::vector<int>>();
  spec.erase("checkpoint_lengths");
  IntegrateOptions o = test::integrate_options(spec);
  o.checkpoint_lengths = checkpoints;
  if (c.contains("data_stimulus")) {
    const json& ds = c.at("data_stimulus");
    const View view = test::build_view(m, ds.at("view"));
    for (int comp : view.comps())
      o.data_stimuli.push_back({comp, test::build_current(ds.at("current"))});
  }
  if (c.contains("param_state"))
    for (const json& ps : c.at("param_state"))
      o.param_state.push_back({ps.at("key"), test::build_view(m, ps.at("view")).comps(), {ps.at("value").get<double>()}});
  if (c.contains("continue_first")) {
    // The states after a first run at the trainables' values start the differentiated run.
    IntegrateOptions first = o;
    first.t_max = c.at("continue_first").at("t_max").get<double>();
    first.params = get_parameters(m);
    first.return_states = true;
    first.backend = "interpreter";
    o.all_states = integrate(m, first).states;
  }
  return o;
}

// The case's loss (make_grad_refs.py's loss_of) and its cotangent.
LossFunction loss_of(const json& c) {
  const json loss = c.at("loss");
  return [loss](const Result& r, std::vector<double>& cot) {
    const int n = r.n_samples;
    double value = 0.0;
    if (loss.at("type") == "mse") {
      const double target = loss.at("target").get<double>(), count = static_cast<double>(r.data.size());
      for (std::size_t i = 0; i < r.data.size(); ++i) {
        const double e = r.data[i] - target;
        value += e * e / count;
        cot[i] = 2.0 * e / count;
      }
    } else {
      for (int rec = 0; rec < r.n_recordings; ++rec)
        for (int k = 0; k < n; ++k) {
          const double w = std::cos(0.05 * k + rec) / n;
          value += r(rec, k) * w;
          cot[static_cast<std::size_t>(rec) * n + k] = w;
        }
    }
    return value;
  };
}

// The interpreter's loss; with kernel_exp, with the compiled kernels' exp (bit-identical to
// them), which the compiled adjoint's forward pass uses.
double loss_value(const Module& m, const IntegrateOptions& o, const LossFunction& loss, bool kernel_exp = false) {
  IntegrateOptions interp = o;
  interp.backend = "interpreter";
  interp.interpreter_uses_kernel_exp = kernel_exp;
  Result r = integrate(m, interp);
  std::vector<double> cot(r.data.size());
  return loss(r, cot);
}

// The module's trainables must start where Jaxley's get_parameters() did; then its loss
// and gradients must equal the reference's. Returns the largest relative deviation.
double expect_matches_reference(const Module& m, const IntegrateOptions& o, const LossFunction& loss, const json& ref,
                                ValueAndGrad* out = nullptr) {
  const auto params = get_parameters(m);
  EXPECT_EQ(params.size(), ref.at("params").size());
  if (params.size() != ref.at("params").size()) return 1.0;
  for (std::size_t t = 0; t < params.size(); ++t) {
    const auto& expected = ref.at("params")[t].begin().value();
    EXPECT_EQ(params[t].size(), expected.size()) << "trainable " << t;
    if (params[t].size() != expected.size()) return 1.0;
    for (std::size_t g = 0; g < params[t].size(); ++g) EXPECT_NEAR(params[t][g], expected[g].get<double>(), 1e-12 * std::abs(params[t][g]));
  }
  ValueAndGrad vg = value_and_grad(m, o, loss);
  const double ref_loss = ref.at("loss").get<double>();
  EXPECT_NEAR(vg.value, ref_loss, 1e-9 * std::abs(ref_loss));
  double worst = 0.0;
  for (std::size_t t = 0; t < vg.grad.params.size(); ++t) {
    const std::string key = ref.at("grads")[t].begin().key();
    const auto& expected = ref.at("grads")[t].begin().value();
    EXPECT_EQ(vg.grad.params[t].size(), expected.size()) << key;
    if (vg.grad.params[t].size() != expected.size()) return 1.0;
    for (std::size_t g = 0; g < expected.size(); ++g) {
      const double want = expected[g].get<double>(), got = vg.grad.params[t][g];
      // Exactly-zero references (e.g. the axial resistivity of one compartment) need an
      // absolute floor: 1e-12 of the loss scale.
      const double rel = std::abs(got - want) / std::max(std::abs(want), 1e-12 * std::abs(ref_loss));
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 1e-6) << key << "[" << g << "]: ranvier " << got << " jaxley " << want;
    }
  }
  if (out) *out = std::move(vg);
  return worst;
}

// Each case with the interpreter's adjoint and with backend "auto", which compiles the
// adjoint (codegen/llvm/compiled_adjoint.h) for bwd_euler and crank_nicolson.
class GradientVsJaxley : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(GradientVsJaxley, MatchesJaxGrad) {
  const std::string name = std::get<0>(GetParam()), backend = std::get<1>(GetParam());
  const json c = grad_case(name);
  const json ref = grad_reference(name);
  if (c.at("module").at("type") == "swc" &&
      !fs::exists(fs::path(test::shared_dir()) / "data" / "morphologies" / c.at("module").at("file").get<std::string>()))
    GTEST_SKIP() << "shared morphology missing";
  auto m = build(c);
  IntegrateOptions o = options_of(c, *m);
  o.backend = backend;
  if (backend == "auto" && (o.solver == "bwd_euler" || o.solver == "crank_nicolson")) {
    EXPECT_TRUE(vjp(*m, o).stats().compiled) << "backend auto should compile this adjoint";
  }
  // Trainable values as Jaxley's get_parameters() gave them, then loss and gradients.
  ValueAndGrad vg;
  double worst = expect_matches_reference(*m, o, loss_of(c), ref, &vg);
  if (c.contains("data_stimulus")) {
    // d loss / d (every sample of the data_stimulate current), after the module's stimuli.
    const auto& expected = ref.at("stimulus_grad");
    ASSERT_EQ(vg.grad.stimuli.size(), m->stimuli().size() + 1);
    const auto& got = vg.grad.stimuli.back();
    ASSERT_EQ(got.size(), expected.size());
    double scale = 0.0;
    for (const auto& x : expected) scale = std::max(scale, std::abs(x.get<double>()));
    for (std::size_t k = 0; k < got.size(); ++k) {
      const double want = expected[k].get<double>();
      // Samples whose gradient is tiny relative to the largest are compared at 1e-9 of it.
      const double rel = std::abs(got[k] - want) / std::max(std::abs(want), 1e-9 * scale);
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 1e-6) << "stimulus sample " << k << ": ranvier " << got[k] << " jaxley " << want;
    }
  }
  RecordProperty("max_relative_deviation", std::to_string(worst));
  std::cout << "[ grad ] " << name << " (" << backend << "): max relative deviation from jax.grad " << worst << "\n";
}

INSTANTIATE_TEST_SUITE_P(Cases, GradientVsJaxley,
                         ::testing::Combine(::testing::Values("comp_hh_bwd", "comp_hh_cn_currents", "cell_branched_hh",
                                                              "cell_branched_hh_checkpointed", "swc_ca1_hh",
                                                              "cell_mixed_channels_clamps", "tree7_dhs_gpu_cn",
                                                              "cell_hh_exp_euler", "cell_data_stimulus",
                                                              "cell_continue_all_states", "branch_pospischil_all_channels"),
                                            ::testing::Values("interpreter", "auto")),
                         [](const auto& param_info) { return std::get<0>(param_info.param) + "_" + std::get<1>(param_info.param); });

// Central differences of the interpreter's loss, step h relative to the parameter.
TEST(Gradients, MatchCentralFiniteDifferences) {
  for (const char* name : {"comp_hh_bwd", "cell_branched_hh", "cell_mixed_channels_clamps"}) {
    const json c = grad_case(name);
    auto m = build(c);
    IntegrateOptions o = options_of(c, *m);
    const LossFunction loss = loss_of(c);
    o.params = get_parameters(*m);
    ValueAndGrad vg = value_and_grad(*m, o, loss);
    double worst = 0.0;
    for (std::size_t t = 0; t < o.params.size(); ++t) {
      const std::size_t g = o.params[t].size() - 1;  // the last group of each trainable
      const double x = o.params[t][g], h = 1e-5 * std::max(std::abs(x), 1e-3);
      IntegrateOptions plus = o, minus = o;
      plus.params[t][g] = x + h;
      minus.params[t][g] = x - h;
      const double fd = (loss_value(*m, plus, loss) - loss_value(*m, minus, loss)) / (2.0 * h);
      const double got = vg.grad.params[t][g];
      const double rel = std::abs(got - fd) / std::max(std::abs(fd), 1e-9 * std::abs(vg.value));
      worst = std::max(worst, rel);
      // Central differences are accurate to about (h^2 f''' + eps f / h) / f', ~1e-7 here.
      EXPECT_LE(rel, 1e-5) << name << " trainable " << t << " (" << m->trainables()[t].key << "): adjoint " << got << " fd " << fd;
    }
    std::cout << "[ grad ] " << name << ": max relative deviation from central differences " << worst << "\n";
  }
}

// The forward pass of vjp() is the interpreter's integrate(), value for value.
TEST(Gradients, ForwardEqualsInterpreter) {
  const json c = grad_case("cell_branched_hh");
  auto m = build(c);
  IntegrateOptions o = options_of(c, *m);
  o.params = get_parameters(*m);
  o.backend = "interpreter";
  Result r = integrate(*m, o);
  Vjp f = vjp(*m, o);
  ASSERT_EQ(f.result.data.size(), r.data.size());
  for (std::size_t i = 0; i < r.data.size(); ++i) ASSERT_EQ(f.result.data[i], r.data[i]) << i;
}

// checkpoint_lengths changes only memory and recomputation, not the gradient.
TEST(Gradients, CheckpointingGivesTheSameGradientWithBoundedStates) {
  const json c = grad_case("cell_branched_hh");
  auto m = build(c);
  IntegrateOptions o = options_of(c, *m);  // 200 steps
  const LossFunction loss = loss_of(c);
  o.checkpoint_lengths = {200};
  Vjp all = vjp(*m, o);
  std::vector<double> cot(all.result.data.size());
  loss(all.result, cot);
  const Gradients g_all = all(cot);
  EXPECT_EQ(all.stats().peak_stored_states, 201);  // the state before every step, plus the one being advanced
  for (const std::vector<int>& levels : {std::vector<int>{15, 14}, std::vector<int>{6, 6, 6}, std::vector<int>{7, 30}, std::vector<int>{1, 200}}) {
    o.checkpoint_lengths = levels;
    Vjp f = vjp(*m, o);
    const Gradients g = f(cot);
    int bound = 1;
    for (int l : levels) bound += l;
    EXPECT_LE(f.stats().peak_stored_states, bound) << levels.size() << " levels";
    for (std::size_t t = 0; t < g.params.size(); ++t)
      for (std::size_t k = 0; k < g.params[t].size(); ++k)
        EXPECT_NEAR(g.params[t][k], g_all.params[t][k], 1e-12 * std::max(1.0, std::abs(g_all.params[t][k])))
            << "levels " << levels[0] << " trainable " << t;
  }
  // Default: small simulations keep every state.
  o.checkpoint_lengths.clear();
  EXPECT_EQ(vjp(*m, o).stats().checkpoint_lengths, std::vector<int>{200});
}

// Checkpoint memory goes back to the pool when a Vjp dies, for the next call to reuse.
TEST(Gradients, CheckpointBuffersAreRecycled) {
  const json c = grad_case("cell_branched_hh");
  auto m = build(c);
  const IntegrateOptions o = options_of(c, *m);
  std::size_t held = 0, during = 0;
  {
    Vjp f = vjp(*m, o);
    held = f.stats().peak_bytes;
    during = runtime::pooled_bytes();
  }
  const std::size_t after = runtime::pooled_bytes();
  ASSERT_LT(held, runtime::kBufferPoolBytes / 4);
  EXPECT_GE(after, during + held / 2);  // what the Vjp held came back
  Vjp again = vjp(*m, o);               // and the next call takes it
  EXPECT_LE(runtime::pooled_bytes() + held / 2, after);
}

TEST(Gradients, DefaultCheckpointingKeepsMemoryModest) {
  // 800 steps of the 1016-compartment tree (~64 kB per state and capture): every state (51 MB).
  EXPECT_EQ(default_checkpoint_lengths(800, 64000), std::vector<int>{800});
  // 2000 steps (128 MB) would exceed the budget: two levels of ~sqrt(T), ~90 states (6 MB).
  EXPECT_EQ(default_checkpoint_lengths(2000, 64000), (std::vector<int>{45, 45}));
  // 100000 steps of it would be 4.6 GB: two levels of ~sqrt(T), 633 states (29 MB).
  EXPECT_EQ(default_checkpoint_lengths(100000, 46000), (std::vector<int>{317, 316}));
  EXPECT_EQ(default_checkpoint_lengths(0, 46000), std::vector<int>{1});
}

// vjp() must refuse with NotSupported, saying `fragment`.
void expect_not_supported(const Module& m, const IntegrateOptions& o, const std::string& fragment) {
  try {
    vjp(m, o);
    ADD_FAILURE() << "vjp() should raise NotSupported (" << fragment << ")";
  } catch (const NotSupported& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Gradients, UnsupportedCasesSayWhat) {
  const json c = grad_case("comp_hh_bwd");
  auto m = build(c);
  IntegrateOptions o = options_of(c, *m);
  o.solver = "fwd_euler";
  expect_not_supported(*m, o, "fwd_euler");
  o.solver = "exp_euler";  // geometry (radius, length, capacitance) is trainable here
  expect_not_supported(*m, o, "exp_euler");
  {
    const json ce = grad_case("cell_hh_exp_euler");  // exp_euler has no compiled adjoint
    auto me = build(ce);
    IntegrateOptions oe = options_of(ce, *me);
    oe.backend = "jit";
    expect_not_supported(*me, oe, "bwd_euler and crank_nicolson");
  }
  o.solver = "bwd_euler";
  o.backend = "auto";
  Vjp f = vjp(*m, o);
  EXPECT_THROW(f(std::vector<double>(3, 0.0)), Error);  // wrong cotangent shape
}

// B parameter sets in one call, on two threads: each lane is exactly its own vjp().
TEST(Gradients, BatchLanesEqualSingleCalls) {
  const json c = grad_case("cell_branched_hh");
  auto m = build(c);
  const IntegrateOptions o = options_of(c, *m);
  std::vector<IntegrateOptions> lanes;
  for (double scale : {0.8, 1.0, 1.3}) {
    IntegrateOptions lane = o;
    lane.params = get_parameters(*m);
    for (double& x : lane.params[0]) x *= scale;  // HH_gNa per branch
    lanes.push_back(lane);
  }
  BatchVjp batch = vjp(*m, lanes, 2);
  ASSERT_EQ(batch.results.size(), lanes.size());
  std::vector<std::vector<double>> cots;
  for (const Result& r : batch.results) {
    std::vector<double> cot(r.data.size());
    for (std::size_t i = 0; i < cot.size(); ++i) cot[i] = std::sin(0.01 * static_cast<double>(i));
    cots.push_back(cot);
  }
  const std::vector<Gradients> grads = batch(cots);
  for (std::size_t b = 0; b < lanes.size(); ++b) {
    Vjp single = vjp(*m, lanes[b]);
    EXPECT_EQ(single.result.data, batch.results[b].data) << "lane " << b;
    const Gradients g = single(cots[b]);
    EXPECT_EQ(g.params, grads[b].params) << "lane " << b;
  }
  EXPECT_NE(grads[0].params[0], grads[2].params[0]);  // the lanes differ
  EXPECT_THROW(batch(std::vector<std::vector<double>>(2)), Error);
}

// A network of three branched HH cells with every synapse type (the cells, synapses and
// stimuli of tests/reference/jaxley_net's net3_branched_all_types), with trainable synapse
// weights and initial states, channel parameters per cell, radius and axial resistivity.
std::unique_ptr<Network> gradient_network() {
  Cell cell(std::vector<Branch>(3, Branch(Compartment(), 2)), {-1, 0, 0});
  cell.insert(channels::HH());
  auto net = std::make_unique<Network>(std::vector<Cell>{cell, cell, cell});
  net->cell(2).set("v", -62.0);
  connect(net->cell(0).branch(0).comp(0), net->cell(1).branch(1).comp(1), synapses::IonotropicSynapse());
  connect(net->cell(2).branch(2).comp(1), net->cell(1).branch(1).comp(1), synapses::IonotropicSynapse());
  connect(net->cell(0).branch(2).comp(0), net->cell(1).branch(1).comp(1), synapses::TanhRateSynapse());
  connect(net->cell(1).branch(0).comp(0), net->cell(2).branch(0).comp(1), synapses::TanhConductanceSynapse());
  connect(net->cell(1).branch(1).comp(1), net->cell(0).branch(1).comp(0), synapses::IonotropicSynapse());
  // Weights near Jaxley's defaults: net3's strong weights (1e-2 uS and more) make this
  // network chaotic within 10 ms (gradients of 1e13 and more), where no finite difference
  // is a reference.
  net->synapses("IonotropicSynapse").edge(1).set("IonotropicSynapse_gS", 5e-4);
  net->synapses("TanhConductanceSynapse").set("TanhConductanceSynapse_x_offset", -60.0);
  net->cell(0).branch(0).comp(0).stimulate(step_current(1.0, 5.0, 0.3, 0.025, 10.0));
  net->cell(2).branch(2).comp(1).stimulate(step_current(4.0, 5.0, 0.2, 0.025, 10.0));
  net->cell(0).branch(0).comp(0).record("v");
  net->cell(1).branch(1).comp(1).record("v");
  net->cell(2).branch(0).comp(1).record("v");
  net->synapses("IonotropicSynapse").edge(0).record("IonotropicSynapse_s");
  net->synapses("IonotropicSynapse").make_trainable("IonotropicSynapse_gS");
  net->synapses("TanhRateSynapse").make_trainable("TanhRateSynapse_gS");
  net->synapses("TanhConductanceSynapse").make_trainable("TanhConductanceSynapse_gS");
  net->synapses("IonotropicSynapse").make_trainable("IonotropicSynapse_s");
  net->cell("all").make_trainable("HH_gNa");
  net->cell(1).branch("all").make_trainable("radius");
  net->make_trainable("axial_resistivity");
  return net;
}


// Networks: the compiled adjoint against central differences of the interpreter's loss,
// for every trainable group (synapse weights and states per edge, conductances per cell,
// radius per branch, axial resistivity), with bwd_euler and crank_nicolson.
TEST(Gradients, NetworkMatchesCentralFiniteDifferences) {
  auto net = gradient_network();
  const LossFunction loss = loss_of(json{{"loss", {{"type", "weighted"}}}});
  for (const char* solver : {"bwd_euler", "crank_nicolson"}) {
    IntegrateOptions o;
    o.t_max = 10.0;  // ms
    o.solver = solver;
    o.params = get_parameters(*net);
    Vjp f = vjp(*net, o);
    ASSERT_TRUE(f.stats().compiled);
    std::vector<double> cot(f.result.data.size(), 0.0);
    const double value = loss(f.result, cot);
    EXPECT_EQ(value, loss_value(*net, o, loss, true));  // the forward pass is the interpreter's, bit for bit
    const Gradients grad = f(cot);
    double worst = 0.0;
    int checked = 0;
    for (std::size_t t = 0; t < o.params.size(); ++t)
      for (std::size_t g = 0; g < o.params[t].size(); ++g) {
        const double x = o.params[t][g], h = 1e-5 * std::max(std::abs(x), 1e-3);
        IntegrateOptions plus = o, minus = o;
        plus.params[t][g] = x + h;
        minus.params[t][g] = x - h;
        const double fd = (loss_value(*net, plus, loss, true) - loss_value(*net, minus, loss, true)) / (2.0 * h);
        const double got = grad.params[t][g];
        const double rel = std::abs(got - fd) / std::max(std::abs(fd), 1e-9 * std::abs(value));
        worst = std::max(worst, rel);
        ++checked;
        EXPECT_LE(rel, 1e-5) << solver << " " << net->trainables()[t].key << "[" << g << "]: adjoint " << got << " fd " << fd;
      }
    EXPECT_EQ(checked, 1 + 1 + 1 + 1 + 3 + 3 + 1);  // a synapse type's make_trainable: one shared value
    std::cout << "[ grad ] network (" << solver << "): max relative deviation from central differences " << worst << "\n";
  }
}

// Network gradients against real Jaxley's jax.grad (tests/reference/jaxley_net_grad, written
// by make_net_grad_refs.py there): synapse weights per edge and shared, synapse initial
// states and reversal potentials, conductances per cell, radius per branch, axial
// resistivity and initial voltages, with bwd_euler and crank_nicolson.
class NetworkGradientVsJaxley : public ::testing::TestWithParam<std::string> {};

TEST_P(NetworkGradientVsJaxley, MatchesJaxGrad) {
  const fs::path dir = fs::path(test::source_dir()) / "tests" / "reference" / "jaxley_net_grad";
  json c;
  {
    std::ifstream in(dir / "cases.json");
    const json all = json::parse(in);
    for (const json& x : all.at("cases"))
      if (x.at("name") == GetParam()) c = x;
  }
  ASSERT_FALSE(c.is_null()) << GetParam();
  std::ifstream in(dir / (GetParam() + ".json"));
  const json ref = json::parse(in);
  auto net = test::build_network_case(c);
  const IntegrateOptions o = test::network_options(*net, c.at("integrate"));
  const double worst = expect_matches_reference(*net, o, loss_of(c), ref);
  std::cout << "[ grad ] " << GetParam() << ": max relative deviation from jax.grad " << worst << "\n";
}

INSTANTIATE_TEST_SUITE_P(Cases, NetworkGradientVsJaxley,
                         ::testing::Values("net3_grad_all_types", "net3_grad_cn_mse", "net2_grad_ionotropic"));

// The interpreter's adjoint has no synapses; recorded synapse currents are not covered yet.
TEST(Gradients, NetworkLimitsSayWhat) {
  auto net = gradient_network();
  IntegrateOptions o;
  o.t_max = 1.0;  // ms
  o.backend = "interpreter";
  expect_not_supported(*net, o, "synapse");
  o.backend = "auto";
  net->synapses("TanhRateSynapse").record("i_TanhRateSynapse");
  expect_not_supported(*net, o, "i_TanhRateSynapse");
}

}  // namespace
}  // namespace ranvier

// Networks and synapses against real Jaxley 0.14 (float64): every case of
// tests/reference/jaxley_net/cases.json (2 to 50 cells, branched cells, all three built-in
// synapse types, several synapses onto one compartment, per-synapse set, trainables and
// data_set of synapse parameters, bwd_euler / crank_nicolson / jax.sparse), recordings of v,
// channel states, synapse states and synapse currents. Then structural checks of the network
// model (forest, views, connection helpers) and the backend selection for synapses.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "api/compile.h"
#include "frontend/read_swc.h"
#include "frontend/swc.h"
#include "ir/error.h"
#include "network_case.h"
#include "passes/dhs_schedule.h"
#include "runtime/cell_partition.h"

namespace ranvier {
namespace {

constexpr double kTolerance = 1e-8;  // in the recorded state's unit (mV for v, nA for currents)

class NetworkCase : public ::testing::TestWithParam<std::string> {};

// Compares every recording with the case's Jaxley CSV; returns the largest deviation.
double compare_with_jaxley(const Result& r, const std::string& name, const std::string& backend) {
  auto csv = test::read_csv(test::source_dir() + "/tests/reference/jaxley_net/" + name + ".csv");
  EXPECT_EQ(static_cast<std::size_t>(r.n_recordings) + 1, csv.header.size()) << "number of recordings";
  if (static_cast<std::size_t>(r.n_recordings) + 1 != csv.header.size()) return 1e300;
  double case_worst = 0.0;
  for (int i = 0; i < r.n_recordings; ++i) {
    const auto& expected = csv.columns[static_cast<std::size_t>(i) + 1];
    EXPECT_EQ(static_cast<std::size_t>(r.n_samples), expected.size()) << csv.header[i + 1] << ": number of samples";
    if (static_cast<std::size_t>(r.n_samples) != expected.size()) return 1e300;
    double worst = 0.0;
    int at = 0;
    for (int t = 0; t < r.n_samples; ++t) {
      double d = std::abs(r(i, t) - expected[static_cast<std::size_t>(t)]);
      if (!(d <= worst)) worst = d, at = t;  // also catches NaN
    }
    EXPECT_LT(worst, kTolerance) << backend << " " << csv.header[i + 1] << " (recording " << i
                                 << "): max |ranvier - jaxley| = " << worst << " at sample " << at;
    case_worst = std::max(case_worst, worst);
  }
  std::printf("[ %s: max |ranvier - jaxley| over %d recordings x %d samples: %.3g ]\n", backend.c_str(), r.n_recordings,
              r.n_samples, case_worst);
  return case_worst;
}

TEST_P(NetworkCase, MatchesJaxley) {
  const test::json c = test::network_case(GetParam());
  auto net = test::build_network_case(c);
  IntegrateOptions opt = test::network_options(*net, c.at("integrate"));
  opt.backend = "interpreter";
  Result r = integrate(*net, opt);
  compare_with_jaxley(r, GetParam(), "interpreter");
  // The compiled backend solves the tree with DHS only (jax.sparse runs on the interpreter).
  if (opt.voltage_solver == "jax.sparse") return;
  opt.backend = "jit";
  Result rj = integrate(*net, opt);
  compare_with_jaxley(rj, GetParam(), "jit");
  // And the JIT equals the interpreter that uses the kernel's exp to ~1e-12 relative.
  opt.backend = "interpreter";
  opt.interpreter_uses_kernel_exp = true;
  Result rk = integrate(*net, opt);
  double worst = 0.0;
  for (std::size_t x = 0; x < rk.data.size(); ++x)
    worst = std::max(worst, std::abs(rj.data[x] - rk.data[x]) / std::max(1.0, std::abs(rk.data[x])));
  EXPECT_LT(worst, 1e-10) << "jit vs interpreter (kernel exp)";
  std::printf("[ jit vs interpreter (kernel exp): max relative difference %.3g ]\n", worst);
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& c : test::network_cases()) names.push_back(c.at("name"));
  return names;
}

INSTANTIATE_TEST_SUITE_P(Reference, NetworkCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

Cell hh_cell(int ncomp, std::vector<int> parents) {
  Cell c(Branch(Compartment(), ncomp), parents);
  c.insert(channels::HH());
  return c;
}

TEST(Network, IsAForestWithOneRootPerCell) {
  Network net({hh_cell(2, {-1, 0, 0}), hh_cell(1, {-1}), hh_cell(3, {-1, 0})});
  EXPECT_EQ(net.n_cells(), 3);
  EXPECT_EQ(net.n_comp(), 6 + 1 + 6);
  EXPECT_EQ(net.parents(), (std::vector<int>{-1, 0, 0, -1, -1, 4}));
  ir::Model m = net.lower();
  EXPECT_EQ(m.n_bp, 2);  // one per parent branch with children: cell 0 branch 0, cell 2 branch 0
  // No edge couples two cells.
  for (const auto& e : m.edges) {
    auto cell_of_node = [&](int node) { return node < m.n_comp ? net.cell_of(node) : -1; };
    if (e.source < m.n_comp && e.sink < m.n_comp) {
      EXPECT_EQ(cell_of_node(e.source), cell_of_node(e.sink));
    }
  }
  // The DHS schedule has one root per cell (comp 0 of each) and eliminates every other node.
  ir::DhsSchedule s = passes::dhs_schedule(m, 1);
  std::vector<int> roots;
  for (int n = 0; n < m.n_nodes(); ++n)
    if (s.parent[n] < 0) roots.push_back(n);
  EXPECT_EQ(roots, (std::vector<int>{0, 6, 7}));
  std::size_t eliminated = 0;
  for (const auto& level : s.levels) eliminated += level.size();
  EXPECT_EQ(eliminated, static_cast<std::size_t>(m.n_nodes() - 3));
}

TEST(Network, UnconnectedCellsEqualSeparateSimulations) {
  // Without synapses the cells of a network evolve exactly as when simulated alone, with
  // every voltage solver (the forest must not couple them).
  for (const char* solver : {"jaxley.dhs", "jaxley.dhs.gpu", "jax.sparse", "jaxley.stone", "dhs width 4"}) {
    const bool wide = std::string(solver) == "dhs width 4";
    // jaxley.stone needs unbranched cells; the tridiagonal solve sees no edge between cells.
    const bool stone = std::string(solver) == "jaxley.stone";
    Cell a = stone ? hh_cell(4, {-1}) : hh_cell(2, {-1, 0, 0}), b = hh_cell(3, {-1});
    const int sb = stone ? 0 : 1, rb_ = stone ? 0 : 2;  // stimulated / recorded branch of a
    a.branch(sb).comp(1).stimulate(step_current(1.0, 3.0, 0.3, 0.025, 5.0));
    a.branch(rb_).comp(0).record("v");
    b.set("v", -60.0);
    b.branch(0).comp(2).record("v");
    Network net({a, b});
    net.cell(0).branch(sb).comp(1).stimulate(step_current(1.0, 3.0, 0.3, 0.025, 5.0));
    net.cell(0).branch(rb_).comp(0).record("v");
    net.cell(1).branch(0).comp(2).record("v");
    if (wide) {
      // Levels of up to 4 nodes mix the cells; each cell's eliminations keep their order.
      a.set_allowed_nodes_per_level(4);
      b.set_allowed_nodes_per_level(4);
      net.set_allowed_nodes_per_level(4);
    }
    IntegrateOptions opt;
    opt.t_max = 5.0;
    opt.voltage_solver = wide ? "jaxley.dhs" : solver;
    opt.backend = "interpreter";
    Result ra = integrate(a, opt), rb = integrate(b, opt), rn = integrate(net, opt);
    // The tree solves eliminate each cell exactly as alone (bit-identical); the general sparse
    // LU factors the whole matrix with its own scaling and ordering, so it agrees to rounding
    // (amplified to ~1e-11 mV during spikes).
    const double tol = std::string(solver) == "jax.sparse" ? 1e-9 : 0.0;
    for (int t = 0; t < rn.n_samples; ++t) {
      EXPECT_NEAR(rn(0, t), ra(0, t), tol) << solver;
      EXPECT_NEAR(rn(1, t), rb(0, t), tol) << solver;
    }
  }
}

TEST(Network, ReconstructedCellsKeepTheirGeometryAndGroups) {
  // Two SWC cells (frustum geometry, groups) in a network: groups are offset per cell, and
  // without synapses each cell evolves exactly as alone (DHS, JIT).
  swc::ReadOptions o;
  o.ncomp = 2;
  Cell a = ranvier::read_swc(test::shared_dir() + "/data/morphologies/morph_3_types.swc", o);
  Cell b = ranvier::read_swc(test::shared_dir() + "/data/morphologies/morph_ca1_n120.swc", o);
  a.insert(channels::HH());
  b.insert(channels::HH());
  Network net({a, b});
  EXPECT_EQ(net.n_comp(), a.n_comp() + b.n_comp());
  EXPECT_EQ(net.group("soma").comps().size(), a.group("soma").comps().size() + b.group("soma").comps().size());
  EXPECT_EQ(net.column("area")[static_cast<std::size_t>(a.n_comp())], b.column("area")[0]);
  a.branch(0).comp(0).stimulate(step_current(0.5, 2.0, 0.5, 0.025, 4.0));
  a.branch(1).comp(1).record("v");
  b.branch(3).comp(0).record("v");
  net.cell(0).branch(0).comp(0).stimulate(step_current(0.5, 2.0, 0.5, 0.025, 4.0));
  net.cell(0).branch(1).comp(1).record("v");
  net.cell(1).branch(3).comp(0).record("v");
  IntegrateOptions opt;
  opt.t_max = 4.0;
  Result ra = integrate(a, opt), rb = integrate(b, opt), rn = integrate(net, opt);
  for (int t = 0; t < rn.n_samples; ++t) {
    EXPECT_EQ(rn(0, t), ra(0, t));
    EXPECT_EQ(rn(1, t), rb(0, t));
  }
}

TEST(Network, UnconnectedNetworkOnTheJitEqualsTheInterpreter) {
  Network net({hh_cell(2, {-1, 0, 0}), hh_cell(3, {-1})});
  net.cell(1).stimulate(step_current(1.0, 3.0, 0.3, 0.025, 5.0));
  net.cell("all").branch(0).comp(0).record("v");
  IntegrateOptions opt;
  opt.t_max = 5.0;
  opt.backend = "interpreter";
  opt.interpreter_uses_kernel_exp = true;
  Result ri = integrate(net, opt);
  opt.backend = "auto";
  Result rj = integrate(net, opt);
  for (int i = 0; i < ri.n_recordings; ++i)
    for (int t = 0; t < ri.n_samples; ++t) EXPECT_NEAR(rj(i, t), ri(i, t), 1e-10 * std::abs(ri(i, t)));
}

TEST(Network, JitBatchWithDifferentSynapseParametersPerLane) {
  // One compiled network, 5 lanes that differ in a synapse parameter (data_set), a trainable
  // synapse parameter and the stimulus; every lane equals its own interpreter run.
  Network net({hh_cell(2, {-1, 0, 0}), hh_cell(1, {-1}), hh_cell(1, {-1})});
  connect(net.cell(0).branch(2).comp(1), net.cell(1), synapses::IonotropicSynapse());
  connect(net.cell(1), net.cell(2), synapses::TanhConductanceSynapse());
  connect(net.cell(0).branch(1).comp(0), net.cell(2), synapses::IonotropicSynapse());
  net.synapses("IonotropicSynapse").edge(0).make_trainable("IonotropicSynapse_gS");
  net.cell("all").branch(0).comp(0).record("v");
  net.synapses("IonotropicSynapse").record("IonotropicSynapse_s");
  net.synapses("TanhConductanceSynapse").record("i_TanhConductanceSynapse");
  std::vector<IntegrateOptions> lanes(5);
  for (int b = 0; b < 5; ++b) {
    lanes[b].t_max = 8.0;
    lanes[b].params = {{0.01 * (b + 1)}};
    lanes[b].param_state = {{"TanhConductanceSynapse_gS", {0}, {0.001 * b}}, {"IonotropicSynapse_k_minus", {1}, {0.02 + 0.01 * b}}};
    lanes[b].data_stimuli = {{0, step_current(1.0, 3.0, 0.2 + 0.05 * b, 0.025, 8.0)}};
  }
  CompiledModel m = compile(net);
  runtime::BatchResult batch = m.integrate(lanes);
  for (int b = 0; b < 5; ++b) {
    IntegrateOptions o = lanes[b];
    o.backend = "interpreter";
    o.interpreter_uses_kernel_exp = true;
    Result r = integrate(net, o);
    for (int i = 0; i < r.n_recordings; ++i)
      for (int t = 0; t < r.n_samples; ++t)
        ASSERT_NEAR(batch(b, i, t), r(i, t), 1e-10 * std::max(1.0, std::abs(r(i, t)))) << "lane " << b << " recording " << i;
  }
}

TEST(Network, SymbolicAndFloat32SynapseLinearisation) {
  // The exact derivative of the current along (v_pre + h, v_post + h) and the float32
  // kernels stay close to Jaxley's finite difference on a spiking network with all types.
  const test::json c = test::network_case("net3_branched_all_types");
  auto net = test::build_network_case(c);
  IntegrateOptions opt = test::network_options(*net, c.at("integrate"));
  Result fd = compile(*net).integrate(opt);
  CompileOptions symbolic, f32;
  symbolic.symbolic_derivative = true;
  f32.float32 = true;
  Result exact = compile(*net, symbolic).integrate(opt);
  Result single = compile(*net, f32).integrate(opt);
  double worst_exact = 0.0, worst_f32 = 0.0;
  for (std::size_t i = 0; i < fd.data.size(); ++i) {
    worst_exact = std::max(worst_exact, std::abs(fd.data[i] - exact.data[i]));
    worst_f32 = std::max(worst_f32, std::abs(exact.data[i] - single.data[i]));
  }
  std::printf("[ symbolic vs finite difference: %.3g; float32 vs float64 (both symbolic): %.3g ]\n", worst_exact, worst_f32);
  EXPECT_GT(worst_exact, 0.0);
  EXPECT_LT(worst_exact, 1e-2);
  EXPECT_LT(worst_f32, 1e-2);
  EXPECT_NE(compile(*net, symbolic).source(Stage::Linearized).find("synapse kernel: TanhRateSynapse"), std::string::npos);
}

TEST(Network, DataSetOfASynapseStateEqualsSet) {
  // data_set / params of an initial synapse state act like set() on the module (both backends).
  auto make = [](bool with_set) {
    auto net = std::make_unique<Network>(std::vector<Cell>{hh_cell(1, {-1}), hh_cell(2, {-1, 0})});
    connect(net->cell(0), net->cell(1).branch(1).comp(1), synapses::IonotropicSynapse());
    connect(net->cell(1).branch(0).comp(0), net->cell(0), synapses::IonotropicSynapse());
    net->synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 0.03);
    if (with_set) {
      net->synapses("IonotropicSynapse").edge(1).set("IonotropicSynapse_s", 0.7);
      net->synapses("IonotropicSynapse").edge(0).set("IonotropicSynapse_e_syn", -20.0);
    } else {
      net->synapses("IonotropicSynapse").edge(0).make_trainable("IonotropicSynapse_e_syn");
    }
    net->cell("all").branch(0).comp(0).record("v");
    net->synapses("IonotropicSynapse").record("IonotropicSynapse_s");
    return net;
  };
  auto a = make(true), b = make(false);
  for (const char* backend : {"interpreter", "jit"}) {
    IntegrateOptions opt;
    opt.t_max = 3.0;
    opt.backend = backend;
    Result ra = integrate(*a, opt);
    opt.param_state = {{"IonotropicSynapse_s", {1}, {0.7}}};
    opt.params = {{-20.0}};
    Result rb = integrate(*b, opt);
    EXPECT_EQ(ra.data, rb.data) << backend;
    EXPECT_EQ(ra(3, 0), 0.7);
  }
}

TEST(Network, JitContinuesSynapseStates) {
  Network net({hh_cell(1, {-1}), hh_cell(1, {-1})});
  connect(net.cell(0), net.cell(1), synapses::IonotropicSynapse());
  net.synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 0.05);
  net.cell(0).stimulate(std::vector<double>(400, 0.5));
  net.cell(1).record("v");
  net.synapses("IonotropicSynapse").record("IonotropicSynapse_s");
  IntegrateOptions opt;
  opt.backend = "jit";
  opt.t_max = 4.0;
  Result whole = integrate(net, opt);
  opt.t_max = 2.0;
  opt.return_states = true;
  Result first = integrate(net, opt);
  IntegrateOptions next;
  next.backend = "jit";
  next.t_max = 2.0;
  next.all_states = first.states;
  Result second = integrate(net, next);
  for (int i = 0; i < 2; ++i)
    for (int t = 0; t < second.n_samples; ++t) EXPECT_DOUBLE_EQ(second(i, t), whole(i, t + 80));
}

TEST(Network, ViewsAreLocalToTheCell) {
  Network net({hh_cell(2, {-1, 0, 0}), hh_cell(3, {-1, 0})});
  EXPECT_EQ(net.cell(1).comps(), (std::vector<int>{6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(net.cell(1).branch(1).comps(), (std::vector<int>{9, 10, 11}));
  EXPECT_EQ(net.cell(1).branch(1).comp(2).comps(), (std::vector<int>{11}));
  EXPECT_EQ(net.cell("all").branch(0).comp(0).comps(), (std::vector<int>{0, 6}));
  EXPECT_EQ(net.cell(0).branch(2).loc(1.0).comps(), (std::vector<int>{5}));
}

TEST(Network, ConnectionHelpersFollowJaxleysOrder) {
  Network net({hh_cell(2, {-1, 0}), hh_cell(1, {-1}), hh_cell(1, {-1})});
  fully_connect(net.cell(0), net.cell("all"), synapses::TanhRateSynapse());
  const auto& g = net.synapse_groups().at(0);
  EXPECT_EQ(g.pre, (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(g.post, (std::vector<int>{0, 4, 5}));
  connectivity_matrix_connect(net.cell("all"), net.cell("all"), synapses::IonotropicSynapse(),
                              {{false, true, true}, {true, false, false}, {false, true, false}});
  const auto& h = net.synapse_groups().at(1);
  EXPECT_EQ(h.pre, (std::vector<int>{0, 0, 4, 5}));
  EXPECT_EQ(h.post, (std::vector<int>{4, 5, 0, 4}));
  EXPECT_EQ(net.n_synapses(), 7);
}

TEST(Network, TrainableGroupsFollowJaxley) {
  // Jaxley 0.14 on this network: edge("all") -> one value per synapse (9), the type -> one
  // shared value, cell("all") -> one per cell (3), cell(1).branch("all") -> one per branch (3).
  Network net({hh_cell(2, {-1, 0, 0}), hh_cell(2, {-1, 0, 0}), hh_cell(2, {-1, 0, 0})});
  fully_connect(net.cell("all"), net.cell("all"), synapses::IonotropicSynapse());
  net.synapses("IonotropicSynapse").edge("all").make_trainable("IonotropicSynapse_gS");
  net.synapses("IonotropicSynapse").make_trainable("IonotropicSynapse_k_minus");
  net.cell("all").make_trainable("radius");
  net.cell(1).branch("all").make_trainable("length");
  ASSERT_EQ(net.trainables().size(), 4u);
  EXPECT_EQ(net.trainables()[0].groups.size(), 9u);
  EXPECT_EQ(net.trainables()[1].groups.size(), 1u);
  EXPECT_EQ(net.trainables()[2].groups.size(), 3u);
  EXPECT_EQ(net.trainables()[3].groups.size(), 3u);
  EXPECT_EQ(net.trainables()[3].groups[2], (std::vector<int>{10, 11}));
}

TEST(Network, SparseConnectIsReproducibleFromTheSeed) {
  std::vector<Cell> cells(20, hh_cell(1, {-1}));
  Network a(cells), b(cells), c(cells);
  sparse_connect(a.cell("all"), a.cell("all"), synapses::IonotropicSynapse(), 0.3, 42);
  sparse_connect(b.cell("all"), b.cell("all"), synapses::IonotropicSynapse(), 0.3, 42);
  sparse_connect(c.cell("all"), c.cell("all"), synapses::IonotropicSynapse(), 0.3, 43);
  ASSERT_FALSE(a.synapse_groups().empty());
  EXPECT_EQ(a.synapse_groups()[0].pre, b.synapse_groups()[0].pre);
  EXPECT_EQ(a.synapse_groups()[0].post, b.synapse_groups()[0].post);
  EXPECT_NE(a.synapse_groups()[0].post, c.synapse_groups()[0].post);
  // About p * 400 synapses, sorted by presynaptic cell.
  int n = a.synapse_groups()[0].size();
  EXPECT_GT(n, 80);
  EXPECT_LT(n, 160);
  EXPECT_TRUE(std::is_sorted(a.synapse_groups()[0].pre.begin(), a.synapse_groups()[0].pre.end()));
}

// Jaxley's random_post_comp: every postsynaptic compartment is one of its cell's compartments
// in the view, drawn uniformly; the same seed gives the same network.
TEST(Network, RandomPostCompDrawsWithinThePostView) {
  std::vector<Cell> cells(8, hh_cell(2, {-1, 0, 0}));  // 6 compartments per cell
  auto post_comps = [&](std::uint64_t seed, int helper) {
    Network net(cells);
    const View post = net.cell("all").branch(2);  // the last 2 compartments of every cell
    if (helper == 0) fully_connect(net.cell("all"), post, synapses::IonotropicSynapse(), {true, seed});
    if (helper == 1) sparse_connect(net.cell("all"), post, synapses::IonotropicSynapse(), 0.5, seed, true);
    if (helper == 2) {
      std::vector<std::vector<bool>> all(8, std::vector<bool>(8, true));
      connectivity_matrix_connect(net.cell("all"), post, synapses::IonotropicSynapse(), all, {true, seed});
    }
    const auto& g = net.synapse_groups().at(0);
    std::vector<int> out;
    for (int e = 0; e < g.size(); ++e) {
      const int comp = g.post[static_cast<std::size_t>(e)];
      EXPECT_GE(comp % 6, 4) << "compartment " << comp << " is not in branch 2 of its cell";
      out.push_back(comp);
    }
    return out;
  };
  for (int helper : {0, 1, 2}) {
    const std::vector<int> a = post_comps(7, helper), b = post_comps(7, helper), c = post_comps(8, helper);
    EXPECT_EQ(a, b) << "helper " << helper;
    EXPECT_NE(a, c) << "helper " << helper;
    // Both compartments of the view are drawn (64 or ~32 draws between two choices).
    EXPECT_GT(std::count_if(a.begin(), a.end(), [](int comp) { return comp % 6 == 4; }), 0) << "helper " << helper;
    EXPECT_GT(std::count_if(a.begin(), a.end(), [](int comp) { return comp % 6 == 5; }), 0) << "helper " << helper;
  }
  // The default stays the first compartment in view.
  Network net(cells);
  fully_connect(net.cell(0), net.cell(1).branch(2), synapses::IonotropicSynapse());
  EXPECT_EQ(net.synapse_groups().at(0).post, std::vector<int>{10});
}

TEST(Network, SynapseStatesContinueFromAllStates) {
  // A run of 2 ms continued for 2 ms equals one run of 4 ms (synapse states are carried).
  auto make = [] {
    auto net = std::make_unique<Network>(std::vector<Cell>{hh_cell(1, {-1}), hh_cell(1, {-1})});
    connect(net->cell(0), net->cell(1), synapses::IonotropicSynapse());
    net->synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 0.05);
    net->cell(0).stimulate(std::vector<double>(400, 0.5));
    net->cell(1).record("v");
    net->synapses("IonotropicSynapse").record("IonotropicSynapse_s");
    return net;
  };
  auto net = make();
  IntegrateOptions opt;
  opt.t_max = 4.0;
  Result whole = integrate(*net, opt);
  opt.t_max = 2.0;
  opt.return_states = true;
  Result first = integrate(*net, opt);
  IntegrateOptions next;
  next.t_max = 2.0;
  next.all_states = first.states;
  Result second = integrate(*net, next);
  for (int i = 0; i < 2; ++i)
    for (int t = 0; t < second.n_samples; ++t) EXPECT_DOUBLE_EQ(second(i, t), whole(i, t + 80));
}

}  // namespace
}  // namespace ranvier

namespace ranvier {
namespace {

// A network of differently shaped cells with synapses of every type, clamps and recordings
// of voltages, synapse states and currents in every cell.
Network threaded_test_network() {
  std::vector<Cell> cells;
  for (int c = 0; c < 7; ++c) cells.push_back(c % 3 == 0 ? hh_cell(3, {-1, 0, 0, 1}) : c % 3 == 1 ? hh_cell(2, {-1}) : hh_cell(4, {-1, 0}));
  Network net(cells);
  for (int c = 0; c < 6; ++c) connect(net.cell(c).branch(0).comp(0), net.cell(c + 1).branch(0).comp(1), synapses::IonotropicSynapse());
  connect(net.cell(6).branch(0).comp(0), net.cell(0).branch(1).comp(2), synapses::TanhConductanceSynapse());
  connect(net.cell(3).branch(0).comp(0), net.cell(1).branch(0).comp(1), synapses::TanhRateSynapse());
  net.synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 0.02);  // uS
  net.cell(0).branch(0).comp(0).stimulate(step_current(1.0, 4.0, 0.3, 0.025, 10.0));
  net.cell(5).branch(0).comp(0).clamp("HH_m", std::vector<double>(400, 0.1));
  for (int c = 0; c < 7; ++c) net.cell(c).branch(0).comp(1).record("v");
  net.synapses("IonotropicSynapse").record("IonotropicSynapse_s");
  net.synapses("TanhRateSynapse").record("i_TanhRateSynapse");
  return net;
}

TEST(Network, CellPartitionCoversEveryNodeAndPairOnce) {
  Network net = threaded_test_network();
  const ir::Model m = net.lower();
  const ir::DhsSchedule s = passes::dhs_schedule(m, 1);
  std::size_t n_pairs = 0;
  for (const auto& level : s.levels) n_pairs += level.size();
  for (int parts : {1, 2, 3, 7, 20}) {
    const auto p = runtime::partition_cells(m, s, parts);
    EXPECT_EQ(p.size(), static_cast<std::size_t>(std::min(parts, 7))) << parts;
    std::vector<int> seen_node(m.n_nodes(), 0), seen_pair(n_pairs, 0);
    int comp = 0;
    for (const auto& part : p) {
      EXPECT_EQ(part.comp_begin, comp);  // consecutive compartment ranges
      comp = part.comp_end;
      for (int i : part.nodes) ++seen_node[i];
      for (int k : part.elimination) ++seen_pair[k];
      EXPECT_TRUE(std::is_sorted(part.elimination.begin(), part.elimination.end()));
    }
    EXPECT_EQ(comp, m.n_comp);
    EXPECT_EQ(std::count(seen_node.begin(), seen_node.end(), 1), m.n_nodes()) << parts;
    EXPECT_EQ(std::count(seen_pair.begin(), seen_pair.end(), 1), static_cast<long>(n_pairs)) << parts;
  }
  // One cell: always one part.
  Cell single = hh_cell(3, {-1, 0, 0});
  const ir::Model one = single.lower();
  EXPECT_EQ(runtime::partition_cells(one, passes::dhs_schedule(one, 1), 4).size(), 1u);
}

TEST(Network, CellBlocksSplitEachPartIntoRunsOfWholeCells) {
  Network net = threaded_test_network();  // cells of 12, 2 and 8 compartments
  const ir::Model m = net.lower();
  const ir::DhsSchedule s = passes::dhs_schedule(m, 1);
  std::size_t n_pairs = 0;
  for (const auto& level : s.levels) n_pairs += level.size();
  for (int parts : {1, 2, 3}) {
    const auto whole_parts = runtime::partition_cells(m, s, parts);
    for (int block_comps : {1, 5, 13, 1000}) {
      const auto p = runtime::partition_cell_blocks(m, s, parts, block_comps);
      ASSERT_EQ(p.size(), whole_parts.size()) << parts << " " << block_comps;
      std::vector<int> seen_node(m.n_nodes(), 0), seen_pair(n_pairs, 0);
      int comp = 0;
      for (std::size_t t = 0; t < p.size(); ++t) {
        EXPECT_EQ(p[t].front().comp_begin, whole_parts[t].comp_begin);
        EXPECT_EQ(p[t].back().comp_end, whole_parts[t].comp_end);
        std::vector<int> part_nodes;
        for (std::size_t k = 0; k < p[t].size(); ++k) {
          const auto& block = p[t][k];
          EXPECT_EQ(block.comp_begin, comp);
          comp = block.comp_end;
          if (k + 1 < p[t].size()) {
            EXPECT_GE(block.comp_end - block.comp_begin, block_comps);
          }
          for (int i : block.nodes) ++seen_node[i], part_nodes.push_back(i);
          for (int q : block.elimination) ++seen_pair[q];
          EXPECT_TRUE(std::is_sorted(block.elimination.begin(), block.elimination.end()));
        }
        std::sort(part_nodes.begin(), part_nodes.end());
        EXPECT_EQ(part_nodes, whole_parts[t].nodes);
      }
      EXPECT_EQ(comp, m.n_comp);
      EXPECT_EQ(std::count(seen_node.begin(), seen_node.end(), 1), m.n_nodes());
      EXPECT_EQ(std::count(seen_pair.begin(), seen_pair.end(), 1), static_cast<long>(n_pairs));
    }
  }
  // Block size 1: every cell its own block.
  EXPECT_EQ(runtime::partition_cell_blocks(m, s, 1, 1)[0].size(), 7u);
}

// The compiled runner stores synapses in postsynaptic order and runs synapses, channels and
// the tree solve block of cells after block of cells. Synapses out of postsynaptic order
// (two onto one compartment), many blocks in a large batch, and recorded and continued
// synapse states must still equal the interpreter lane by lane.
TEST(Network, BlocksOfCellsInALargeBatchEqualTheInterpreter) {
  Network net = threaded_test_network();
  connect(net.cell(4).branch(0).comp(0), net.cell(0).branch(0).comp(1), synapses::IonotropicSynapse());
  connect(net.cell(2).branch(0).comp(0), net.cell(0).branch(0).comp(1), synapses::IonotropicSynapse());
  net.synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 0.02);  // uS
  net.synapses("IonotropicSynapse").edge(7).record("IonotropicSynapse_s");
  const int B = 512;  // 4096 node-lanes per block: blocks of about 8 compartments, single cells
  std::vector<IntegrateOptions> lanes(B);
  for (int b = 0; b < B; ++b) {
    lanes[b].t_max = 10.0;  // ms
    lanes[b].return_states = true;
    lanes[b].param_state = {{"IonotropicSynapse_k_minus", {7}, {0.02 + 1e-4 * b}}};
  }
  CompileOptions co;
  co.threads = 1;
  const CompiledModel m = compile(net, co);
  const runtime::BatchResult batch = m.integrate(lanes);
  for (int b : {0, 137, B - 1}) {
    IntegrateOptions o = lanes[b];
    o.backend = "interpreter";
    o.interpreter_uses_kernel_exp = true;
    const Result r = integrate(net, o);
    for (int i = 0; i < r.n_recordings; ++i)
      for (int t = 0; t < r.n_samples; ++t) ASSERT_EQ(batch(b, i, t), r(i, t)) << "lane " << b << " recording " << i << " sample " << t;
    ASSERT_TRUE(r.states.has_value());
    const States& want = *r.states;
    ASSERT_EQ(batch.states[static_cast<std::size_t>(b)].names, want.names);
    for (std::size_t k = 0; k < want.values.size(); ++k)
      for (std::size_t i = 0; i < want.values[k].size(); ++i) {
        if (std::isnan(want.values[k][i])) continue;  // the interpreter's filler at branchpoints of compartment states
        ASSERT_EQ(batch.states[static_cast<std::size_t>(b)].values[k][i], want.values[k][i]) << want.names[k] << " " << i;
      }
  }
}

// One simulation of 60 cells (4200 compartments: two blocks on one thread) with synapses
// drawn at random, so that their order is not the postsynaptic order.
TEST(Network, BlocksOfCellsInOneSimulationEqualTheInterpreter) {
  Network net(std::vector<Cell>(60, hh_cell(10, {-1, 0, 0, 1, 1, 2, 2})));
  sparse_connect(net.cell("all"), net.cell("all"), synapses::IonotropicSynapse(), 0.05, 7);
  net.synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 0.05);  // uS
  for (int c = 0; c < 60; c += 7) net.cell(c).branch(0).comp(0).stimulate(step_current(0.5, 4.0, 0.4, 0.025, 10.0));
  for (int c = 0; c < 60; c += 5) net.cell(c).branch(3).comp(4).record("v");
  net.synapses("IonotropicSynapse").record("IonotropicSynapse_s");
  IntegrateOptions opt;
  opt.t_max = 10.0;  // ms
  opt.backend = "interpreter";
  opt.interpreter_uses_kernel_exp = true;
  const Result ri = integrate(net, opt);
  for (int threads : {1, 2}) {
    CompileOptions co;
    co.threads = threads;
    const Result rj = compile(net, co).integrate(opt);
    ASSERT_EQ(rj.data.size(), ri.data.size());
    for (std::size_t i = 0; i < ri.data.size(); ++i) ASSERT_EQ(rj.data[i], ri.data[i]) << threads << " threads, value " << i;
  }
}

// A synapse type defined by the user in the DSL (here TanhConductanceSynapse's formula under
// another name, with its own parameter names) runs like the built-in: equal traces in the
// interpreter and the JIT, through set, edge(i).set and recordings of its current.
TEST(Network, UserDefinedSynapseTypeEqualsTheBuiltin) {
  SynapseType mine;
  mine.name = "Graded";
  mine.params = {{"Graded_gmax", 1e-4}, {"Graded_erev", 0.0}, {"Graded_v_half", -70.0}, {"Graded_k", 1.0}};
  mine.current = ir::tanh((ir::v_pre() - ir::param("Graded_v_half")) * ir::param("Graded_k")) * ir::param("Graded_gmax") *
                 (ir::v_post() - ir::param("Graded_erev"));  // nA
  auto build = [](const SynapseType& type, const std::string& g, const std::string& e) {
    Network net({hh_cell(2, {-1, 0, 0}), hh_cell(1, {-1}), hh_cell(3, {-1, 0})});
    connect(net.cell(0).branch(0).comp(0), net.cell(1), type);
    connect(net.cell(1), net.cell(2).branch(1).comp(2), type);
    connect(net.cell(0).branch(2).comp(1), net.cell(1), type);
    net.synapses(type.name).set(g, 0.05);     // uS
    net.synapses(type.name).edge(2).set(e, -70.0);  // mV: an inhibitory one
    net.cell(0).branch(0).comp(0).stimulate(step_current(1.0, 4.0, 0.3, 0.025, 10.0));
    net.cell("all").branch(0).comp(0).record("v");
    net.synapses(type.name).record("i_" + type.name);
    return net;
  };
  Network ref = build(synapses::TanhConductanceSynapse(), "TanhConductanceSynapse_gS", "TanhConductanceSynapse_e_syn");
  Network user = build(mine, "Graded_gmax", "Graded_erev");
  for (const char* backend : {"interpreter", "auto"}) {
    IntegrateOptions opt;
    opt.t_max = 10.0;  // ms
    opt.backend = backend;
    const Result a = integrate(ref, opt), b = integrate(user, opt);
    ASSERT_EQ(a.data.size(), b.data.size());
    for (std::size_t i = 0; i < a.data.size(); ++i) ASSERT_EQ(b.data[i], a.data[i]) << backend << " value " << i;
    EXPECT_NE(a(3, 200), 0.0);  // the synapses carry current
  }
}

// One simulation of a network split over threads by cells equals the single-threaded run
// bit for bit: each cell's elimination keeps its order, synapses and clamps stay serial.
TEST(Network, OneSimulationOnSeveralThreadsIsBitIdentical) {
  Network net = threaded_test_network();
  for (const char* solver : {"bwd_euler", "crank_nicolson"}) {
    IntegrateOptions opt;
    opt.t_max = 10.0;  // ms
    opt.solver = solver;
    CompileOptions one, three;
    one.threads = 1;
    three.threads = 3;
    const Result a = compile(net, one).integrate(opt);
    const Result b = compile(net, three).integrate(opt);
    ASSERT_EQ(a.data.size(), b.data.size());
    for (std::size_t i = 0; i < a.data.size(); ++i) ASSERT_EQ(a.data[i], b.data[i]) << solver << " value " << i;
  }
}

}  // namespace
}  // namespace ranvier

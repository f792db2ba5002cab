// Bad input gets a clear ranvier::Error (KeyError for unknown names, NotSupported for what is
// deliberately not implemented) whose message names the object and the offending value.
#include <cmath>
#include <initializer_list>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/module.h"
#include "frontend/network.h"
#include "frontend/synapses/builtin.h"
#include "frontend/stimulus.h"
#include "ir/error.h"
#include "api/integrate.h"
#include "api/kernel_cache.h"
#include "api/vjp.h"
#include "ir/memory.h"

namespace ranvier {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Runs `f`, expects an exception of type E (or a subclass) whose what() contains every needle.
template <typename E, typename F>
void expect_error(F&& f, std::initializer_list<std::string> needles, const char* file, int line, const char* text) {
  try {
    f();
  } catch (const E& e) {
    const std::string what = e.what();
    for (const auto& n : needles)
      if (what.find(n) == std::string::npos)
        ADD_FAILURE_AT(file, line) << text << ": the message \"" << what << "\" does not mention \"" << n << "\"";
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE_AT(file, line) << text << ": threw the wrong exception type, message: " << e.what();
    return;
  }
  ADD_FAILURE_AT(file, line) << text << ": did not throw";
}

#define EXPECT_ERROR(type, statement, ...) \
  expect_error<type>([&] { statement; }, {__VA_ARGS__}, __FILE__, __LINE__, #statement)

// A small cell: 3 branches of 2 compartments, HH everywhere, one v recording.
Cell small_cell() {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  cell.insert(channels::HH());
  cell.branch(0).comp(0).record("v");
  return cell;
}

IntegrateOptions short_run() {
  IntegrateOptions opt;
  opt.t_max = 1.0;
  return opt;
}

// --- names -------------------------------------------------------------------------------

TEST(Errors, UnknownParameterInSet) {
  Cell cell = small_cell();
  EXPECT_ERROR(KeyError, cell.set("HH_gNaX", 0.1), "HH_gNaX");
  EXPECT_ERROR(KeyError, cell.branch(1).set("radiuss", 1.0), "radiuss");
  EXPECT_ERROR(KeyError, cell.make_trainable("Na_gNa"), "Na_gNa");
}

TEST(Errors, SetOfAParameterWhoseChannelIsNotInTheView) {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.branch(1).insert(channels::Na());
  EXPECT_ERROR(Error, cell.branch(0).set("Na_gNa", 0.1), "Na_gNa");
}

TEST(Errors, UnknownStateInRecordAndClamp) {
  Cell cell = small_cell();
  EXPECT_ERROR(KeyError, cell.record("HH_q"), "HH_q");
  EXPECT_ERROR(KeyError, cell.branch(0).comp(1).record("i_Na"), "i_Na");  // Na is not inserted
  EXPECT_ERROR(KeyError, cell.clamp("HH_z", std::vector<double>(10, 0.1)), "HH_z");
  // A parameter is not a state.
  EXPECT_ERROR(KeyError, cell.record("HH_gNa"), "HH_gNa");
  // A state of a channel that is not inserted at that compartment.
  Cell partial(Branch(Compartment(), 1), {-1, 0});
  partial.branch(1).insert(channels::K());
  EXPECT_ERROR(Error, partial.branch(0).record("K_n"), "K_n", "compartment 0");
  EXPECT_ERROR(Error, partial.branch(0).clamp("K_n", std::vector<double>(10, 0.1)), "K_n", "compartment 0");
  // data_clamp of an unknown state, and at a compartment that does not exist.
  IntegrateOptions opt = short_run();
  opt.data_clamps = {{"HH_w", 0, std::vector<double>(100, 0.5)}};
  EXPECT_ERROR(KeyError, integrate(cell, opt), "HH_w");
  opt.data_clamps = {{"v", 6, std::vector<double>(100, -60.0)}};
  EXPECT_ERROR(Error, integrate(cell, opt), "compartment 6");
}

TEST(Errors, UnknownChannelName) {
  EXPECT_ERROR(KeyError, channels::by_name("Kdr"), "Kdr");
  EXPECT_ERROR(KeyError, channels::by_name("hh"), "hh", "HH");  // lists the built-ins
  EXPECT_ERROR(KeyError, channels::by_name(""), "unknown channel");
}

TEST(Errors, UnknownSolverNames) {
  Cell cell = small_cell();
  IntegrateOptions opt = short_run();
  opt.solver = "rk4";
  EXPECT_ERROR(Error, integrate(cell, opt), "rk4", "bwd_euler");
  opt = short_run();
  opt.voltage_solver = "jaxley.thomas";
  EXPECT_ERROR(Error, integrate(cell, opt), "jaxley.thomas", "jaxley.dhs");
  opt = short_run();
  opt.backend = "cuda";
  EXPECT_ERROR(Error, integrate(cell, opt), "cuda");
}

TEST(Errors, DataSetWithUnknownKey) {
  Cell cell = small_cell();
  IntegrateOptions opt = short_run();
  opt.param_state = {{"HH_gCa", {0, 1}, {0.1}}};
  EXPECT_ERROR(KeyError, integrate(cell, opt), "HH_gCa");
}

TEST(Errors, AllStatesMissingAState) {
  Cell cell = small_cell();
  IntegrateOptions opt = short_run();
  opt.return_states = true;
  Result first = integrate(cell, opt);
  ASSERT_TRUE(first.states);
  States states = *first.states;
  auto it = std::find(states.names.begin(), states.names.end(), "HH_h");
  ASSERT_NE(it, states.names.end());
  states.values.erase(states.values.begin() + (it - states.names.begin()));
  states.names.erase(it);
  IntegrateOptions next = short_run();
  next.all_states = states;
  EXPECT_ERROR(KeyError, integrate(cell, next), "HH_h");
  // Wrong number of node values.
  States short_v = *first.states;
  short_v.values[0].pop_back();
  next.all_states = short_v;
  EXPECT_ERROR(Error, integrate(cell, next), "all_states", short_v.names[0]);
}

// --- geometry and values -----------------------------------------------------------------

TEST(Errors, NonPositiveGeometryInSet) {
  Cell cell = small_cell();
  EXPECT_ERROR(Error, cell.set("radius", -1.0), "radius", "-1");
  EXPECT_ERROR(Error, cell.branch(2).set("length", 0.0), "length", "0");
  EXPECT_ERROR(Error, cell.branch(0).comp(1).set("axial_resistivity", -5.0), "axial_resistivity", "-5");
  EXPECT_ERROR(Error, cell.set("capacitance", 0.0), "capacitance");
  // On a compartment before it is assembled into a cell.
  Compartment comp;
  EXPECT_ERROR(Error, comp.set("radius", 0.0), "radius");
  EXPECT_ERROR(Error, comp.set("length", -10.0), "length", "-10");
  // The failed calls left the geometry alone.
  EXPECT_EQ(comp.column("radius")[0], 1.0);
  EXPECT_EQ(cell.column("radius")[3], 1.0);
}

TEST(Errors, NonFiniteSetValue) {
  Cell cell = small_cell();
  EXPECT_ERROR(Error, cell.set("HH_gNa", kNaN), "HH_gNa", "nan");
  EXPECT_ERROR(Error, cell.set("v", kNaN), "'v'", "nan");
  EXPECT_ERROR(Error, cell.set("radius", std::numeric_limits<double>::infinity()), "radius", "inf");
}

TEST(Errors, NonPositiveGeometryAtIntegrate) {
  Cell cell = small_cell();
  IntegrateOptions opt = short_run();
  opt.param_state = {{"radius", {1}, {-2.0}}};
  EXPECT_ERROR(Error, integrate(cell, opt), "radius", "-2");
  opt.param_state = {{"length", {0, 1, 2}, {0.0}}};
  EXPECT_ERROR(Error, integrate(cell, opt), "length");
  opt.param_state = {{"capacitance", {4}, {-1.0}}};
  EXPECT_ERROR(Error, integrate(cell, opt), "capacitance", "-1");
  opt.param_state = {{"HH_gK", {4}, {kNaN}}};
  EXPECT_ERROR(Error, integrate(cell, opt), "HH_gK", "nan");
  // A trainable radius with a bad value.
  Cell trainable = small_cell();
  trainable.make_trainable("radius");
  IntegrateOptions with_params = short_run();
  with_params.params = {{-0.5}};
  EXPECT_ERROR(Error, integrate(trainable, with_params), "radius", "-0.5");
}

TEST(Errors, ParamsWithWrongLength) {
  Cell cell = small_cell();
  cell.branch("all").make_trainable("HH_gNa");  // 3 parameters
  IntegrateOptions opt = short_run();
  opt.params = {{0.1, 0.2}};
  EXPECT_ERROR(Error, integrate(cell, opt), "HH_gNa", "2", "3");
  opt.params = {{0.1, 0.2, 0.3}, {1.0}};
  EXPECT_ERROR(Error, integrate(cell, opt), "2 entries", "1 trainable");
  opt.params = {{0.1, 0.2, 0.3}};
  EXPECT_NO_THROW(integrate(cell, opt));
  // data_set with a value count that is neither 1 nor one per compartment.
  IntegrateOptions ds = short_run();
  ds.param_state = {{"HH_gNa", {0, 1, 2}, {0.1, 0.2}}};
  EXPECT_ERROR(Error, integrate(cell, ds), "HH_gNa", "2 values", "3 compartments");
  ds.param_state = {{"HH_gNa", {99}, {0.1}}};
  EXPECT_ERROR(Error, integrate(cell, ds), "HH_gNa", "99");
}

// --- morphology ----------------------------------------------------------------------------

TEST(Errors, ParentsNotATree) {
  Branch branch(Compartment(), 2);
  EXPECT_ERROR(Error, Cell(branch, {-1, 2, 1}), "not a tree", "cycle");
  EXPECT_ERROR(Error, Cell(branch, {-1, 0, 3, 2}), "not a tree");
  EXPECT_ERROR(Error, Cell(branch, {0, 0}), "parents[0]", "-1");
  EXPECT_ERROR(Error, Cell(branch, {1, -1}), "parents[0]");
  EXPECT_ERROR(Error, Cell(branch, {-1, 5}), "parents[1] = 5");
  EXPECT_ERROR(Error, Cell(branch, {-1, 0, -1}), "parents[2] = -1");  // a second root
  EXPECT_ERROR(Error, Cell(branch, {-1, 1}), "parents[1] = 1");       // its own parent
  EXPECT_ERROR(Error, Cell(branch, {-1, -7}), "parents[1] = -7");
  EXPECT_ERROR(Error, Cell(branch, std::vector<int>{}), "parents");
  EXPECT_ERROR(Error, Cell(std::vector<Branch>{branch, branch}, {-1, 0, 0}), "2 branches", "3 parents");
  EXPECT_ERROR(Error, Branch(Compartment(), 0), "ncomp", "0");
  EXPECT_ERROR(Error, Branch(std::vector<Compartment>{}), "Branch");
}

TEST(Errors, IndexOutOfRange) {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  EXPECT_ERROR(Error, cell.branch(3), "branch(3)", "3 branch");
  EXPECT_ERROR(Error, cell.branch(1).comp(2), "comp(2)", "2 compartment");
  EXPECT_ERROR(Error, cell.comp(7), "comp(7)");
  EXPECT_ERROR(Error, cell.branch(-1), "-1");
  EXPECT_ERROR(Error, cell.branch("first"), "first", "all");
  // comp() on a view is local to each of its branches.
  Cell uneven(std::vector<Branch>{Branch(Compartment(), 3), Branch(Compartment(), 1)}, {-1, 0});
  EXPECT_NO_THROW(uneven.comp(2));
  EXPECT_ERROR(Error, uneven.branch(1).comp(1), "comp(1)", "1 compartment");
}

TEST(Errors, LocOutsideUnitInterval) {
  Cell cell(Branch(Compartment(), 4), {-1, 0});
  EXPECT_ERROR(Error, cell.branch(0).loc(1.5), "loc(1.5)", "[0, 1]");
  EXPECT_ERROR(Error, cell.branch(1).loc(-0.25), "loc(-0.25)");
  EXPECT_ERROR(Error, cell.branch(1).loc(kNaN), "loc(nan)");
  EXPECT_NO_THROW(cell.branch(1).loc(0.0));
  EXPECT_NO_THROW(cell.branch(1).loc(1.0));
}

TEST(Errors, AllowedNodesPerLevel) {
  Cell cell = small_cell();
  EXPECT_ERROR(Error, cell.set_allowed_nodes_per_level(0), "allowed_nodes_per_level", "0");
}

// --- externals and the time grid ----------------------------------------------------------

TEST(Errors, StimulusShape) {
  Cell cell = small_cell();
  // Branch 1 has 2 compartments; 3 rows is wrong.
  std::vector<std::vector<double>> rows(3, std::vector<double>(10, 0.1));
  EXPECT_ERROR(Error, cell.branch(1).stimulate(rows), "3 current", "2 compartment");
  EXPECT_ERROR(Error, cell.branch(1).stimulate(std::vector<double>{}), "stimulate", "empty");
  std::vector<std::vector<double>> with_empty_row = {std::vector<double>(10, 0.1), {}};
  EXPECT_ERROR(Error, cell.branch(1).stimulate(with_empty_row), "stimulate", "empty");
  EXPECT_ERROR(Error, cell.branch(1).clamp("v", std::vector<double>{}), "clamp", "empty");
  EXPECT_ERROR(Error, cell.branch(1).clamp("v", rows), "3 array", "2 compartment");
}

// A call that throws must leave the module as it was.
TEST(Errors, RejectedStimulusOrClampLeavesModuleUnchanged) {
  Cell cell = small_cell();
  std::vector<std::vector<double>> with_empty_row = {std::vector<double>(10, 0.1), {}};
  EXPECT_THROW(cell.branch(1).stimulate(with_empty_row), Error);
  EXPECT_TRUE(cell.stimuli().empty()) << "a rejected stimulus must not be added";
  Cell partial(Branch(Compartment(), 1), {-1, 0});
  partial.branch(0).insert(channels::K());
  EXPECT_THROW(partial.clamp("K_n", std::vector<double>(10, 0.1)), Error);  // K_n missing on branch 1
  EXPECT_TRUE(partial.clamps().empty()) << "a rejected clamp must not be added";
  EXPECT_THROW(partial.record("K_n"), Error);
  EXPECT_TRUE(partial.recordings().empty()) << "a rejected recording must not be added";
}

TEST(Errors, NoRecording) {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.insert(channels::HH());
  EXPECT_ERROR(Error, integrate(cell, short_run()), "record");
  cell.record("v");
  cell.delete_recordings();
  EXPECT_ERROR(Error, integrate(cell, short_run()), "record");
}

TEST(Errors, NeitherTMaxNorStimulus) {
  Cell cell = small_cell();
  EXPECT_ERROR(Error, integrate(cell, IntegrateOptions{}), "t_max", "stimulus");
}

TEST(Errors, StimuliOfDifferentLengthsWithoutTMax) {
  Cell cell = small_cell();
  cell.branch(0).comp(0).stimulate(std::vector<double>(40, 0.1));
  cell.branch(1).comp(0).stimulate(std::vector<double>(30, 0.1));
  EXPECT_ERROR(Error, integrate(cell, IntegrateOptions{}), "different lengths", "40", "30");
  IntegrateOptions opt;
  opt.t_max = 0.5;
  EXPECT_NO_THROW(integrate(cell, opt));  // with t_max they are padded or cut
  // A data stimulus of another length too.
  Cell one = small_cell();
  one.branch(0).comp(0).stimulate(std::vector<double>(40, 0.1));
  IntegrateOptions data;
  data.data_stimuli = {{3, std::vector<double>(41, 0.2)}};
  EXPECT_ERROR(Error, integrate(one, data), "different lengths", "41");
  data.data_stimuli = {{17, std::vector<double>(40, 0.2)}};
  EXPECT_ERROR(Error, integrate(one, data), "compartment 17");
}

TEST(Errors, ClampShorterThanTMax) {
  Cell cell = small_cell();
  cell.branch(2).comp(1).clamp("v", std::vector<double>(10, -65.0));
  IntegrateOptions opt;
  opt.t_max = 1.0;  // 1.0 // 0.025 = 39.0 -> 40 steps
  EXPECT_ERROR(NotSupported, integrate(cell, opt), "clamp", "'v'", "compartment 5", "10 samples", "40");
  opt.t_max = 0.2;  // 9 steps: the clamp is cut
  EXPECT_NO_THROW(integrate(cell, opt));
}

TEST(Errors, StoneOnBranchedCell) {
  Cell cell = small_cell();
  for (const char* solver : {"bwd_euler", "crank_nicolson"}) {
    IntegrateOptions opt = short_run();
    opt.solver = solver;
    opt.voltage_solver = "jaxley.stone";
    EXPECT_ERROR(NotSupported, integrate(cell, opt), "jaxley.stone", "3 branches");
  }
  // An unbranched cable is fine.
  Branch cable(Compartment(), 5);
  cable.insert(channels::HH());
  cable.record();
  IntegrateOptions opt = short_run();
  opt.voltage_solver = "jaxley.stone";
  EXPECT_NO_THROW(integrate(cable, opt));
}

TEST(Errors, TimeStep) {
  Cell cell = small_cell();
  for (double dt : {0.0, -0.025, kNaN}) {
    IntegrateOptions opt = short_run();
    opt.delta_t = dt;
    EXPECT_ERROR(Error, integrate(cell, opt), "delta_t");
  }
  IntegrateOptions opt;
  opt.t_max = -1.0;
  EXPECT_ERROR(Error, integrate(cell, opt), "t_max", "-1");
  opt.t_max = kNaN;
  EXPECT_ERROR(Error, integrate(cell, opt), "t_max", "nan");
  EXPECT_ERROR(Error, step_current(1.0, 2.0, 0.1, 0.0, 10.0), "delta_t");
  EXPECT_ERROR(Error, step_current(1.0, 2.0, 0.1, -0.1, 10.0), "delta_t", "-0.1");
  EXPECT_ERROR(Error, cell.init_states(0.0), "delta_t");
}

TEST(Errors, CheckpointLengths) {
  Cell cell = small_cell();
  IntegrateOptions opt = short_run();  // 40 steps
  opt.checkpoint_lengths = {6, 6};
  EXPECT_ERROR(Error, integrate(cell, opt), "checkpoint_lengths", "36", "40");
  opt.checkpoint_lengths = {7, 0};
  EXPECT_ERROR(Error, integrate(cell, opt), "checkpoint_lengths");
  opt.checkpoint_lengths = {7, 6};
  EXPECT_NO_THROW(integrate(cell, opt));
}

// --- documented non-errors ----------------------------------------------------------------

// HH's rate functions use vtrap(x, y) = x / (exp(x / y) - 1) without Jaxley's (absent)
// small-x special case, so at exactly v = -40 mV the m gate's alpha is 0/0 = NaN and the
// simulation turns NaN, as in Jaxley (SEMANTICS §3.1). This is not an error Ranvier raises;
// the test documents the behaviour.
TEST(Errors, HhVtrapAtMinus40GivesNaNLikeJaxley) {
  for (const char* backend : {"interpreter", "auto"}) {
    SCOPED_TRACE(backend);
    Compartment comp;
    comp.insert(channels::HH());
    comp.set("v", -40.0);
    comp.record("v");
    comp.record("HH_m");
    comp.record("HH_n");
    IntegrateOptions opt;
    opt.t_max = 0.1;
    opt.backend = backend;
    Result r = integrate(comp, opt);
    EXPECT_EQ(r(0, 0), -40.0);
    EXPECT_EQ(r(1, 0), 0.2);
    EXPECT_TRUE(std::isnan(r(1, 1))) << "HH_m after one step at v = -40: " << r(1, 1);
    EXPECT_TRUE(std::isnan(r(0, 1))) << "v after one step: " << r(0, 1);
    EXPECT_FALSE(std::isnan(r(2, 1))) << "HH_n is finite at -40 mV";
  }
  // init_states at -40 mV: m = alpha / (alpha + beta) = NaN, h and n are finite.
  Compartment comp;
  comp.insert(channels::HH());
  comp.set("v", -40.0);
  comp.init_states();
  EXPECT_TRUE(std::isnan(comp.column("HH_m")[0]));
  EXPECT_FALSE(std::isnan(comp.column("HH_h")[0]));
  EXPECT_FALSE(std::isnan(comp.column("HH_n")[0]));
  // The n gate's vtrap hits 0/0 at exactly -55 mV.
  comp.set("v", -55.0);
  comp.init_states();
  EXPECT_TRUE(std::isnan(comp.column("HH_n")[0]));
  EXPECT_FALSE(std::isnan(comp.column("HH_m")[0]));
}

// --- networks and synapses ----------------------------------------------------------------

// Two cells: 3 branches of 2 compartments and a single compartment.
Network small_network() {
  Network net({small_cell(), Cell()});
  return net;
}

TEST(Errors, NetworkCellIndexOutOfRange) {
  Network net = small_network();
  EXPECT_ERROR(Error, net.cell(2), "cell(2)", "2 cell(s)");
  EXPECT_ERROR(Error, connect(net.cell(0), net.cell(5), synapses::IonotropicSynapse()), "cell(5)");
}

TEST(Errors, NetworkBranchAndCompOutOfRange) {
  Network net = small_network();
  EXPECT_ERROR(Error, net.cell(1).branch(1), "branch(1)", "cell 1", "1 branch(es)");
  EXPECT_ERROR(Error, net.cell(0).branch(3), "branch(3)", "cell 0", "3 branch(es)");
  EXPECT_ERROR(Error, net.cell(0).branch(0).comp(2), "comp(2)", "2 compartment(s)");
}

TEST(Errors, ConnectMismatchedViews) {
  Network net = small_network();
  EXPECT_ERROR(Error, connect(net.cell(0).branch(0), net.cell(1), synapses::IonotropicSynapse()),
               "connect", "presynaptic view has 2", "postsynaptic view has 1");
  EXPECT_TRUE(net.synapse_groups().empty());  // nothing was added
}

TEST(Errors, ConnectAcrossModulesOrOutsideANetwork) {
  Network a = small_network(), b = small_network();
  EXPECT_ERROR(Error, connect(a.cell(0).branch(0).comp(0), b.cell(1), synapses::IonotropicSynapse()), "same network");
  Cell cell = small_cell();
  EXPECT_ERROR(Error, connect(cell.branch(0).comp(0), cell.branch(1).comp(0), synapses::IonotropicSynapse()), "Network");
}

TEST(Errors, UnknownSynapseNames) {
  Network net = small_network();
  connect(net.cell(0).branch(0).comp(0), net.cell(1), synapses::IonotropicSynapse());
  EXPECT_ERROR(KeyError, net.synapses("IonotropicSynapse").set("IonotropicSynapse_gs", 1e-3), "IonotropicSynapse_gs",
               "IonotropicSynapse_gS");
  EXPECT_ERROR(KeyError, net.synapses("IonotropicSynapse").record("TanhRateSynapse_s"), "TanhRateSynapse_s", "IonotropicSynapse_s");
  EXPECT_ERROR(KeyError, net.synapses("TanhRateSynapse"), "TanhRateSynapse", "IonotropicSynapse");
  EXPECT_ERROR(KeyError, synapses::by_name("AmpaSynapse"), "AmpaSynapse");
  EXPECT_ERROR(Error, net.synapses("IonotropicSynapse").edge(1), "edge(1)", "1 synapse(s)");
  EXPECT_ERROR(Error, net.synapses("IonotropicSynapse").set("IonotropicSynapse_gS", kNaN), "IonotropicSynapse_gS", "finite");
}

TEST(Errors, BadSynapseDataSet) {
  Network net = small_network();
  connect(net.cell(0).branch(0).comp(0), net.cell(1), synapses::IonotropicSynapse());
  net.cell(1).record("v");
  IntegrateOptions opt = short_run();
  opt.param_state = {{"IonotropicSynapse_gS", {3}, {1e-3}}};
  EXPECT_ERROR(Error, integrate(net, opt), "synapse 3", "IonotropicSynapse", "there are 1");
  opt.param_state = {{"IonotropicSynapse_gS", {0}, {kNaN}}};
  EXPECT_ERROR(Error, integrate(net, opt), "IonotropicSynapse_gS", "finite");
}

TEST(Errors, SynapseStateOnACompartmentView) {
  Network net = small_network();
  connect(net.cell(0).branch(0).comp(0), net.cell(1), synapses::IonotropicSynapse());
  EXPECT_ERROR(NotSupported, net.cell(1).record("IonotropicSynapse_s"), "IonotropicSynapse_s", "net.synapses");
  EXPECT_ERROR(NotSupported, net.cell(1).clamp("IonotropicSynapse_s", std::vector<double>(10, 0.5)), "clamping synapse states");
}

TEST(Errors, SparseConnectBadProbability) {
  Network net = small_network();
  EXPECT_ERROR(Error, sparse_connect(net.cell("all"), net.cell("all"), synapses::IonotropicSynapse(), 1.5, 0), "p = 1.5");
}

TEST(Errors, ConnectivityMatrixShape) {
  Network net = small_network();
  EXPECT_ERROR(Error, connectivity_matrix_connect(net.cell("all"), net.cell("all"), synapses::IonotropicSynapse(), {{true, false}}),
               "1 row(s)", "2 cell(s)");
  EXPECT_ERROR(Error,
               connectivity_matrix_connect(net.cell("all"), net.cell("all"), synapses::IonotropicSynapse(), {{true}, {false, true}}),
               "row 0", "1 column(s)");
}


// --- reliability (issue 19): non-finite inputs, silently accepted inputs, memory ------------

TEST(Errors, NonFiniteExternalsAndAllStates) {
  Cell cell = small_cell();
  IntegrateOptions opt = short_run();
  std::vector<double> row(41, 0.0);
  row[5] = kNaN;
  opt.data_stimuli = {{1, row}};
  EXPECT_ERROR(Error, integrate(cell, opt), "data_stimuli[0]", "compartment 1", "nan", "sample 5");
  opt = short_run();
  opt.data_clamps = {{"v", 0, std::vector<double>(41, INFINITY)}};
  EXPECT_ERROR(Error, integrate(cell, opt), "data_clamps[0]", "'v'", "inf");
  opt = short_run();
  opt.return_states = true;
  States st = *integrate(cell, opt).states;
  opt = short_run();
  opt.all_states = st;
  opt.all_states->names.push_back("HH_zz");
  opt.all_states->values.push_back(st.values[0]);
  EXPECT_ERROR(KeyError, integrate(cell, opt), "HH_zz");
  opt.all_states = st;
  opt.all_states->values[0][2] = kNaN;  // "v" at node 2
  EXPECT_ERROR(Error, integrate(cell, opt), "all_states['v']", "nan", "node 2");
}

TEST(Errors, GeometryThatOverflowsIsRefusedNamingLengthAndRadius) {
  Cell cell = small_cell();
  cell.branch(1).set("length", 1e-300);
  EXPECT_ERROR(Error, integrate(cell, short_run()), "length = 1e-300", "radius");
  // A radius whose square underflows: volume 0, and the message says which input made it.
  Cell other = small_cell();
  IntegrateOptions opt = short_run();
  opt.param_state = {{"radius", {0}, {1e-200}}};
  EXPECT_ERROR(Error, integrate(other, opt), "compartment 0", "volume = 0", "radius = 1e-200");
}

TEST(Errors, ADifferentMechanismWithAnExistingNameIsRefused) {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.branch(0).insert(channels::HH());
  Mechanism other = channels::HH();
  other.current = other.current * 2.0;
  EXPECT_ERROR(Error, cell.branch(1).insert(other), "different mechanism named 'HH'");
  EXPECT_NO_THROW(cell.branch(1).insert(channels::HH()));  // the same definition again is fine
  Mechanism nan_default = channels::Leak();
  nan_default.params[0].value = kNaN;
  EXPECT_ERROR(Error, cell.insert(nan_default), "Leak", nan_default.params[0].name, "nan");
}

TEST(Errors, RecordingACurrentWhereItsMechanismIsAbsent) {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.branch(0).insert(channels::HH());
  EXPECT_ERROR(KeyError, cell.branch(1).comp(1).record("i_HH"), "i_HH", "compartment 3");
  EXPECT_NO_THROW(cell.branch(0).comp(1).record("i_HH"));
}

// Restores the default memory limit when a test ends.
struct MemoryLimit {
  explicit MemoryLimit(std::size_t bytes) { set_memory_limit(bytes); }
  ~MemoryLimit() { set_memory_limit(0); }
};

TEST(Errors, LargeJobsAreRefusedWithTheMemoryTheyNeed) {
  const MemoryLimit limit(std::size_t{64} << 20);  // 64 MiB
  Cell cell = small_cell();
  IntegrateOptions opt;
  opt.t_max = 1e6;  // 4e7 samples of one recording: 640 MB
  EXPECT_ERROR(OutOfMemory, integrate(cell, opt), "integrate", "40000001 samples", "MB", "RANVIER_MEMORY_LIMIT");
  EXPECT_ERROR(OutOfMemory, Branch(Compartment(), 100000000), "Branch(ncomp=100000000)", "GB");
  EXPECT_ERROR(OutOfMemory, step_current(1.0, 1.0, 0.1, 0.025, 1e9), "step_current", "samples", "GB");
  cell.make_trainable("HH_gNa");
  std::vector<IntegrateOptions> lanes(64);
  for (auto& l : lanes) l.t_max = 100.0;
  EXPECT_ERROR(OutOfMemory, vjp(cell, lanes, 1), "vjp of a batch of 64 simulations", "MB");
  EXPECT_ERROR(Error, vjp(cell, {short_run()}, -1), "threads = -1");
}

TEST(Errors, AllocationFailureBecomesOutOfMemoryNamingWhat) {
  EXPECT_ERROR(OutOfMemory, allocating("the test's buffer", []() -> int { throw std::bad_alloc(); }), "the test's buffer");
}

TEST(Errors, KernelCacheIsBoundedAndClearable) {
  const std::size_t old = kernel_cache_info().limit;
  clear_kernel_cache();
  EXPECT_EQ(kernel_cache_info().entries, 0u);
  set_kernel_cache_limit(1);
  for (int n : {1, 2, 3}) {
    Cell cell(Branch(Compartment(), n), {-1});
    cell.insert(channels::HH());
    cell.branch(0).comp(0).record("v");
    integrate(cell, short_run());
  }
  const KernelCacheInfo info = kernel_cache_info();
  EXPECT_EQ(info.limit, 1u);
  EXPECT_LE(info.entries, 1u);
  EXPECT_GE(info.evictions, 2u);
  clear_kernel_cache();
  EXPECT_EQ(kernel_cache_info().entries, 0u);
  set_kernel_cache_limit(old);
}

// A run that produces NaN or inf says where (Result::nonfinite); a finite run says nothing.
TEST(Errors, ARunThatProducesNonFiniteValuesSaysWhere) {
  // Forward Euler with dt * g / c = 1000: the voltage grows a thousandfold per step until it overflows.
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.insert(channels::Leak());
  cell.set("Leak_gLeak", 1.0);
  cell.set("v", 0.0);
  cell.branch(0).comp(1).record("v");
  IntegrateOptions o;
  o.t_max = 200.0;
  o.delta_t = 1.0;
  o.solver = "fwd_euler";
  const Result r = integrate(cell, o);
  ASSERT_TRUE(r.nonfinite.has_value());
  EXPECT_NE(r.nonfinite->find("inf at t = "), std::string::npos) << *r.nonfinite;
  EXPECT_NE(r.nonfinite->find("state 'v' at compartment 1"), std::string::npos) << *r.nonfinite;
  o.solver = "bwd_euler";
  EXPECT_FALSE(integrate(cell, o).nonfinite.has_value());
}

}  // namespace
}  // namespace ranvier

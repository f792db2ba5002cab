// Property tests on random trees: every implicit voltage solver (DHS sweep with the module's
// allowed_nodes_per_level, DHS with pointer-jumping back-substitution, sparse LU, and Stone's
// tridiagonal solve on unbranched cables) computes the same trajectories, the DHS schedule
// width does not change the numbers, and the DHS tree solve agrees with a dense LU of the
// matrix assembled independently from the model IR's edge list.
#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include "random_model.h"
#include "api/integrate.h"
#include "passes/pipeline.h"
#include "runtime/linear_solver.h"
#include "runtime/prepare.h"

namespace ranvier {
namespace {

constexpr int kModels = 200;
constexpr double kAgree = 1e-10;  // mV (and the recorded unit of gates/currents)

// Rounding differences between solvers (~1e-16 relative per solve) shift a spike in time by
// ~1e-13 ms; on an upstroke of 600 mV/ms that alone is ~1e-10 mV. So a sample may differ by
// tolerance + kJitter * |local slope of the trace| (kJitter in ms).
constexpr double kJitter = 1e-12;

struct Diff {
  double ratio = 0.0;  // max over samples of |a - b| / allowed; must be < 1
  double diff = 0.0, allowed = 0.0;
  int recording = -1, sample = -1;
};

// Worst |a - b| relative to the allowance, over recordings (v only, or all) and samples;
// NaN counts as infinitely bad.
Diff max_diff(const ir::Model& model, const Result& a, const Result& b, bool v_only, double tolerance, double dt) {
  Diff d;
  EXPECT_EQ(a.n_recordings, b.n_recordings);
  EXPECT_EQ(a.n_samples, b.n_samples);
  for (int r = 0; r < a.n_recordings; ++r) {
    if (v_only && model.recordings[r].state != "v") continue;
    for (int t = 0; t < a.n_samples; ++t) {
      double slope = 0.0;  // per ms
      if (t > 0) slope = std::max(slope, std::abs(a(r, t) - a(r, t - 1)) / dt);
      if (t + 1 < a.n_samples) slope = std::max(slope, std::abs(a(r, t + 1) - a(r, t)) / dt);
      double allowed = tolerance + kJitter * slope;
      double x = std::abs(a(r, t) - b(r, t));
      if (std::isnan(x)) x = INFINITY;
      if (x / allowed > d.ratio || d.recording < 0) d.ratio = std::max(d.ratio, x / allowed), d.diff = x, d.allowed = allowed, d.recording = r, d.sample = t;
    }
  }
  return d;
}

bool all_finite(const Result& r) {
  for (double x : r.data)
    if (!std::isfinite(x)) return false;
  return true;
}

Result run(const ir::Model& model, const test::RandomModel& m, const std::string& solver, const std::string& voltage_solver) {
  IntegrateOptions opt;
  opt.t_max = m.t_max;
  opt.delta_t = m.delta_t;
  opt.solver = solver;
  opt.voltage_solver = voltage_solver;
  opt.backend = "interpreter";  // the reference interpreter's solvers (the JIT has its own tests)
  return integrate(model, opt);
}

void expect_agree(const ir::Model& model, const Result& ref, const Result& other, const std::string& what,
                  double tolerance = kAgree, double dt = 0.025) {
  Diff v = max_diff(model, ref, other, true, tolerance, dt);
  EXPECT_LT(v.ratio, 1.0) << what << ": |dv| = " << v.diff << " mV > allowed " << v.allowed << " mV at recording "
                          << v.recording << " sample " << v.sample;
  // Gates and currents follow v, so they agree as well (they are O(1) or smaller).
  Diff all = max_diff(model, ref, other, false, tolerance, dt);
  EXPECT_LT(all.ratio, 1.0) << what << ": difference " << all.diff << " > allowed " << all.allowed << " at recording "
                            << all.recording << " (" << model.recordings[std::max(all.recording, 0)].state << ") sample "
                            << all.sample;
}

// The generator is reproducible and covers what the property tests rely on.
TEST(RandomTrees, RandomModelIsReproducibleAndVaried) {
  EXPECT_EQ(test::random_model(7).cell->lower().print(), test::random_model(7).cell->lower().print());
  EXPECT_NE(test::random_model(7).cell->lower().print(), test::random_model(8).cell->lower().print());
  std::set<std::string> mechanisms;
  std::set<int> widths, branch_counts;
  int not_topological = 0, gates = 0, currents = 0, varied_radius = 0, no_init = 0, multi_stim = 0;
  for (int seed = 0; seed < kModels; ++seed) {
    auto m = test::random_model(static_cast<std::uint64_t>(seed));
    const Cell& cell = *m.cell;
    for (const auto& mech : cell.mechanisms()) mechanisms.insert(mech.name);
    widths.insert(cell.allowed_nodes_per_level());
    branch_counts.insert(cell.n_branches());
    for (int b = 1; b < cell.n_branches(); ++b)
      if (cell.parents()[b] > b) { ++not_topological; break; }
    for (const auto& r : cell.recordings()) {
      if (r.state != "v" && r.state.rfind("i_", 0) != 0) ++gates;
      if (r.state.rfind("i_", 0) == 0) ++currents;
    }
    const auto& radius = cell.column("radius");
    if (std::any_of(radius.begin(), radius.end(), [&](double r) { return r != radius[0]; })) ++varied_radius;
    if (cell.has_column("HH_m")) {
      const auto& hh_m = cell.column("HH_m");
      if (std::any_of(hh_m.begin(), hh_m.end(), [](double x) { return x == 0.2; })) ++no_init;
    }
    multi_stim += cell.stimuli().size() > 1;
    // Every compartment has HH or Leak.
    for (int c = 0; c < cell.n_comp(); ++c) {
      bool stable = false;
      for (std::size_t k = 0; k < cell.mechanisms().size(); ++k)
        if (cell.has_mechanism(k, c) && (cell.mechanisms()[k].name == "HH" || cell.mechanisms()[k].name == "Leak")) stable = true;
      EXPECT_TRUE(stable) << m.description << ": compartment " << c << " has neither HH nor Leak";
    }
  }
  EXPECT_EQ(mechanisms, (std::set<std::string>{"HH", "Leak", "Na", "K", "Km", "CaL", "CaT"}));
  EXPECT_EQ(widths, (std::set<int>{1, 2, 4, 32}));
  EXPECT_TRUE(branch_counts.count(1) && branch_counts.count(15));
  EXPECT_GT(not_topological, 10);
  EXPECT_GT(gates, 20);
  EXPECT_GT(currents, 20);
  EXPECT_GT(varied_radius, 50);
  EXPECT_GT(no_init, 20);
  EXPECT_GT(multi_stim, 50);
}

TEST(RandomTrees, ImplicitVoltageSolversAgree) {
  int unbranched = 0;
  for (int seed = 0; seed < kModels; ++seed) {
    auto m = test::random_model(static_cast<std::uint64_t>(seed));
    SCOPED_TRACE(m.description);
    const ir::Model model = m.cell->lower();
    unbranched += m.unbranched();
    for (const char* solver : {"bwd_euler", "crank_nicolson"}) {
      Result ref = run(model, m, solver, "jaxley.dhs");
      ASSERT_TRUE(all_finite(ref)) << solver << ": the reference run produced a non-finite value";
      // ("jaxley.dhs.cpu" is the same solver as "jaxley.dhs" on the CPU.)
      expect_agree(model, ref, run(model, m, solver, "jaxley.dhs.gpu"), std::string(solver) + " jaxley.dhs vs jaxley.dhs.gpu");
      if (m.unbranched())
        expect_agree(model, ref, run(model, m, solver, "jaxley.stone"), std::string(solver) + " jaxley.dhs vs jaxley.stone");
      expect_agree(model, ref, run(model, m, solver, "jax.sparse"), std::string(solver) + " jaxley.dhs vs jax.sparse",
                   kAgree);
    }
    if (HasFailure()) break;  // one model's report is enough
  }
  EXPECT_GT(unbranched, 0) << "no seed produced an unbranched cell";
}

// Stone's solver on longer random cables (a single branch of up to 40 compartments).
TEST(RandomTrees, StoneAgreesOnRandomCables) {
  test::RandomModelOptions options;
  options.unbranched = true;
  options.max_ncomp = 40;
  for (int seed = 0; seed < 30; ++seed) {
    auto m = test::random_model(static_cast<std::uint64_t>(1000 + seed), options);
    SCOPED_TRACE(m.description);
    ASSERT_TRUE(m.unbranched());
    const ir::Model model = m.cell->lower();
    ASSERT_EQ(model.n_bp, 0);
    for (const char* solver : {"bwd_euler", "crank_nicolson"}) {
      Result ref = run(model, m, solver, "jaxley.dhs");
      ASSERT_TRUE(all_finite(ref));
      expect_agree(model, ref, run(model, m, solver, "jaxley.stone"), std::string(solver) + " jaxley.dhs vs jaxley.stone");
      expect_agree(model, ref, run(model, m, solver, "jaxley.dhs.gpu"), std::string(solver) + " jaxley.dhs vs jaxley.dhs.gpu");
      expect_agree(model, ref, run(model, m, solver, "jax.sparse"), std::string(solver) + " jaxley.dhs vs jax.sparse");
    }
    if (HasFailure()) break;
  }
}

// The schedule width changes only the order of the scatter-adds, so k = 1 and k = 8 agree to rounding.
TEST(RandomTrees, DhsWidthDoesNotChangeResults) {
  for (int seed = 0; seed < kModels; seed += 4) {
    auto m = test::random_model(static_cast<std::uint64_t>(seed));
    SCOPED_TRACE(m.description);
    ir::Model narrow = m.cell->lower(), wide = narrow;
    narrow.allowed_nodes_per_level = 1;
    wide.allowed_nodes_per_level = 8;
    for (const char* solver : {"bwd_euler", "crank_nicolson"})
      for (const char* vs : {"jaxley.dhs", "jaxley.dhs.gpu"})
        expect_agree(narrow, run(narrow, m, solver, vs), run(wide, m, solver, vs),
                     std::string(solver) + " " + vs + " k=1 vs k=8");
    if (HasFailure()) break;
  }
}

// One random voltage system of a random tree, assembled independently from the IR's edge
// list exactly as SEMANTICS §2.5 defines it: diag_i = [i is a compartment] + d * vt_i + d *
// (sum of g over edges into i), A[sink][source] = -d * g, with g the axial conductances.
struct LinearSystem {
  ir::Model model;
  std::vector<double> diag, offdiag, rhs;
  Eigen::VectorXd x;  // reference solution
};

LinearSystem random_system(int seed) {
  LinearSystem s;
  auto m = test::random_model(static_cast<std::uint64_t>(5000 + seed));
  s.model = m.cell->lower();
  IntegrateOptions opt;
  opt.t_max = 1.0;
  const runtime::Prepared prepared = runtime::prepare(s.model, opt);
  const ir::Model& model = s.model;
  const int n = model.n_nodes();
  EXPECT_EQ(prepared.axial.size(), model.edges.size());

  std::mt19937_64 gen(static_cast<std::uint64_t>(seed));
  auto uniform = [&](double a, double b) { return a + (b - a) * static_cast<double>(gen() >> 11) * 0x1.0p-53; };
  const double d = seed % 2 == 0 ? 0.025 : 0.0125;  // bwd_euler, and Crank-Nicolson's half step
  s.diag.resize(n);
  s.rhs.resize(n);
  s.offdiag.resize(model.edges.size());
  for (int i = 0; i < n; ++i) {
    double vt = i < model.n_comp ? uniform(0.0, 5.0) : 0.0;  // membrane conductance / cm, 1/ms
    s.diag[i] = (i < model.n_comp ? 1.0 : 0.0) + d * vt;
    s.rhs[i] = i < model.n_comp ? uniform(-80.0, 40.0) : 0.0;
  }
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
  for (std::size_t e = 0; e < model.edges.size(); ++e) {
    const auto& edge = model.edges[e];
    double g = d * prepared.axial[e];
    EXPECT_GT(g, 0.0);
    s.diag[edge.sink] += g;
    s.offdiag[e] = -g;
    EXPECT_EQ(a(edge.sink, edge.source), 0.0) << "two edges " << edge.source << " -> " << edge.sink;
    a(edge.sink, edge.source) = -g;
  }
  for (int i = 0; i < n; ++i) a(i, i) = s.diag[i];
  Eigen::VectorXd b = Eigen::Map<const Eigen::VectorXd>(s.rhs.data(), n);
  // Branchpoint rows are ~1e6 times smaller than compartment rows (cond(A) up to ~1e7), but
  // the row-equilibrated matrix is well conditioned (cond < 100), so equilibrate the rows
  // before the dense partial-pivoting LU to get a reference accurate to ~1e-15.
  Eigen::VectorXd scale = a.cwiseAbs().rowwise().sum().cwiseInverse();
  Eigen::MatrixXd a_eq = scale.asDiagonal() * a;
  Eigen::VectorXd b_eq = scale.asDiagonal() * b;
  s.x = a_eq.partialPivLu().solve(b_eq);
  EXPECT_LT((a_eq * s.x - b_eq).norm(), 1e-13 * b_eq.norm());
  return s;
}

double relative_error(const std::vector<double>& got, const Eigen::VectorXd& expected) {
  double worst = 0.0;
  for (int i = 0; i < expected.size(); ++i) worst = std::max(worst, std::abs(got[i] - expected[i]));
  return worst / expected.cwiseAbs().maxCoeff();
}

TEST(RandomTrees, DhsSolveMatchesDenseLu) {
  for (int seed = 0; seed < 30; ++seed) {
    LinearSystem s = random_system(seed);
    SCOPED_TRACE("random_model(" + std::to_string(5000 + seed) + ")");
    for (int k : {1, 2, 4, 32}) {
      s.model.allowed_nodes_per_level = k;
      for (bool pointer_jumping : {false, true}) {
        auto solver = runtime::make_dhs_solver(passes::lower_tree_solve(s.model), pointer_jumping);
        std::vector<double> diag = s.diag, x = s.rhs;
        solver->solve(diag, s.offdiag, x);
        EXPECT_LT(relative_error(x, s.x), 1e-12) << "DHS k=" << k << (pointer_jumping ? " (pointer jumping)" : " (sweep)");
      }
    }
    if (s.model.n_bp == 0) {
      auto solver = runtime::make_tridiagonal_solver(s.model);
      std::vector<double> diag = s.diag, x = s.rhs;
      solver->solve(diag, s.offdiag, x);
      EXPECT_LT(relative_error(x, s.x), 1e-12) << "tridiagonal (jaxley.stone)";
    }
    if (HasFailure()) break;
  }
}

TEST(RandomTrees, SparseSolveMatchesDenseLu) {
  // Branchpoint rows are ~1e6 smaller than compartment rows; the sparse solver equilibrates
  // rows before factorising (without that it lost ~5 digits, e.g. on random_model(5007)).
  for (int seed = 0; seed < 30; ++seed) {
    LinearSystem s = random_system(seed);
    SCOPED_TRACE("random_model(" + std::to_string(5000 + seed) + ")");
    auto solver = runtime::make_sparse_solver(s.model);
    std::vector<double> diag = s.diag, x = s.rhs;
    solver->solve(diag, s.offdiag, x);
    EXPECT_LT(relative_error(x, s.x), 1e-12) << "sparse LU (jax.sparse)";
  }
}


}  // namespace
}  // namespace ranvier

// Seeded differential fuzzing of networks (issue 19): random cells from random_model.h (random
// trees, geometry, channels, stimuli and recordings) joined by random synapses of every built-in
// type with random conductances, then integrated by the compiled LLVM backend and by the
// reference interpreter (with the kernels' exp, so the two agree to rounding). Random trees alone
// are fuzzed the same way in test_jit.cpp (Jit.MatchesInterpreterOnRandomTreesAndParameterSets).
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "api/compile.h"
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/stimulus.h"
#include "frontend/synapses/builtin.h"
#include "random_model.h"
#include "api/integrate.h"

namespace ranvier {
namespace {

// Seeds, each compiled once (the compile dominates: ~0.7 s) and run as a batch of kLanes
// synapse-conductance sets: 64 network simulations, ~12 s on one core.
constexpr int kNetworks = 16;
constexpr int kLanes = 4;

double max_rel_diff(const Result& a, const Result& b) {
  EXPECT_EQ(a.n_recordings, b.n_recordings);
  EXPECT_EQ(a.n_samples, b.n_samples);
  double worst = 0.0;
  for (std::size_t i = 0; i < a.data.size() && i < b.data.size(); ++i) {
    const double d = std::abs(a.data[i] - b.data[i]) / std::max(1.0, std::abs(b.data[i]));
    if (!(d <= worst)) worst = d;  // NaN counts as worst
  }
  return worst;
}

struct RandomNetwork {
  std::unique_ptr<Network> net;
  std::string description;
};

RandomNetwork random_network(std::uint64_t seed) {
  test::detail::Rng rng(seed * 0xD1B54A32D192ED03ULL + 777);
  const int n_cells = rng.integer(2, 4);
  std::vector<Cell> cells;
  std::string description = fmt::format("network seed {}: cells", seed);
  test::RandomModelOptions small;
  small.max_branches = 5;
  small.max_ncomp = 3;
  for (int i = 0; i < n_cells; ++i) {
    test::RandomModel m = test::random_model(90000 + seed * 8 + static_cast<std::uint64_t>(i), small);
    description += " [" + m.description + "]";
    cells.push_back(*m.cell);
  }
  RandomNetwork out{std::make_unique<Network>(cells), description};
  Network& net = *out.net;
  const std::vector<std::string> types = synapses::builtin_names();
  const int n_syn = rng.integer(1, 6);
  std::set<std::string> used;
  for (int s = 0; s < n_syn; ++s) {
    const int pre = rng.integer(0, n_cells - 1), post = rng.integer(0, n_cells - 1);
    const std::string type = types[static_cast<std::size_t>(rng.integer(0, static_cast<int>(types.size()) - 1))];
    // A random compartment of a random branch of each cell.
    auto pick = [&](int cell) {
      const int b = rng.integer(0, cells[static_cast<std::size_t>(cell)].n_branches() - 1);
      const int k = rng.integer(0, static_cast<int>(cells[static_cast<std::size_t>(cell)].branch(b).comps().size()) - 1);
      return std::pair{b, k};
    };
    const auto [pb, pk] = pick(pre);
    const auto [qb, qk] = pick(post);
    connect(net.cell(pre).branch(pb).comp(pk), net.cell(post).branch(qb).comp(qk), synapses::by_name(type));
    out.description += fmt::format(" {}:{}.{}.{}->{}.{}.{}", type, pre, pb, pk, post, qb, qk);
    used.insert(type);
    net.cell(post).branch(qb).comp(qk).record("v");
  }
  // Every cell's root is recorded; the first is driven (nA) so that the synapses see activity.
  for (int i = 0; i < n_cells; ++i) net.cell(i).branch(0).comp(0).record("v");
  net.cell(0).branch(0).comp(0).stimulate(step_current(0.5, 3.0, rng.uniform(0.05, 0.5), 0.025, 5.0));
  // Conductances spanning weak to strong coupling (uS).
  for (const std::string& type : used) net.synapses(type).set(type + "_gS", rng.log_uniform(1e-5, 1e-2));
  return out;
}

TEST(FuzzNetworks, CompiledMatchesInterpreterOnRandomNetworks) {
  int compared = 0;
  for (std::uint64_t seed = 0; seed < kNetworks; ++seed) {
    RandomNetwork rn = random_network(seed);
    SCOPED_TRACE(rn.description);
    const ir::Model model = rn.net->lower();
    std::vector<IntegrateOptions> lanes;
    for (int b = 0; b < kLanes; ++b) {
      IntegrateOptions o;
      o.t_max = 5.0;  // ms
      o.solver = seed % 2 ? "crank_nicolson" : "bwd_euler";
      for (const auto& g : model.synapses) {
        const std::string key = g.type.name + "_gS";
        std::vector<int> edges(static_cast<std::size_t>(g.size()));
        for (int e = 0; e < g.size(); ++e) edges[static_cast<std::size_t>(e)] = e;
        o.param_state.push_back({key, edges, {std::pow(10.0, -5.0 + b)}});  // 1e-5 .. 1e-2 uS
      }
      lanes.push_back(o);
    }
    const auto got = compile(model).integrate(lanes);
    for (int b = 0; b < kLanes; ++b) {
      IntegrateOptions ref = lanes[static_cast<std::size_t>(b)];
      ref.backend = "interpreter";
      ref.interpreter_uses_kernel_exp = true;
      EXPECT_LT(max_rel_diff(got.lane(b), integrate(model, ref)), 1e-12) << lanes[0].solver << " lane " << b;
    }
    ++compared;
    if (HasFailure()) break;
  }
  EXPECT_EQ(compared, kNetworks);
}

}  // namespace
}  // namespace ranvier

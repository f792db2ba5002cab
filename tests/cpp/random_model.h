#pragma once
// Reproducible random models for property tests (solver agreement, schedules, JIT versus
// interpreter). `random_model(seed)` builds a random Cell: a random tree of 1..15 branches
// (sometimes with parents not in topological order), 1..5 compartments per branch, random
// geometry per compartment or per branch, HH and/or Leak everywhere plus a random subset of
// the Pospischil channels on random branches or compartments (inserted in random order),
// random initial voltages, init_states() or not, 1..3 step-current stimuli, a few recordings
// of "v", gates and currents, and a random allowed_nodes_per_level in {1, 2, 4, 32}.
//
// Only std::mt19937_64 is used for randomness (no std::*_distribution, whose algorithms
// differ between standard libraries), so a seed gives the same model everywhere.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "frontend/stimulus.h"

namespace ranvier::test {

struct RandomModelOptions {
  int max_branches = 15;    // the cell has 1..max_branches branches
  int max_ncomp = 5;        // each branch has 1..max_ncomp compartments
  bool unbranched = false;  // force a single branch (a cable, solvable by jaxley.stone)
  double t_max = 5.0;       // ms: the stimuli cover this long
  double delta_t = 0.025;   // ms
};

struct RandomModel {
  std::uint64_t seed = 0;
  std::unique_ptr<Cell> cell;  // a unique_ptr: views keep a pointer to the module
  double t_max = 5.0;
  double delta_t = 0.025;
  std::string description;  // one line for failure messages
  bool unbranched() const { return cell->n_branches() == 1; }
};

namespace detail {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  // Log-uniform in [a, b] (for quantities spanning decades).
  double log_uniform(double a, double b) { return a * std::pow(b / a, uniform()); }
  int integer(int a, int b) { return a + static_cast<int>(gen_() % static_cast<std::uint64_t>(b - a + 1)); }  // [a, b]
  bool coin(double p = 0.5) { return uniform() < p; }
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<std::size_t>(integer(0, static_cast<int>(i) - 1))]);
  }

 private:
  std::mt19937_64 gen_;
};

}  // namespace detail

inline RandomModel random_model(std::uint64_t seed, const RandomModelOptions& options = {}) {
  detail::Rng rng(seed * 0x9E3779B97F4A7C15ULL + 12345);
  RandomModel out;
  out.seed = seed;
  out.t_max = options.t_max;
  out.delta_t = options.delta_t;

  // Tree: uniform recursive tree, deep (chain-like) or bushy (star-like).
  const int nb = options.unbranched ? 1 : rng.integer(1, options.max_branches);
  const int shape = rng.integer(0, 2);
  std::vector<int> parents(nb, -1);
  for (int b = 1; b < nb; ++b) {
    if (shape == 0) parents[b] = rng.integer(0, b - 1);
    else if (shape == 1) parents[b] = rng.integer(std::max(0, b - 2), b - 1);
    else parents[b] = rng.integer(0, std::min(1, b - 1));
  }
  // Sometimes relabel branches 1.. so that parents are not in topological order.
  if (nb > 2 && rng.coin(0.25)) {
    std::vector<int> perm(nb);
    for (int b = 0; b < nb; ++b) perm[b] = b;
    std::vector<int> tail(perm.begin() + 1, perm.end());
    rng.shuffle(tail);
    std::copy(tail.begin(), tail.end(), perm.begin() + 1);
    std::vector<int> relabelled(nb, -1);
    for (int b = 1; b < nb; ++b) relabelled[perm[b]] = perm[parents[b]];
    parents = relabelled;
  }
  std::vector<int> ncomp(nb);
  for (int b = 0; b < nb; ++b) ncomp[b] = rng.integer(1, options.max_ncomp);

  auto random_geometry = [&](auto&& target) {
    target.set("radius", rng.log_uniform(0.3, 3.0));
    target.set("length", rng.uniform(5.0, 50.0));
    target.set("axial_resistivity", rng.log_uniform(50.0, 5000.0));
    target.set("capacitance", rng.uniform(0.5, 2.0));
  };

  // Geometry: 0 = per compartment through the Compartment objects, 1 = per compartment
  // through views of the cell, 2 = per branch through views, 3 = one value for the cell.
  const int geometry = rng.integer(0, 3);
  std::vector<Branch> branches;
  for (int b = 0; b < nb; ++b) {
    std::vector<Compartment> comps(static_cast<std::size_t>(ncomp[b]));
    if (geometry == 0)
      for (auto& c : comps) random_geometry(c);
    branches.emplace_back(comps);
  }
  out.cell = std::make_unique<Cell>(branches, parents);
  Cell& cell = *out.cell;
  if (geometry == 1) {
    for (int b = 0; b < nb; ++b)
      for (int k = 0; k < ncomp[b]; ++k) random_geometry(cell.branch(b).comp(k));
  } else if (geometry == 2) {
    for (int b = 0; b < nb; ++b) random_geometry(cell.branch(b));
  } else if (geometry == 3) {
    random_geometry(cell);
  }

  // Channels: HH and/or Leak on every branch, then the Pospischil channels on random
  // branches or single compartments; the insertions happen in random order.
  struct Insertion {
    Mechanism mechanism;
    int branch;
    int comp;  // -1: the whole branch
  };
  std::vector<Insertion> insertions;
  for (int b = 0; b < nb; ++b) {
    int base = rng.integer(0, 2);
    if (base != 1) insertions.push_back({channels::HH(), b, -1});
    if (base != 0) insertions.push_back({channels::Leak(), b, -1});
  }
  std::vector<std::string> extra_names;
  for (const char* name : {"Na", "K", "Km", "CaL", "CaT"}) {
    if (!rng.coin(0.4)) continue;
    extra_names.push_back(name);
    bool any = false;
    for (int b = 0; b < nb; ++b) {
      if (!rng.coin(0.5)) continue;
      any = true;
      insertions.push_back({channels::by_name(name), b, rng.coin(0.25) ? rng.integer(0, ncomp[b] - 1) : -1});
    }
    if (!any) insertions.push_back({channels::by_name(name), rng.integer(0, nb - 1), -1});
  }
  rng.shuffle(insertions);
  for (const auto& ins : insertions) {
    if (ins.comp < 0) cell.branch(ins.branch).insert(ins.mechanism);
    else cell.branch(ins.branch).comp(ins.comp).insert(ins.mechanism);
  }
  // Some random channel parameters (set only touches compartments that have the channel).
  auto has = [&](const std::string& column) { return cell.has_column(column); };
  if (has("HH_gNa") && rng.coin(0.5)) cell.set("HH_gNa", rng.uniform(0.05, 0.2));
  if (has("HH_gK") && rng.coin(0.5)) cell.set("HH_gK", rng.uniform(0.01, 0.06));
  if (has("Leak_gLeak") && rng.coin(0.5)) cell.set("Leak_gLeak", rng.log_uniform(2e-5, 1e-3));
  if (has("Na_gNa") && rng.coin(0.5)) cell.set("Na_gNa", rng.uniform(0.01, 0.1));

  // Initial voltages: default, one random value, or one per branch; then maybe init_states.
  const int voltage = rng.integer(0, 2);
  if (voltage == 1) cell.set("v", rng.uniform(-75.0, -58.0));
  if (voltage == 2)
    for (int b = 0; b < nb; ++b) cell.branch(b).set("v", rng.uniform(-75.0, -58.0));
  const bool init = rng.coin(0.5);
  if (init) cell.init_states(options.delta_t);

  // Stimuli: 1..3 step currents, sometimes one per compartment of a branch (2-D).
  const int n_stim = rng.integer(1, 3);
  for (int s = 0; s < n_stim; ++s) {
    int b = rng.integer(0, nb - 1);
    double delay = rng.uniform(0.0, options.t_max / 2.0), dur = rng.uniform(0.5, options.t_max);
    if (rng.coin(0.2)) {
      std::vector<double> amps;
      for (int k = 0; k < ncomp[b]; ++k) amps.push_back(rng.uniform(0.01, 0.5));
      cell.branch(b).stimulate(datapoint_to_step_currents(delay, dur, amps, options.delta_t, options.t_max));
    } else {
      cell.branch(b).comp(rng.integer(0, ncomp[b] - 1))
          .stimulate(step_current(delay, dur, rng.uniform(0.01, 0.5), options.delta_t, options.t_max));
    }
  }

  // Recordings: "v" at the root and at 0..3 random compartments, then 0..2 gates and 0..2
  // currents where their mechanism is inserted.
  auto random_comp = [&] { return rng.integer(0, cell.n_comp() - 1); };
  auto record_at = [&](int comp, const std::string& state) {
    int b = cell.branch_of(comp);
    cell.branch(b).comp(comp - cell.first_comp(b)).record(state);
  };
  record_at(0, "v");
  for (int i = rng.integer(0, 3); i > 0; --i) record_at(random_comp(), "v");
  const auto& mechs = cell.mechanisms();
  auto random_site = [&](std::size_t m) {
    std::vector<int> where;
    for (int c = 0; c < cell.n_comp(); ++c)
      if (cell.has_mechanism(m, c)) where.push_back(c);
    return where[static_cast<std::size_t>(rng.integer(0, static_cast<int>(where.size()) - 1))];
  };
  for (int i = rng.integer(0, 2); i > 0; --i) {
    std::size_t m = static_cast<std::size_t>(rng.integer(0, static_cast<int>(mechs.size()) - 1));
    if (mechs[m].states.empty()) continue;
    const auto& state = mechs[m].states[static_cast<std::size_t>(rng.integer(0, static_cast<int>(mechs[m].states.size()) - 1))];
    record_at(random_site(m), state.name);
  }
  for (int i = rng.integer(0, 2); i > 0; --i) {
    std::size_t m = static_cast<std::size_t>(rng.integer(0, static_cast<int>(mechs.size()) - 1));
    record_at(random_site(m), mechs[m].current_name);
  }

  static const int kWidths[] = {1, 2, 4, 32};
  cell.set_allowed_nodes_per_level(kWidths[rng.integer(0, 3)]);

  std::vector<std::string> mech_names;
  for (const auto& m : mechs) mech_names.push_back(m.name);
  out.description = fmt::format(
      "random_model({}): parents [{}], ncomp [{}], geometry mode {}, mechanisms [{}], v mode {}, init_states {}, "
      "{} stimuli, {} recordings, allowed_nodes_per_level {}",
      seed, fmt::join(parents, ", "), fmt::join(ncomp, ", "), geometry, fmt::join(mech_names, ", "), voltage, init,
      cell.stimuli().size(), cell.recordings().size(), cell.allowed_nodes_per_level());
  return out;
}

}  // namespace ranvier::test

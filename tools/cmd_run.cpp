#include <algorithm>
#include <cmath>
#include <chrono>
#include <fstream>

#include <fmt/format.h>

#include "frontend/channels/builtin.h"
#include "frontend/read_swc.h"
#include "frontend/stimulus.h"
#include "ir/error.h"
#include "api/integrate.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/model_file.h"

namespace ranvier::tools {

namespace {

// An SWC reconstruction with HH everywhere, a somatic step current and four probes: the
// soma and the compartments at about 1/3, 2/3 and all of the largest path distance.
std::vector<std::pair<std::string, View>> swc_setup(Cell& cell, double dt, double t_max) {
  cell.set("axial_resistivity", 100.0);  // ohm cm
  cell.insert(channels::HH());
  cell.set("v", -65.0);
  cell.init_states();
  // The first soma compartment (a traced soma may span several branches).
  const int soma = cell.group("soma").comps().front();
  const View soma_view = cell.branch(cell.branch_of(soma)).comp(soma - cell.first_comp(cell.branch_of(soma)));
  soma_view.stimulate(step_current(10.0, 60.0, 1.0, dt, t_max));
  const auto dist = cell.path_distance(soma);
  const double far = *std::max_element(dist.begin(), dist.end());
  std::vector<std::pair<std::string, View>> probes = {{"soma", soma_view}};
  for (double f : {1.0 / 3.0, 2.0 / 3.0, 1.0}) {
    int best = 0;
    for (int c = 0; c < cell.n_comp(); ++c)
      if (std::abs(dist[c] - f * far) < std::abs(dist[best] - f * far)) best = c;
    int b = cell.branch_of(best);
    probes.emplace_back(fmt::format("{:.0f}um", dist[best]), cell.branch(b).comp(best - cell.first_comp(b)));
  }
  return probes;
}

// A run that produced NaN or inf (unstable parameters or time step) says so: the first such
// sample's time and probe.
void warn_if_nonfinite(const Result& r, const std::vector<std::pair<std::string, View>>& probes, double dt) {
  const std::optional<api::NonFinite> bad = api::first_nonfinite(r);
  if (!bad) return;
  fmt::print(stderr, "ranvier: warning: the simulation produced {} at t = {} ms (sample {}) in probe '{}' (v); the time step "
                     "or the parameters make it unstable\n",
             bad->value, bad->sample * dt, bad->sample, probes[static_cast<std::size_t>(bad->recording)].first);
}

}  // namespace

int cmd_run(const Args& args) {
  const Options o(args, "run", {"--t-max", "--dt", "--out", "--swc", "--ncomp", "--solver", "--voltage-solver"});
  const double t_max = o.positive("--t-max", 100.0);  // ms
  const double dt = o.positive("--dt", 0.025);        // ms
  const std::string out_path = o.output_path("--out", "traces.csv");
  const std::string swc_path = o.input_path("--swc", "");
  if (o.has("--ncomp") && swc_path.empty()) fail("run: --ncomp applies to --swc only");
  Cell cell = example_cell();
  std::vector<std::pair<std::string, View>> probes;
  if (!swc_path.empty()) {
    swc::ReadOptions ro;
    ro.ncomp = o.integer("--ncomp", 4, 1);
    cell = ranvier::read_swc(swc_path, ro);
    probes = swc_setup(cell, dt, t_max);
    fmt::print("ranvier: read {} ({} branches, {} compartments)\n", swc_path, cell.n_branches(), cell.n_comp());
  } else {
    cell.branch(0).comp(0).stimulate(step_current(10.0, 60.0, 0.5, dt, t_max));
    probes = {{"soma", cell.branch(0).comp(0)}, {"branch1_end", cell.branch(1).comp(3)}, {"branch3_tip", cell.branch(3).comp(3)},
              {"branch6_tip", cell.branch(6).comp(3)}};
  }
  for (const auto& [name, view] : probes) view.record("v");
  IntegrateOptions opt;
  opt.t_max = t_max;
  opt.delta_t = dt;
  opt.solver = o.text("--solver", "bwd_euler");
  opt.voltage_solver = o.text("--voltage-solver", "jaxley.dhs");
  auto t0 = std::chrono::steady_clock::now();
  Result r = integrate(cell, opt);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  warn_if_nonfinite(r, probes, dt);

  std::ofstream out(out_path);
  if (!out) fail("run --out: cannot write '{}'", out_path);
  out << "t_ms";
  for (const auto& p : probes) out << ",v_" << p.first << "_mV";
  out << "\n";
  for (int t = 0; t < r.n_samples; ++t) {
    out << fmt::format("{:.10g}", t * dt);
    for (int i = 0; i < r.n_recordings; ++i) out << fmt::format(",{:.17g}", r(i, t));
    out << "\n";
  }
  fmt::print("ranvier: {} compartments, {} steps of {} ms ({}, {}), {:.3f} s including compilation\n", cell.n_comp(),
             r.n_samples - 1, dt, opt.solver, opt.voltage_solver, seconds);
  RANVIER_ASSERT(r.n_recordings == static_cast<int>(probes.size()));
  for (int i = 0; i < r.n_recordings; ++i) {
    int spikes = 0;
    double peak = r(i, 0);
    for (int t = 1; t < r.n_samples; ++t) {
      if (r(i, t - 1) < 0.0 && r(i, t) >= 0.0) ++spikes;
      peak = std::max(peak, r(i, t));
    }
    fmt::print("  {:12s} spikes {:3d}  peak {:8.3f} mV  final {:8.3f} mV\n", probes[i].first, spikes, peak, r(i, r.n_samples - 1));
  }
  fmt::print("traces written to {}\n", out_path);
  return 0;
}

}  // namespace ranvier::tools

// The `ranvier` command-line program.
//
//   ranvier run [--t-max MS] [--dt MS] [--solver NAME] [--voltage-solver NAME] [--out FILE.csv]
//       Simulates the built-in example (an HH cell with seven branches and a somatic step
//       current), writes the traces as CSV and prints a short summary.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "frontend/stimulus.h"
#include "ir/error.h"
#include "runtime/integrate.h"

namespace {

using namespace ranvier;

struct Args {
  double t_max = 100.0;  // ms
  double dt = 0.025;     // ms
  std::string solver = "bwd_euler";
  std::string voltage_solver = "jaxley.dhs";
  std::string out = "traces.csv";
};

int usage() {
  std::fputs(
      "usage: ranvier run [--t-max MS] [--dt MS] [--solver NAME] [--voltage-solver NAME] [--out FILE.csv]\n"
      "  run: simulate the built-in example (HH cell, 7 branches, 0.5 nA somatic step) and write traces\n",
      stderr);
  return 2;
}

// An HH cell: a soma-like root branch with two children, each with two children.
Cell example_cell() {
  Cell cell(Branch(Compartment(), 4), {-1, 0, 0, 1, 1, 2, 2});
  cell.branch(0).set("radius", 5.0);      // um
  cell.branch(0).set("length", 5.0);      // um per compartment
  for (int b = 1; b < 7; ++b) {
    cell.branch(b).set("radius", b < 3 ? 1.0 : 0.5);
    cell.branch(b).set("length", 100.0);    // um per compartment
  }
  cell.set("axial_resistivity", 100.0);   // ohm cm
  cell.insert(channels::HH());
  cell.set("v", -65.0);                   // mV, HH's resting potential
  cell.init_states();                     // gates at steady state for v
  return cell;
}

int run(const Args& a) {
  Cell cell = example_cell();
  cell.branch(0).comp(0).stimulate(step_current(10.0, 60.0, 0.5, a.dt, a.t_max));
  const std::vector<std::pair<std::string, View>> probes = {
      {"soma", cell.branch(0).comp(0)}, {"branch1_end", cell.branch(1).comp(3)}, {"branch3_tip", cell.branch(3).comp(3)},
      {"branch6_tip", cell.branch(6).comp(3)}};
  for (const auto& [name, view] : probes) view.record("v");
  IntegrateOptions opt;
  opt.t_max = a.t_max;
  opt.delta_t = a.dt;
  opt.solver = a.solver;
  opt.voltage_solver = a.voltage_solver;
  auto t0 = std::chrono::steady_clock::now();
  Result r = integrate(cell, opt);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::ofstream out(a.out);
  if (!out) fail("cannot write '{}'", a.out);
  out << "t_ms";
  for (const auto& p : probes) out << ",v_" << p.first << "_mV";
  out << "\n";
  for (int t = 0; t < r.n_samples; ++t) {
    out << fmt::format("{:.10g}", t * a.dt);
    for (int i = 0; i < r.n_recordings; ++i) out << fmt::format(",{:.17g}", r(i, t));
    out << "\n";
  }
  fmt::print("ranvier: {} compartments, {} steps of {} ms ({}, {}), {:.3f} s (reference interpreter)\n", cell.n_comp(),
             r.n_samples - 1, a.dt, a.solver, a.voltage_solver, seconds);
  for (int i = 0; i < r.n_recordings; ++i) {
    int spikes = 0;
    double peak = r(i, 0);
    for (int t = 1; t < r.n_samples; ++t) {
      if (r(i, t - 1) < 0.0 && r(i, t) >= 0.0) ++spikes;
      peak = std::max(peak, r(i, t));
    }
    fmt::print("  {:12s} spikes {:3d}  peak {:8.3f} mV  final {:8.3f} mV\n", probes[i].first, spikes, peak, r(i, r.n_samples - 1));
  }
  fmt::print("traces written to {}\n", a.out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string cmd = argv[1];
  try {
    if (cmd == "run") {
      Args a;
      for (int i = 2; i < argc; ++i) {
        std::string k = argv[i];
        if (i + 1 >= argc) return usage();
        std::string v = argv[++i];
        if (k == "--t-max") a.t_max = std::stod(v);
        else if (k == "--dt") a.dt = std::stod(v);
        else if (k == "--solver") a.solver = v;
        else if (k == "--voltage-solver") a.voltage_solver = v;
        else if (k == "--out") a.out = v;
        else return usage();
      }
      return run(a);
    }
    return usage();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ranvier: error: %s\n", e.what());
    return 1;
  }
}

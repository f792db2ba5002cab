// Side-by-side timing on the 1016-compartment HH binary tree (case5 of the NEURON reference
// generator): reference interpreter vs LLVM JIT (B = 1 and B = 64, one thread), compile time,
// and agreement of the traces. Usage: bench_tree127 [bench/tree127.json]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "codegen/llvm/compiled_model.h"
#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "frontend/stimulus.h"

using namespace ranvier;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Cell build(const nlohmann::json& j) {
  auto parents = j.at("parents").get<std::vector<int>>();
  const int nseg = j.at("nseg");
  Cell cell(Branch(Compartment(), nseg), parents);
  auto lengths = j.at("length_um").get<std::vector<double>>();
  auto radii = j.at("radius_um").get<std::vector<double>>();
  for (std::size_t b = 0; b < parents.size(); ++b) {
    cell.branch(static_cast<int>(b)).set("length", lengths[b] / nseg);  // um per compartment
    cell.branch(static_cast<int>(b)).set("radius", radii[b]);           // um
  }
  cell.set("axial_resistivity", j.at("Ra_ohm_cm").get<double>());
  cell.insert(channels::HH());
  cell.init_states();
  const auto& s = j.at("stim");
  cell.branch(s.at("section").get<int>()).comp(s.at("seg").get<int>()).stimulate(step_current(s.at("delay_ms"), s.at("dur_ms"), s.at("amp_nA"), 0.025, 100.0));
  cell.branch(0).comp(0).record("v");
  return cell;
}

}  // namespace

int main(int argc, char** argv) {
  std::ifstream in(argc > 1 ? argv[1] : "bench/tree127.json");
  if (!in) {
    std::fprintf(stderr, "cannot open the model file (run from the repository root)\n");
    return 1;
  }
  Cell cell = build(nlohmann::json::parse(in));
  IntegrateOptions opt;
  opt.t_max = 100.0;
  const double work = static_cast<double>(cell.n_comp()) * 4000.0;  // compartment-steps

  IntegrateOptions ref = opt;
  ref.backend = "interpreter";
  auto t0 = std::chrono::steady_clock::now();
  Result interp = integrate(cell, ref);
  double t_interp = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  CompileOptions co;
  co.threads = 1;
  CompiledModel m = compile(cell, co);
  double t_compile = seconds_since(t0);
  double t_jit = 1e30;
  Result jit;
  for (int rep = 0; rep < 3; ++rep) {
    t0 = std::chrono::steady_clock::now();
    jit = m.integrate(opt);
    t_jit = std::min(t_jit, seconds_since(t0));
  }
  std::vector<IntegrateOptions> lanes(64, opt);
  double t_batch = 1e30;
  for (int rep = 0; rep < 2; ++rep) {
    t0 = std::chrono::steady_clock::now();
    auto batch = m.integrate(lanes);
    t_batch = std::min(t_batch, seconds_since(t0));
  }
  double diff = 0.0;
  for (int t = 0; t < interp.n_samples; ++t) diff = std::max(diff, std::abs(interp(0, t) - jit(0, t)));

  std::printf("tree127: %d compartments, 4000 steps (100 ms at 0.025 ms), 1 thread\n", cell.n_comp());
  std::printf("  interpreter      %8.3f s  %7.2f ns/comp-step\n", t_interp, t_interp / work * 1e9);
  std::printf("  jit compile      %8.3f s\n", t_compile);
  std::printf("  jit B=1          %8.3f s  %7.2f ns/comp-step\n", t_jit, t_jit / work * 1e9);
  std::printf("  jit B=64         %8.3f s  %7.2f ns/comp-step per simulation\n", t_batch, t_batch / (64 * work) * 1e9);
  std::printf("  max |jit - interpreter| = %.3g mV\n", diff);
  return 0;
}

// Gradient cost on the 1016-compartment HH binary tree (bench/tree127.json, the model of
// the other benchmarks): forward time (interpreter and, when linked, the LLVM JIT) against one
// value-and-gradient of mean((v - target)^2) w.r.t. per-branch gNa / gK / gLeak, radius and
// axial resistivity (compiled adjoint; with --interpreter also the interpreter's), with the
// default checkpointing and with explicit checkpoint_lengths.
// Usage: bench_gradient_tree127 [bench/tree127.json] [t_max_ms] [--interpreter]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/gradient_timing.h"
#include "frontend/module.h"
#include "api/vjp.h"
#include "tools/model_file.h"

using namespace ranvier;

namespace {

// The harness's tree127 (tools/model_file.h: HH, step current, v recorded at the root) with
// a second recording and the trainables whose gradients are timed.
Cell build(const std::string& path, double t_max) {
  Cell cell = tools::load_model_file(path, t_max, 0.0).cell;
  cell.branch(100).comp(7).record("v");
  cell.branch("all").make_trainable("HH_gNa");
  cell.branch("all").make_trainable("HH_gK");
  cell.branch("all").make_trainable("HH_gLeak");
  cell.branch("all").make_trainable("radius");
  cell.make_trainable("axial_resistivity");
  return cell;
}

}  // namespace

int main(int argc, char** argv) {
  const double t_max = argc > 2 ? std::atof(argv[2]) : 20.0;  // ms
  const bool interpreter = argc > 3 && std::string(argv[3]) == "--interpreter";
  const int repeats = 5;
  Cell cell = build(argc > 1 ? argv[1] : "bench/tree127.json", t_max);
  IntegrateOptions opt;
  opt.t_max = t_max;
  opt.params = get_parameters(cell);
  std::printf("model: %d compartments, %.0f ms, dt 0.025 ms; best of %d runs, 1 thread\n", cell.n_comp(), t_max, repeats);

  IntegrateOptions fwd = opt;
  fwd.backend = "auto";
  integrate(cell, fwd);  // compile once
  const double t_jit = bench::best_of(repeats, [&] { integrate(cell, fwd); });
  std::printf("forward, LLVM JIT (integrate):        %8.4f s\n", t_jit);
  if (interpreter) {
    fwd.backend = "interpreter";
    std::printf("forward, interpreter:                 %8.4f s\n", bench::best_of(1, [&] { integrate(cell, fwd); }));
  }
  const int T = static_cast<int>(t_max / 0.025 + 0.5);
  for (const char* backend : {"auto", "interpreter"}) {
    if (std::string(backend) == "interpreter" && !interpreter) continue;
    for (const std::vector<int>& levels : {std::vector<int>{}, std::vector<int>{T}, std::vector<int>{64, 63}, std::vector<int>{16, 16, 16}}) {
      IntegrateOptions g = opt;
      g.backend = backend;
      g.checkpoint_lengths = levels;
      bench::print_value_and_grad(cell, g, std::string(backend) == "auto" ? repeats : 1, t_jit, "gNa[0]");
    }
  }
  bench::print_peak_rss();
  return 0;
}

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

#include <sys/resource.h>

#include "frontend/module.h"
#include "runtime/gradient.h"
#include "tools/model_file.h"

using namespace ranvier;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

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

// Best of `repeats` wall-clock times of f() (the machine is shared and noisy).
template <typename F>
double best_of(int repeats, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

int main(int argc, char** argv) {
  const double t_max = argc > 2 ? std::atof(argv[2]) : 20.0;  // ms
  const bool interpreter = argc > 3 && std::string(argv[3]) == "--interpreter";
  const int repeats = 5;
  Cell cell = build(argc > 1 ? argv[1] : "bench/tree127.json", t_max);
  IntegrateOptions opt;
  opt.t_max = t_max;
  opt.params = get_parameters(cell);
  const LossFunction loss = [](const Result& r, std::vector<double>& cot) {
    double value = 0.0;
    for (std::size_t i = 0; i < r.data.size(); ++i) {
      const double e = r.data[i] + 60.0;  // target -60 mV
      value += e * e / static_cast<double>(r.data.size());
      cot[i] = 2.0 * e / static_cast<double>(r.data.size());
    }
    return value;
  };
  std::printf("model: %d compartments, %.0f ms, dt 0.025 ms; best of %d runs, 1 thread\n", cell.n_comp(), t_max, repeats);

  IntegrateOptions fwd = opt;
  fwd.backend = "auto";
  integrate(cell, fwd);  // compile once
  const double t_jit = best_of(repeats, [&] { integrate(cell, fwd); });
  std::printf("forward, LLVM JIT (integrate):        %8.4f s\n", t_jit);
  if (interpreter) {
    fwd.backend = "interpreter";
    std::printf("forward, interpreter:                 %8.4f s\n", best_of(1, [&] { integrate(cell, fwd); }));
  }

  for (const char* backend : {"auto", "interpreter"}) {
    if (std::string(backend) == "interpreter" && !interpreter) continue;
    const int T = static_cast<int>(t_max / 0.025 + 0.5);
    for (const std::vector<int>& levels : {std::vector<int>{}, std::vector<int>{T}, std::vector<int>{64, 63}, std::vector<int>{16, 16, 16}}) {
      IntegrateOptions g = opt;
      g.backend = backend;
      g.checkpoint_lengths = levels;
      const int n = std::string(backend) == "auto" ? repeats : 1;
      if (n > 1) vjp(cell, g);  // compile the adjoint once
      double t_fwd = 1e300, t_bwd = 1e300, value = 0.0, g0 = 0.0;
      GradientStats st;
      for (int i = 0; i < n; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        Vjp f = vjp(cell, g);
        t_fwd = std::min(t_fwd, seconds_since(t0));
        std::vector<double> cot(f.result.data.size(), 0.0);
        value = loss(f.result, cot);
        t0 = std::chrono::steady_clock::now();
        Gradients grad = f(cot);
        t_bwd = std::min(t_bwd, seconds_since(t0));
        st = f.stats();
        g0 = grad.params[0][0];
      }
      std::string lv;
      for (int l : st.checkpoint_lengths) lv += std::to_string(l) + " ";
      std::printf("value_and_grad, %s, checkpoint_lengths [%s]%s: forward %.4f s + backward %.4f s = %.2fx the JIT forward; "
                  "%lld steps run, peak %d states, %.1f MB; loss %.6f, dL/dgNa[0] %.6e\n",
                  st.compiled ? "compiled" : "interpreter", lv.c_str(), levels.empty() ? "(default)" : "", t_fwd, t_bwd,
                  (t_fwd + t_bwd) / t_jit, st.steps_run, st.peak_stored_states, static_cast<double>(st.peak_bytes) / 1e6, value, g0);
    }
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak resident memory of this process: %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}

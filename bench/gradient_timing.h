#pragma once
// Shared by the gradient benchmarks (bench_gradient_*.cpp): wall-clock timing, the loss
// mean((v + 60)^2) and one value-and-gradient timed and printed per checkpoint setting.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "frontend/module.h"
#include "api/vjp.h"

namespace ranvier::bench {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

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

// mean((v - target)^2) over every recorded sample, target -60 mV.
inline double mse_to_minus_60(const Result& r, std::vector<double>& cot) {
  double value = 0.0;
  const double n = static_cast<double>(r.data.size());
  for (std::size_t i = 0; i < r.data.size(); ++i) {
    const double e = r.data[i] + 60.0;
    value += e * e / n;
    cot[i] = 2.0 * e / n;
  }
  return value;
}

// vjp() + the backward pass, best of `repeats` calls (after one call that compiles), printed
// with the ratio to `t_forward` and d loss / d (first value of the first trainable).
inline void print_value_and_grad(const Module& m, const IntegrateOptions& g, int repeats, double t_forward, const char* first_name) {
  if (repeats > 1) vjp(m, g);  // compile the adjoint once
  double t_fwd = 1e300, t_bwd = 1e300, value = 0.0, g0 = 0.0;
  GradientStats st;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    Vjp f = vjp(m, g);
    t_fwd = std::min(t_fwd, seconds_since(t0));
    std::vector<double> cot(f.result.data.size(), 0.0);
    value = mse_to_minus_60(f.result, cot);
    t0 = std::chrono::steady_clock::now();
    Gradients grad = f(cot);
    t_bwd = std::min(t_bwd, seconds_since(t0));
    st = f.stats();
    g0 = grad.params[0][0];
  }
  std::string levels;
  for (int l : st.checkpoint_lengths) levels += std::to_string(l) + " ";
  std::printf("value_and_grad, %s, checkpoint_lengths [%s]%s: forward %.4f s + backward %.4f s = %.2fx the JIT forward; "
              "%lld steps run, peak %d states, %.1f MB; loss %.6f, dL/d%s %.6e\n",
              st.compiled ? "compiled" : "interpreter", levels.c_str(), g.checkpoint_lengths.empty() ? "(default)" : "", t_fwd,
              t_bwd, (t_fwd + t_bwd) / t_forward, st.steps_run, st.peak_stored_states, static_cast<double>(st.peak_bytes) / 1e6,
              value, first_name, g0);
}

inline void print_peak_rss() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak resident memory of this process: %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
}

}  // namespace ranvier::bench

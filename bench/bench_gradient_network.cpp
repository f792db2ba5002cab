// Gradient cost on a 20-cell network (issue 9): 20 cells of 5 branches x 4 compartments (HH
// everywhere, 400 compartments), 60 IonotropicSynapses in a fixed ring-like pattern (cell i
// onto cells i+1, i+5 and i+11, mod 20), a step current into every fifth cell, v recorded at
// every soma. One value-and-gradient of mean((v + 60)^2) w.r.t. every synapse weight (one per
// edge) and gNa per cell (80 parameters), against the compiled forward pass on one thread.
// bench/jaxley_gradient_network.py builds the same network in Jaxley.
// Usage: bench_gradient_network [t_max_ms=50]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/resource.h>
#include <vector>

#include "codegen/llvm/compiled_model.h"
#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/stimulus.h"
#include "frontend/synapses/builtin.h"
#include "runtime/gradient.h"

using namespace ranvier;

namespace {

constexpr int kCells = 20;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Network build(double t_max) {
  Cell cell(Branch(Compartment(), 4), {-1, 0, 0, 1, 1});
  cell.insert(channels::HH());
  Network net(std::vector<Cell>(kCells, cell));
  for (int i = 0; i < kCells; ++i)
    for (int offset : {1, 5, 11})
      connect(net.cell(i).branch(0).comp(0), net.cell((i + offset) % kCells).branch(1).comp(3), synapses::IonotropicSynapse());
  net.synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 2e-4);  // uS
  for (int i = 0; i < kCells; i += 5) net.cell(i).branch(0).comp(0).stimulate(step_current(1.0, 5.0, 0.3, 0.025, t_max));
  for (int i = 0; i < kCells; ++i) net.cell(i).branch(0).comp(0).record("v");
  net.synapses("IonotropicSynapse").edge("all").make_trainable("IonotropicSynapse_gS");
  net.cell("all").make_trainable("HH_gNa");
  return net;
}

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

}  // namespace

int main(int argc, char** argv) {
  const double t_max = argc > 1 ? std::atof(argv[1]) : 50.0;  // ms
  const int repeats = 5;
  Network net = build(t_max);
  IntegrateOptions opt;
  opt.t_max = t_max;
  opt.params = get_parameters(net);
  std::printf("network: %d cells, %d compartments, %d synapses, %.0f ms at dt 0.025 ms, %zu trainable groups; best of %d, 1 thread\n",
              kCells, net.n_comp(), net.n_synapses(), t_max, opt.params[0].size() + opt.params[1].size(), repeats);

  CompileOptions co;
  co.threads = 1;
  const CompiledModel compiled = compile(net, co);
  const double t_jit = best_of(repeats, [&] { compiled.integrate(opt); });
  std::printf("forward, LLVM JIT (integrate):        %8.4f s\n", t_jit);

  const LossFunction loss = [](const Result& r, std::vector<double>& cot) {
    double value = 0.0;
    const double n = static_cast<double>(r.data.size());
    for (std::size_t i = 0; i < r.data.size(); ++i) {
      const double e = r.data[i] + 60.0;  // target -60 mV
      value += e * e / n;
      cot[i] = 2.0 * e / n;
    }
    return value;
  };
  const int T = static_cast<int>(t_max / 0.025 + 0.5);
  const int root = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(T))));
  for (const std::vector<int>& levels : {std::vector<int>{}, std::vector<int>{T}, std::vector<int>{root, (T + root - 1) / root}}) {
    IntegrateOptions g = opt;
    g.checkpoint_lengths = levels;
    vjp(net, g);  // compile the adjoint once
    double t_fwd = 1e300, t_bwd = 1e300, value = 0.0, g0 = 0.0;
    GradientStats st;
    for (int i = 0; i < repeats; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      Vjp f = vjp(net, g);
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
                "%lld steps run, peak %.1f MB; loss %.6f, dL/dgS[0] %.6e\n",
                st.compiled ? "compiled" : "interpreter", lv.c_str(), levels.empty() ? "(default)" : "", t_fwd, t_bwd,
                (t_fwd + t_bwd) / t_jit, st.steps_run, static_cast<double>(st.peak_bytes) / 1e6, value, g0);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak resident memory of this process: %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}

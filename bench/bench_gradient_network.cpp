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
#include <vector>

#include "api/compile.h"
#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/stimulus.h"
#include "frontend/synapses/builtin.h"
#include "bench/gradient_timing.h"
#include "api/vjp.h"

using namespace ranvier;

namespace {

constexpr int kCells = 20;

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
  const double t_jit = bench::best_of(repeats, [&] { compiled.integrate(opt); });
  std::printf("forward, LLVM JIT (integrate):        %8.4f s\n", t_jit);
  const int T = static_cast<int>(t_max / 0.025 + 0.5);
  const int root = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(T))));
  for (const std::vector<int>& levels : {std::vector<int>{}, std::vector<int>{T}, std::vector<int>{root, (T + root - 1) / root}}) {
    IntegrateOptions g = opt;
    g.checkpoint_lengths = levels;
    bench::print_value_and_grad(net, g, repeats, t_jit, "gS[0]");
  }
  bench::print_peak_rss();
  return 0;
}

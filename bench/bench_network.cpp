// Network benchmark (issue 7): N cells of 10 branches x 10 compartments (HH everywhere),
// ~S IonotropicSynapses between soma compartments drawn by sparse_connect (seeded), a step
// current into every 10th cell. Times model building, compilation and one simulation on
// the JIT (its threads split the cells; first and second call, the second being the one to
// compare with a jitted Jaxley's second call), optionally the interpreter, and the peak
// resident memory. Prints one JSON line.
// Usage: bench_network [n_cells=1000] [n_synapses=100000] [t_max_ms=10] [interpreter=0] [threads=0: all cores]
// (1000 cells x 100 compartments x 100,000 synapses is the size.)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/resource.h>

#include "api/compile.h"
#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/stimulus.h"
#include "frontend/synapses/builtin.h"
#include "api/integrate.h"

using namespace ranvier;

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
// Peak resident memory of this process so far (MiB; Linux reports ru_maxrss in KiB).
double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}
}  // namespace

int main(int argc, char** argv) {
  const int n_cells = argc > 1 ? std::atoi(argv[1]) : 1000;
  const double n_synapses = argc > 2 ? std::atof(argv[2]) : 100000.0;
  const double t_max = argc > 3 ? std::atof(argv[3]) : 10.0;  // ms
  const bool interpreter = argc > 4 && std::atoi(argv[4]) != 0;
  // Threads for the one simulation (0: all cores); the cells are split over them.
  const int threads = argc > 5 ? std::atoi(argv[5]) : 0;

  auto t0 = std::chrono::steady_clock::now();
  Cell cell(Branch(Compartment(), 10), {-1, 0, 0, 1, 1, 2, 2, 3, 3, 4});
  cell.insert(channels::HH());
  Network net(std::vector<Cell>(static_cast<std::size_t>(n_cells), cell));
  const double p = std::min(1.0, n_synapses / (static_cast<double>(n_cells) * n_cells));
  sparse_connect(net.cell("all"), net.cell("all"), synapses::IonotropicSynapse(), p, 1234);
  if (net.n_synapses() > 0) net.synapses("IonotropicSynapse").set("IonotropicSynapse_gS", 2e-4);  // uS
  for (int c = 0; c < n_cells; c += 10) net.cell(c).branch(0).comp(0).stimulate(step_current(1.0, 5.0, 0.5, 0.025, t_max));
  for (int c = 0; c < std::min(n_cells, 10); ++c) net.cell(c).branch(0).comp(0).record("v");
  const double build_s = seconds_since(t0);
  const double build_rss = peak_rss_mib();

  t0 = std::chrono::steady_clock::now();
  CompileOptions co;
  co.threads = threads;
  CompiledModel m = compile(net, co);
  const double compile_s = seconds_since(t0);
  IntegrateOptions opt;
  opt.t_max = t_max;
  t0 = std::chrono::steady_clock::now();
  Result r = m.integrate(opt);
  const double jit_first_s = seconds_since(t0);  // includes first-touch costs of the buffers
  t0 = std::chrono::steady_clock::now();
  r = m.integrate(opt);
  const double jit_s = seconds_since(t0);
  const double jit_rss = peak_rss_mib();  // the interpreter run below may raise the peak
  double interp_s = -1.0, worst = -1.0;
  if (interpreter) {
    opt.backend = "interpreter";
    opt.interpreter_uses_kernel_exp = true;
    t0 = std::chrono::steady_clock::now();
    Result ri = integrate(net, opt);
    interp_s = seconds_since(t0);
    worst = 0.0;
    for (std::size_t i = 0; i < r.data.size(); ++i) worst = std::max(worst, std::abs(r.data[i] - ri.data[i]));
  }
  std::printf(
      "{\"threads\": %d, \"cells\": %d, \"compartments\": %d, \"synapses\": %d, \"t_max_ms\": %g, \"steps\": %d, \"build_s\": %.3f, "
      "\"compile_s\": %.3f, \"jit_first_run_s\": %.3f, \"jit_run_s\": %.3f, \"interpreter_run_s\": %.3f, \"max_abs_jit_vs_interpreter_mV\": %.3g, "
      "\"peak_rss_after_build_mib\": %.1f, \"peak_rss_after_jit_run_mib\": %.1f}\n",
      threads, n_cells, net.n_comp(), net.n_synapses(), t_max, r.n_samples - 1, build_s, compile_s, jit_first_s, jit_s, interp_s, worst,
      build_rss, jit_rss);
  return 0;
}

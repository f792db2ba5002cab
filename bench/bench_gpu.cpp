// The GPU backend's throughput: compartment-steps per second for batches of 1 .. 10,000
// single HH compartments (every lane a different gNa), 100 ms at dt 0.025 ms, and the
// agreement of every lane with the CPU (LLVM) backend. One JSON object per line, with the keys
// of bench/README.md ("system": "ranvier-gpu"). The 1016-compartment tree:
//   build/ranvier bench --model tree127 --backend gpu [--batch B]
// Usage: bench_gpu [max_batch]   (needs an NVIDIA GPU; says so and exits 1 without one)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "api/cuda_model.h"
#include "runtime/cuda/driver.h"
#include "api/compile.h"
#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "frontend/stimulus.h"
#include "ir/error.h"

using namespace ranvier;

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  const int max_batch = argc > 1 ? std::stoi(argv[1]) : 10000;
  Compartment comp;
  comp.insert(channels::HH());
  comp.init_states();
  comp.stimulate(step_current(1.0, 80.0, 0.2, 0.025, 100.0));
  comp.record("v");
  try {
    auto t0 = std::chrono::steady_clock::now();
    cuda::CudaModel gpu = cuda::compile(comp);
    const double compile_s = since(t0);
    CompiledModel cpu = compile(comp);
    for (int batch : {1, 10, 100, 1000, 10000}) {
      if (batch > max_batch) break;
      std::vector<IntegrateOptions> lanes(batch);
      for (int b = 0; b < batch; ++b) {
        lanes[b].t_max = 100.0;
        lanes[b].param_state.push_back({"HH_gNa", {0}, {0.12 * (batch > 1 ? 0.9 + 0.2 * b / (batch - 1) : 1.0)}});
      }
      gpu.integrate(lanes);  // warm-up
      double best = 1e300;
      std::vector<double> runs;
      runtime::BatchResult r;
      for (int rep = 0; rep < 5; ++rep) {
        t0 = std::chrono::steady_clock::now();
        r = gpu.integrate(lanes);
        runs.push_back(since(t0));
        best = std::min(best, runs.back());
        if (runs.back() > 5.0) break;
      }
      // Agreement with the CPU backend on up to 100 lanes.
      std::vector<IntegrateOptions> some(lanes.begin(), lanes.begin() + std::min(batch, 100));
      runtime::BatchResult c = cpu.integrate(some);
      double worst = 0.0;
      for (std::size_t i = 0; i < c.data.size(); ++i) worst = std::max(worst, std::abs(r.data[i] - c.data[i]) / std::max(1.0, std::abs(c.data[i])));
      const int n_steps = r.n_samples - 1;
      const double work = 1.0 * n_steps * batch;
      std::string rs;
      for (double s : runs) rs += (rs.empty() ? "" : ", ") + fmt::format("{:.6g}", s);
      std::printf("%s\n", fmt::format("{{\"system\": \"ranvier-gpu\", \"model\": \"single\", \"n_compartments\": 1, \"n_steps\": {}, "
                                      "\"batch\": {}, \"compile_s\": {:.6g}, \"run_s\": {:.6g}, \"comp_steps_per_s\": {:.6g}, "
                                      "\"runs\": [{}], \"max_rel_diff_vs_cpu\": {:.3g}, \"device\": \"{}\", \"target\": \"{}\"}}",
                                      n_steps, batch, compile_s, best, work / best, rs, worst, cuda::Driver::instance().device_name(), gpu.target())
                              .c_str());
      std::fflush(stdout);
    }
  } catch (const NotSupported& e) {
    std::fprintf(stderr, "bench_gpu: %s\n", e.what());
    return 1;
  }
  return 0;
}

// The GPU backend's generated source and runtime, run WITHOUT a GPU: the CUDA source is
// compiled by the host C++ compiler behind a small prelude (tests/cpp/cuda_host_emulator.h)
// and launched thread by thread on host memory, through the same CudaModel runtime
// (buffers, uploads, the kernel's arguments, downloads) the GPU uses. Results must equal
// the CPU (LLVM) backend to 1e-12 relative, as the JIT equals the interpreter: same
// operations in the same order. What this cannot check: NVRTC's code generation and
// CUDA's own pow/log/tanh (tests/cpp/test_cuda_gpu.cpp does, on a GPU).
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "api/cuda_model.h"
#include "api/compile.h"
#include "cuda_host_emulator.h"
#include "cuda_models.h"
#include "ir/error.h"

namespace ranvier {
namespace {

double max_rel_diff(const runtime::BatchResult& a, const runtime::BatchResult& b) {
  EXPECT_EQ(a.data.size(), b.data.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(a.data.size(), b.data.size()); ++i) {
    const double d = std::abs(a.data[i] - b.data[i]) / std::max(1.0, std::abs(b.data[i]));
    if (!(d <= worst)) worst = d;  // NaN counts as a failure
  }
  return worst;
}

// Enough samples for any external of a run of t_max (longer rows are truncated).
int steps_for(const IntegrateOptions& o) { return static_cast<int>(*o.t_max / o.delta_t) + 2; }

// Lanes that all differ: the radius of compartment 0 and (with HH) gNa, a stimulus on the
// last compartment in lane 1, a v clamp in lane 2 and a gate clamp in lane 3.
std::vector<IntegrateOptions> varied_lanes(const ir::Model& model, IntegrateOptions base, int B) {
  std::vector<IntegrateOptions> lanes;
  const int T = steps_for(base);
  const bool hh = model.column_index("HH_gNa") >= 0 && !std::isnan(model.column("HH_gNa")[0]);
  for (int b = 0; b < B; ++b) {
    IntegrateOptions o = base;
    o.param_state.push_back({"radius", {0}, {model.column("radius")[0] * (1.0 + 0.05 * b)}});
    if (hh) o.param_state.push_back({"HH_gNa", {0}, {0.12 * (1.0 - 0.02 * b)}});
    if (b == 1) o.data_stimuli.push_back({model.n_comp - 1, std::vector<double>(T, 0.05)});
    if (b == 2) o.data_clamps.push_back({"v", 0, std::vector<double>(T, -45.0)});
    if (b == 3 && hh) o.data_clamps.push_back({"HH_h", model.n_comp - 1, std::vector<double>(T, 0.3)});
    lanes.push_back(o);
  }
  return lanes;
}

// Runs `lanes` on the CPU backend and through the host emulation of the CUDA source.
double emulated_vs_cpu(const ir::Model& model, const std::vector<IntegrateOptions>& lanes, bool float32 = false) {
  cuda::CudaOptions go;
  go.arch = "none";
  go.float32 = float32;
  go.block_size = 4;  // several blocks, the last one partly idle
  cuda::CudaModel gm = cuda::compile(model, go);
  test::CudaHostEmulator emu(gm.source(cuda::CudaStage::CudaSource), float32);
  CompileOptions co;
  co.float32 = float32;
  co.threads = 1;
  runtime::BatchResult cpu = compile(model, co).integrate(lanes), gpu = gm.integrate_on(emu, lanes);
  EXPECT_EQ(gpu.n_samples, cpu.n_samples);
  EXPECT_EQ(gpu.n_recordings, cpu.n_recordings);
  return max_rel_diff(gpu, cpu);
}

TEST(CudaEmulated, GoldenCellBatchEqualsCpu) {
  const ir::Model model = test::golden_cell().lower();
  for (const char* solver : {"bwd_euler", "crank_nicolson"}) {
    IntegrateOptions o;
    o.t_max = 5.0;
    o.solver = solver;
    EXPECT_LT(emulated_vs_cpu(model, varied_lanes(model, o, 7)), 1e-12) << solver;
  }
}

TEST(CudaEmulated, Float32EqualsCpuFloat32) {
  // HH uses exp only, which is the CPU's bit for bit: the float results are identical.
  const ir::Model model = test::golden_cell().lower();
  IntegrateOptions o;
  o.t_max = 5.0;
  EXPECT_EQ(emulated_vs_cpu(model, varied_lanes(model, o, 5), true), 0.0);
}

TEST(CudaEmulated, NeuronAndRandomModelsEqualCpu) {
  std::vector<std::pair<std::string, ir::Model>> models = test::neuron_models();
  for (auto& m : test::random_models(3)) models.push_back(std::move(m));
  for (const auto& [name, model] : models) {
    IntegrateOptions o;
    o.t_max = 3.0;
    o.solver = name.back() % 2 ? "crank_nicolson" : "bwd_euler";
    EXPECT_LT(emulated_vs_cpu(model, varied_lanes(model, o, 5)), 1e-12) << name;
  }
}

TEST(CudaEmulated, JaxleyCasesEqualCpu) {
  // Cases whose generated source is the same as one run before are skipped (host compiles
  // are the slow part); every distinct kernel of the bwd_euler / crank_nicolson cases runs.
  std::set<std::string> seen;
  int checked = 0;
  for (const auto& c : test::jaxley_cases()) {
    IntegrateOptions opt = test::integrate_options(c.at("integrate"));
    if (opt.solver != "bwd_euler" && opt.solver != "crank_nicolson") continue;
    if (opt.voltage_solver == "jax.sparse") continue;
    const ir::Model model = test::build_case(c)->lower();
    if (!seen.insert(cuda::render_source(model)).second) continue;
    cuda::CudaOptions go;
    go.arch = "none";
    cuda::CudaModel gm = cuda::compile(model, go);
    test::CudaHostEmulator emu(gm.source(cuda::CudaStage::CudaSource), false);
    std::vector<IntegrateOptions> lanes = {opt, opt};
    runtime::BatchResult cpu = compile(model).integrate(lanes), gpu = gm.integrate_on(emu, lanes);
    EXPECT_LT(max_rel_diff(gpu, cpu), 1e-12) << c.at("name").get<std::string>();
    if (opt.return_states) {
      ASSERT_EQ(gpu.states.size(), cpu.states.size());
      for (std::size_t s = 0; s < cpu.states[0].names.size(); ++s)
        for (std::size_t i = 0; i < cpu.states[0].values[s].size(); ++i) {
          const double want = cpu.states[0].values[s][i], got = gpu.states[0].values[s][i];
          if (std::isnan(want)) continue;
          EXPECT_LE(std::abs(got - want), 1e-12 * std::max(1.0, std::abs(want))) << cpu.states[0].names[s] << " " << i;
        }
    }
    ++checked;
  }
  EXPECT_GT(checked, 3);
}

}  // namespace
}  // namespace ranvier

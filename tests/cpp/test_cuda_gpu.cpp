// The CUDA backend on a GPU: results equal the CPU (LLVM) backend to 1e-10 relative in double
// (built without LLVM: the interpreter with the kernels' exp) on the Jaxley cases, the
// NEURON-like cells, random trees and a CA1 reconstruction, with batches whose lanes all
// differ. Skipped, saying why, where there is no CUDA driver or GPU (NVRTC alone is not
// enough to run). The kernel's arithmetic is the CPU backend's operation for operation
// (tests/cpp/test_cuda_source.cpp checks it compiles); only CUDA's pow/log/tanh may differ
// from glibc's by an ulp.
#include <cmath>

#include <gtest/gtest.h>

#include "api/cuda_model.h"
#include "runtime/cuda/driver.h"
#include "cuda_models.h"
#include "ir/error.h"
#ifdef RANVIER_HAVE_LLVM
#include "api/compile.h"
#endif

namespace ranvier {
namespace {

#define REQUIRE_GPU()                                                          \
  do {                                                                         \
    try {                                                                      \
      cuda::Driver::instance();                                                \
    } catch (const NotSupported& e) {                                          \
      GTEST_SKIP() << "no GPU to run on: " << e.what();                        \
    }                                                                          \
  } while (0)

double max_rel_diff(const runtime::BatchResult& a, const runtime::BatchResult& b) {
  EXPECT_EQ(a.data.size(), b.data.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(a.data.size(), b.data.size()); ++i) {
    const double d = std::abs(a.data[i] - b.data[i]) / std::max(1.0, std::abs(b.data[i]));
    if (!(d <= worst)) worst = d;  // NaN counts as a failure
  }
  return worst;
}

// The CPU's results: the LLVM backend, or without it the reference interpreter using the
// kernels' exp (which equals the LLVM backend to 1e-12, tests/cpp/test_jit.cpp).
runtime::BatchResult cpu_reference(const ir::Model& model, const std::vector<IntegrateOptions>& lanes) {
#ifdef RANVIER_HAVE_LLVM
  return compile(model).integrate(lanes);
#else
  runtime::BatchResult out;
  out.batch = static_cast<int>(lanes.size());
  for (const auto& lane : lanes) {
    IntegrateOptions o = lane;
    o.backend = "interpreter";
    o.interpreter_uses_kernel_exp = true;
    Result r = integrate(model, o);
    out.n_recordings = r.n_recordings;
    out.n_samples = r.n_samples;
    out.data.insert(out.data.end(), r.data.begin(), r.data.end());
    if (r.states) out.states.push_back(*r.states);
  }
  return out;
#endif
}

// Lanes that all differ: a conductance, a radius and the stimulus amplitude per lane.
std::vector<IntegrateOptions> varied_lanes(const ir::Model& model, IntegrateOptions base, int B) {
  std::vector<IntegrateOptions> lanes;
  for (int b = 0; b < B; ++b) {
    IntegrateOptions o = base;
    o.param_state.push_back({"radius", {0}, {model.column("radius")[0] * (1.0 + 0.05 * b)}});
    if (model.column_index("HH_gNa") >= 0 && !std::isnan(model.column("HH_gNa")[0]))
      o.param_state.push_back({"HH_gNa", {0}, {0.12 * (1.0 - 0.02 * b)}});
    lanes.push_back(o);
  }
  return lanes;
}

TEST(CudaGpu, JaxleyCasesEqualTheCpuBackend) {
  REQUIRE_GPU();
  int checked = 0;
  for (const auto& c : test::jaxley_cases()) {
    IntegrateOptions opt = test::integrate_options(c.at("integrate"));
    if (opt.solver != "bwd_euler" && opt.solver != "crank_nicolson") continue;
    if (opt.voltage_solver == "jax.sparse") continue;
    auto module = test::build_case(c);
    const ir::Model model = module->lower();
    std::vector<IntegrateOptions> lanes = {opt};
    runtime::BatchResult cpu = cpu_reference(model, lanes);
    runtime::BatchResult gpu = cuda::compile(model).integrate(lanes);
    EXPECT_LT(max_rel_diff(gpu, cpu), 1e-10) << c.at("name").get<std::string>();
    ++checked;
  }
  EXPECT_GT(checked, 15);
}

TEST(CudaGpu, BatchesWhoseLanesDifferEqualTheCpuBackend) {
  REQUIRE_GPU();
  std::vector<std::pair<std::string, ir::Model>> models = test::neuron_models();
  for (auto& m : test::random_models(6)) models.push_back(std::move(m));
  for (auto& m : test::swc_models()) models.push_back(std::move(m));
  for (const auto& [name, model] : models) {
    IntegrateOptions base;
    base.t_max = 5.0;
    for (const char* solver : {"bwd_euler", "crank_nicolson"}) {
      base.solver = solver;
      auto lanes = varied_lanes(model, base, 37);  // more than one warp, not a multiple of 32
      lanes[3].data_clamps.push_back({"v", 0, std::vector<double>(201, -45.0)});
      lanes[5].data_stimuli.push_back({model.n_comp - 1, std::vector<double>(201, 0.05)});
      runtime::BatchResult cpu = cpu_reference(model, lanes);
      runtime::BatchResult gpu = cuda::compile(model).integrate(lanes);
      EXPECT_LT(max_rel_diff(gpu, cpu), 1e-10) << name << " " << solver;
    }
  }
}

TEST(CudaGpu, ReturnStatesAndBufferReuseAcrossCalls) {
  REQUIRE_GPU();
  const ir::Model model = test::golden_cell().lower();
  IntegrateOptions o;
  o.t_max = 5.0;
  o.return_states = true;
  cuda::CudaModel gm = cuda::compile(model);
  for (int B : {3, 70, 5}) {  // buffers grow, then are reused
    auto lanes = varied_lanes(model, o, B);
    runtime::BatchResult cpu = cpu_reference(model, lanes), gpu = gm.integrate(lanes);
    EXPECT_LT(max_rel_diff(gpu, cpu), 1e-10) << "B = " << B;
    ASSERT_EQ(gpu.states.size(), static_cast<std::size_t>(B));
    for (int b = 0; b < B; ++b)
      for (std::size_t s = 0; s < cpu.states[b].names.size(); ++s)
        for (std::size_t i = 0; i < cpu.states[b].values[s].size(); ++i)
          EXPECT_NEAR(gpu.states[b].values[s][i], cpu.states[b].values[s][i], 1e-10 * std::max(1.0, std::abs(cpu.states[b].values[s][i])))
              << cpu.states[b].names[s];
  }
}

#ifdef RANVIER_HAVE_LLVM
TEST(CudaGpu, Float32EqualsTheCpuFloat32Backend) {
  REQUIRE_GPU();
  const ir::Model model = test::golden_cell().lower();
  IntegrateOptions o;
  o.t_max = 5.0;
  auto lanes = varied_lanes(model, o, 40);
  CompileOptions co;
  co.float32 = true;
  cuda::CudaOptions go;
  go.float32 = true;
  runtime::BatchResult cpu = compile(model, co).integrate(lanes), gpu = cuda::compile(model, go).integrate(lanes);
  // The same float operations in the same order, and HH uses no function but the exp, which
  // is the CPU's bit for bit: identical (as in the host emulation, test_cuda_emulated.cpp).
  EXPECT_EQ(max_rel_diff(gpu, cpu), 0.0);
}
#endif

TEST(CudaGpu, UnsupportedSolversRaise) {
  REQUIRE_GPU();
  cuda::CudaModel m = cuda::compile(test::golden_cell());
  IntegrateOptions o;
  o.t_max = 1.0;
  o.solver = "fwd_euler";
  EXPECT_THROW(m.integrate(o), NotSupported);
  o.solver = "bwd_euler";
  o.voltage_solver = "jax.sparse";
  EXPECT_THROW(m.integrate(o), NotSupported);
}

}  // namespace
}  // namespace ranvier

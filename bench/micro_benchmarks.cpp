// Google Benchmark microbenchmarks of Ranvier's parts, on the models of bench/README.md
// ("tree127": the 1016-compartment HH binary tree; "single": one HH compartment):
//
//   LinearSolve/<solver>   one voltage solve of tree127's matrix: DHS (the cpu sweep) at
//                          allowed_nodes_per_level 1..16, the GPU variant's pointer jumping,
//                          Eigen SparseLU ("jax.sparse"), and a dense LU for scale
//   Integrate/<model>/<backend>   whole integrations, items = compartment-steps; the
//                          difference between the 40-step and 400-step runs is the cost of
//                          one full step, the rest is setup
//   ChannelKernel          batches of 1024 single HH compartments: the time is the HH kernel
//                          plus a one-node solve per lane, i.e. the channel kernel
//   Compile/<model>        passes + LLVM, with the kernel cache cleared every iteration
//   Hardware/<op>          the host's throughput for 4-lane double divisions and fused
//                          multiply-adds (AVX2), 8 independent chains: the floor under the
//                          HH kernel (bench/ROOFLINE.md); items = lanes (one double each)
//
// Run from the repository root (reads bench/tree127.json):
//   build/bench/micro_benchmarks [--benchmark_filter=...]
// CI runs it as a smoke test on tiny settings (tests/CMakeLists.txt, "bench_smoke").
#include <memory>
#include <string>
#include <vector>

#include <immintrin.h>

#include <Eigen/Dense>
#include <benchmark/benchmark.h>

#include "api/compile.h"
#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "api/integrate.h"
#include "passes/pipeline.h"
#include "runtime/linear_solver.h"
#include "tools/model_file.h"

namespace ranvier {
namespace {

Cell tree127() { return tools::load_model_file("bench/tree127.json", 0.0, 0.0).cell; }

Cell single() {
  Cell cell;
  cell.insert(channels::HH());
  cell.init_states();
  cell.record("v");
  return cell;
}

Cell model(const std::string& name) { return name == "tree127" ? tree127() : single(); }

// A diagonally dominant system with tree127's sparsity: what one implicit step solves.
struct TreeSystem {
  ir::Model model;
  std::vector<double> diag, offdiag, rhs;
  explicit TreeSystem(int allowed_nodes_per_level) {
    Cell cell = tree127();
    cell.set_allowed_nodes_per_level(allowed_nodes_per_level);
    model = cell.lower();
    const int nn = model.n_comp + model.n_bp;
    diag.assign(nn, 1.0);
    offdiag.assign(model.edges.size(), 0.0);
    for (std::size_t e = 0; e < model.edges.size(); ++e) {
      offdiag[e] = -0.3 - 0.001 * static_cast<double>(e % 7);
      diag[model.edges[e].sink] += 0.3 + 0.001 * static_cast<double>(e % 7);
    }
    rhs.assign(nn, 0.0);
    for (int i = 0; i < nn; ++i) rhs[i] = -65.0 + 0.01 * i;
  }
};

void LinearSolve(benchmark::State& state, const std::string& which, int k) {
  TreeSystem sys(k);
  std::unique_ptr<runtime::LinearSolver> solver;
  if (which == "dhs") solver = runtime::make_dhs_solver(passes::lower_tree_solve(sys.model), false);
  else if (which == "dhs_pointer_jumping") solver = runtime::make_dhs_solver(passes::lower_tree_solve(sys.model), true);
  else solver = runtime::make_sparse_solver(sys.model);
  for (auto _ : state) {
    std::vector<double> diag = sys.diag, rhs = sys.rhs;
    solver->solve(diag, sys.offdiag, rhs);
    benchmark::DoNotOptimize(rhs.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(sys.diag.size()));
}

void DenseSolve(benchmark::State& state) {
  TreeSystem sys(1);
  const int n = static_cast<int>(sys.diag.size());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < n; ++i) a(i, i) = sys.diag[i];
  for (std::size_t e = 0; e < sys.model.edges.size(); ++e)
    a(sys.model.edges[e].sink, sys.model.edges[e].source) = sys.offdiag[e];
  const Eigen::VectorXd b = Eigen::Map<const Eigen::VectorXd>(sys.rhs.data(), n);
  for (auto _ : state) {
    Eigen::VectorXd x = a.partialPivLu().solve(b);  // factorised every step: A changes with v
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void Integrate(benchmark::State& state, const std::string& name, const std::string& backend) {
  Cell cell = model(name);
  const int steps = static_cast<int>(state.range(0));
  IntegrateOptions opt;
  opt.t_max = steps * 0.025;  // ms
  opt.delta_t = 0.025;        // ms
  if (backend == "interpreter") {
    opt.backend = "interpreter";
    for (auto _ : state) benchmark::DoNotOptimize(integrate(cell, opt).data.data());
  } else {
    CompileOptions co;
    co.threads = 1;
    co.float32 = backend == "jit_float32";
    const CompiledModel m = compile(cell, co);
    for (auto _ : state) benchmark::DoNotOptimize(m.integrate(opt).data.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(steps) * cell.n_comp());
}

void ChannelKernel(benchmark::State& state, bool float32) {
  Cell cell = single();
  CompileOptions co;
  co.threads = 1;
  co.float32 = float32;
  const CompiledModel m = compile(cell, co);
  IntegrateOptions opt;
  opt.t_max = 10.0;  // ms: 400 steps
  const std::vector<IntegrateOptions> lanes(static_cast<std::size_t>(state.range(0)), opt);
  for (auto _ : state) benchmark::DoNotOptimize(m.integrate(lanes).data.data());
  state.SetItemsProcessed(state.iterations() * 400 * state.range(0));
}

void Compile(benchmark::State& state, const std::string& name) {
  const Cell cell = model(name);
  for (auto _ : state) {
    clear_kernel_cache();
    CompiledModel m = compile(cell);
    benchmark::DoNotOptimize(&m);
  }
}

// Four doubles, as an AVX2 register holds them (GCC/Clang vector extension).
typedef double Lanes4 __attribute__((vector_size(32)));

// 8 independent chains in registers (named, so that no array forces a stack round trip), so
// the loop measures throughput, not latency. Exact IEEE division (no -ffast-math): the
// compiler may not turn it into a multiplication.
#define RANVIER_EIGHT_CHAINS(step)                                                        \
  Lanes4 a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5],   \
         a6 = acc[6], a7 = acc[7];                                                        \
  for (long i = 0; i < n; ++i) {                                                          \
    a0 = step(a0), a1 = step(a1), a2 = step(a2), a3 = step(a3);                           \
    a4 = step(a4), a5 = step(a5), a6 = step(a6), a7 = step(a7);                           \
  }                                                                                       \
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3, acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;

__attribute__((target("avx2,fma"), noinline)) void divide_chains(Lanes4* acc, Lanes4 d, long n) {
#define RANVIER_DIVIDE(x) ((x) / d)
  RANVIER_EIGHT_CHAINS(RANVIER_DIVIDE)
#undef RANVIER_DIVIDE
}

__attribute__((target("avx2,fma"), noinline)) void fma_chains(Lanes4* acc, Lanes4 m, Lanes4 c, long n) {
  const __m256d mm = reinterpret_cast<__m256d>(m), cc = reinterpret_cast<__m256d>(c);
#define RANVIER_FMA(x) reinterpret_cast<Lanes4>(_mm256_fmadd_pd(reinterpret_cast<__m256d>(x), mm, cc))
  RANVIER_EIGHT_CHAINS(RANVIER_FMA)
#undef RANVIER_FMA
}
#undef RANVIER_EIGHT_CHAINS

void HardwareThroughput(benchmark::State& state, bool divide) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    state.SkipWithError("the host has no AVX2/FMA");
    return;
  }
  Lanes4 acc[8];
  for (int j = 0; j < 8; ++j) acc[j] = Lanes4{1.0 + j, 2.0 + j, 3.0 + j, 4.0 + j};
  const Lanes4 d = {1.0000001, 1.0000001, 1.0000001, 1.0000001}, c = {1e-9, 1e-9, 1e-9, 1e-9};
  const long n = 1 << 16;
  for (auto _ : state) {
    if (divide) divide_chains(acc, d, n);
    else fma_chains(acc, d, c, n);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(state.iterations() * n * 8 * 4);
}

void register_all() {
  for (int k : {1, 2, 4, 8, 16})
    benchmark::RegisterBenchmark(("LinearSolve/dhs/k=" + std::to_string(k)).c_str(), LinearSolve, "dhs", k);
  benchmark::RegisterBenchmark("LinearSolve/dhs_pointer_jumping/k=16", LinearSolve, "dhs_pointer_jumping", 16);
  benchmark::RegisterBenchmark("LinearSolve/sparse_lu", LinearSolve, "sparse", 1);
  benchmark::RegisterBenchmark("LinearSolve/dense_lu", DenseSolve)->Unit(benchmark::kMillisecond);
  for (const std::string name : {"single", "tree127"})
    for (const std::string backend : {"interpreter", "jit", "jit_float32"})
      benchmark::RegisterBenchmark(("Integrate/" + name + "/" + backend).c_str(), Integrate, name, backend)
          ->Arg(40)
          ->Arg(400)
          ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("ChannelKernel/double", ChannelKernel, false)->Arg(1024)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("ChannelKernel/float32", ChannelKernel, true)->Arg(1024)->Unit(benchmark::kMillisecond);
  for (const std::string name : {"single", "tree127"})
    benchmark::RegisterBenchmark(("Compile/" + name).c_str(), Compile, name)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Hardware/divide_f64x4", HardwareThroughput, true)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("Hardware/fma_f64x4", HardwareThroughput, false)->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace ranvier

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  ranvier::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// `ranvier bench`: the Ranvier side of bench/compare.py (contract in bench/README.md).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "api/cuda_model.h"
#include "api/compile.h"
#include "ir/error.h"
#include "api/integrate.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/model_file.h"

namespace ranvier::tools {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void write_npy(const std::string& path, const std::vector<double>& data, int rows, int cols) {
  std::string header = rows > 1 ? fmt::format("{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}", rows, cols)
                                 : fmt::format("{{'descr': '<f8', 'fortran_order': False, 'shape': ({},), }}", cols);
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) fail("bench --trace: cannot write '{}'", path);
  out.write("\x93NUMPY\x01\x00", 8);
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  out.write(reinterpret_cast<const char*>(&len), 2);
  out << header;
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * sizeof(double)));
}

}  // namespace

int cmd_bench(const Args& args) {
  const Options opts(args, "bench",
                  {"--model", "--model-file", "--backend", "--batch", "--threads", "--repeats", "--budget-s", "--t-max", "--dt", "--trace"});
  const std::string name = opts.text("--model", "");
  if (name.empty()) fail("bench needs --model NAME");
  std::string file = opts.input_path("--model-file", "");
  if (file.empty() && name == "tree127") file = "bench/tree127.json";
  if (file.empty()) fail("bench: model '{}' needs --model-file FILE.json", name);
  const std::string backend = opts.text("--backend", "jit");
  if (backend != "jit" && backend != "gpu" && backend != "interpreter" && backend != "sparse")
    fail("bench --backend = '{}'; use jit, gpu, interpreter or sparse", backend);
  const int batch = opts.integer("--batch", 1, 1);
  const int threads = opts.integer("--threads", 1, 0);  // 0 = all cores
  // Timed calls: best of up to --repeats, fewer once --budget-s of timed calls is spent (the
  // same rule as bench/jaxley_runner.py and bench/neuron_runner.py).
  const int repeats = opts.integer("--repeats", 3, 1);
  const double budget_s = opts.positive("--budget-s", 10.0);
  const std::string trace_path = opts.output_path("--trace", "");
  // -1: the model file's t_max_ms / dt_ms.
  ModelFile mf = load_model_file(file, opts.positive("--t-max", -1.0), opts.positive("--dt", -1.0));

  std::vector<IntegrateOptions> lanes(batch);
  std::vector<int> all(mf.cell.n_comp());
  for (int c = 0; c < mf.cell.n_comp(); ++c) all[c] = c;
  for (int b = 0; b < batch; ++b) {
    lanes[b].t_max = mf.t_max;
    lanes[b].delta_t = mf.dt;
    double scale = batch > 1 ? 0.9 + 0.2 * b / (batch - 1) : 1.0;
    lanes[b].param_state.push_back({"HH_gNa", all, {mf.gNa * scale}});
  }

  double compile_s = 0.0, run_s = 1e300;
  int n_samples = 0;
  std::vector<double> trace;  // (batch, n_samples), recording 0
  auto collect = [&](const auto& lane_result, int b) {
    if (b == 0) trace.clear();
    n_samples = lane_result.n_samples;
    for (int t = 0; t < n_samples; ++t) trace.push_back(lane_result(0, t));
  };
  // A compiled model (CPU JIT or GPU): one warm-up call (loads code, allocates buffers),
  // then the best of the timed calls; every call integrates all lanes.
  auto time_runs = [&](const auto& m) {
    m.integrate(lanes);
    double spent = 0.0;
    for (int rep = 0; rep < repeats && spent < budget_s; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = m.integrate(lanes);
      const double s = since(t0);
      spent += s;
      run_s = std::min(run_s, s);
      if (rep == 0)
        for (int b = 0; b < batch; ++b) collect(r.lane(b), b);
    }
  };
  if (backend == "jit") {
    CompileOptions co;
    co.threads = threads;
    auto t0 = std::chrono::steady_clock::now();
    CompiledModel m = compile(mf.cell, co);
    compile_s = since(t0);
    time_runs(m);
  } else if (backend == "gpu") {
    // The CUDA backend: one kernel launch runs all lanes (one thread each), all steps.
    auto t0 = std::chrono::steady_clock::now();
    cuda::CudaModel m = cuda::compile(mf.cell);
    compile_s = since(t0);
    time_runs(m);
  } else if (backend == "interpreter" || backend == "sparse") {
    auto t0 = std::chrono::steady_clock::now();
    ir::Model model = mf.cell.lower();
    compile_s = since(t0);
    for (auto& o : lanes) {
      o.backend = "interpreter";
      o.voltage_solver = backend == "sparse" ? "jax.sparse" : "jaxley.dhs";
    }
    double spent = 0.0;
    for (int rep = 0; rep < repeats && spent < budget_s; ++rep) {
      t0 = std::chrono::steady_clock::now();
      std::vector<Result> rs;
      for (const auto& o : lanes) rs.push_back(integrate(model, o));
      double s = since(t0);
      spent += s;
      run_s = std::min(run_s, s);
      if (rep == 0)
        for (int b = 0; b < batch; ++b) collect(rs[b], b);
    }
  } else {
    fail("unknown backend '{}'; use jit, gpu, interpreter or sparse", backend);
  }
  const int n_steps = n_samples - 1;
  if (const std::string& path = trace_path; !path.empty()) {
    if (path.size() > 4 && path.substr(path.size() - 4) == ".csv") {
      std::ofstream out(path);
      if (!out) fail("bench --trace: cannot write '{}'", path);
      out << "t_ms,v_mV\n";
      for (int t = 0; t < n_samples; ++t) out << fmt::format("{:.10g},{:.17g}\n", t * mf.dt, trace[t]);
    } else {
      write_npy(path, trace, batch, n_samples);
    }
  }
  const double work = static_cast<double>(mf.cell.n_comp()) * n_steps * batch;
  std::printf("%s\n", fmt::format("{{\"system\": \"ranvier-{}\", \"model\": \"{}\", \"n_compartments\": {}, \"n_steps\": {}, "
                                  "\"batch\": {}, \"threads\": {}, \"compile_s\": {:.6g}, \"run_s\": {:.6g}, "
                                  "\"comp_steps_per_s\": {:.6g}, \"ns_per_comp_step\": {:.6g}}}",
                                  backend, name, mf.cell.n_comp(), n_steps, batch, threads, compile_s, run_s, work / run_s,
                                  run_s / work * 1e9)
                          .c_str());
  return 0;
}

}  // namespace ranvier::tools

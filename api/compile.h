#pragma once
// Compile once, integrate many: a model lowered through the pass pipeline, its mechanism
// kernels JIT-compiled by LLVM for the host CPU, run by the batched time loop. Parameter
// values, initial states, stimuli, clamps, delta_t and t_max are runtime inputs; only the
// structure (topology, mechanisms and where they are, what is stimulated, clamped and
// recorded) is compiled in. Kernels are cached by the kernel IR text and the target.
#include <memory>
#include <string>
#include <vector>

#include "api/kernel_cache.h"
#include "api/stages.h"
#include "ir/model.h"
#include "runtime/batch_runner.h"
#include "runtime/options.h"

namespace ranvier {

class Module;

struct CompileOptions {
  // Single-precision kernels and buffers (double is the default). Implies the exact
  // (symbolic) dI/dv: in float32 the 1e-3 mV difference quotient loses ~4 digits.
  bool float32 = false;
  bool symbolic_derivative = false;  // exact dI/dv instead of Jaxley's 1e-3 mV finite difference
  int threads = 0;                   // worker threads for batches; 0 = all cores
};

class CompiledModel {
 public:
  // One simulation (Jaxley's integrate).
  Result integrate(const IntegrateOptions& options = {}) const;
  // B simulations in one call; lanes may differ in params, param_state, data_stimuli,
  // data_clamps and all_states, and must share t_max/delta_t/solver.
  runtime::BatchResult integrate(const std::vector<IntegrateOptions>& lanes) const;

  std::string source(Stage stage) const;
  const ir::Model& model() const;
  double compile_seconds() const;
  bool float32() const;

  // Number of compilations so far in this process (cache hits do not count).
  static std::size_t compilations();

  struct Impl;

 private:
  friend CompiledModel compile(const ir::Model&, const CompileOptions&);
  std::shared_ptr<const Impl> impl_;
};

CompiledModel compile(const ir::Model& model, const CompileOptions& options = {});
CompiledModel compile(const Module& module, const CompileOptions& options = {});

}  // namespace ranvier

#pragma once
// The GPU backend: a model lowered through the pass pipeline, rendered as CUDA C++ (one thread
// per simulation, codegen/cuda/emit_cuda.h), compiled by NVRTC for the GPU's architecture and
// run through the CUDA driver API. NVRTC and the driver are loaded at run time: without a
// GPU, compile() (with no explicit arch) and integrate() throw NotSupported saying so.
//
//   cuda::CudaModel m = cuda::compile(cell);              // needs a GPU (its architecture)
//   runtime::BatchResult r = m.integrate(lanes);          // as CompiledModel::integrate
//   std::string cu = m.source(cuda::CudaStage::CudaSource);
//
// With CudaOptions::arch set ("sm_90"), compile() needs NVRTC only, so the source and PTX can
// be made and inspected on a machine without a GPU.
#include <memory>
#include <string>
#include <vector>

#include "ir/model.h"
#include "runtime/batch_runner.h"
#include "runtime/options.h"

namespace ranvier {
class Module;
}

namespace ranvier::cuda {

class Device;  // runtime/cuda/device.h

enum class CudaStage {
  CudaSource,  // the generated CUDA C++
  Ptx,         // PTX for the target's virtual architecture (compiled on request)
};
const char* stage_name(CudaStage s);

struct CudaOptions {
  bool float32 = false;              // float kernels and buffers (implies the exact dI/dv, as the CPU backend)
  bool symbolic_derivative = false;  // exact dI/dv instead of Jaxley's 1e-3 mV finite difference
  std::string arch;                  // "sm_90"; empty: the GPU's own (needs the driver); "none": source only
  int block_size = 128;              // threads (lanes) per block
};

// The CUDA source of a model, without NVRTC or a GPU.
std::string render_source(const ir::Model& model, const CudaOptions& options = {});

class CudaModel {
 public:
  Result integrate(const IntegrateOptions& options = {}) const;
  // B simulations in one kernel launch, one thread each; lanes may differ as on the CPU
  // (params, param_state, data_stimuli, data_clamps, all_states) and share the time grid.
  runtime::BatchResult integrate(const std::vector<IntegrateOptions>& lanes) const;

  // The same on another Device (tests: a host emulation of the generated source); buffers
  // are allocated for this call and freed after it.
  runtime::BatchResult integrate_on(Device& device, const std::vector<IntegrateOptions>& lanes) const;

  std::string source(CudaStage stage) const;
  const std::string& target() const;  // "sm_90" (cubin) or "compute_90" (PTX, JIT-compiled by the driver)
  const std::string& nvrtc_log() const;
  const ir::Model& model() const;
  bool float32() const;
  double compile_seconds() const;

  struct Impl;

 private:
  friend CudaModel compile(const ir::Model&, const CudaOptions&);
  std::shared_ptr<Impl> impl_;
};

CudaModel compile(const ir::Model& model, const CudaOptions& options = {});
CudaModel compile(const Module& module, const CudaOptions& options = {});

}  // namespace ranvier::cuda

#pragma once
// The GPU backend's time loop, host side: the lanes' buffers (node-major, lanes innermost, as
// runtime/batch_runner.cpp lays them out), stimuli and clamps time-major, one launch of the
// generated kernel (ir/cuda_abi.h) that runs every lane's whole time loop, and the
// recordings and states read back. Any Device runs it: the CUDA driver or a host emulation.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/cuda_abi.h"
#include "ir/model.h"
#include "runtime/batch_runner.h"
#include "runtime/cuda/device.h"
#include "runtime/options.h"

namespace ranvier::cuda {

// Device buffers by name, kept and grown across calls (name -> (pointer, bytes)).
using DevicePool = std::map<std::string, std::pair<DevicePtr, std::size_t>>;
DevicePtr pooled_buffer(Device& dev, DevicePool& pool, const std::string& name, std::size_t bytes);

// What a launch needs of the compiled model.
struct CudaRun {
  const ir::Model& model;
  const std::vector<std::string>& arrays;  // the kernel's pointer table (CudaSource::arrays)
  bool float32 = false;
  int block_size = 128;  // threads (lanes) per block
};

runtime::BatchResult run_cuda(Device& dev, void* kernel, DevicePool& pool, const CudaRun& run,
                              const std::vector<IntegrateOptions>& lanes);

}  // namespace ranvier::cuda

#pragma once
// What the GPU backend's runtime needs from a device: memory, copies, a kernel, a launch.
// The CUDA driver (driver.h) is the real one; tests also run the generated source through a
// host emulation of this interface (tests/cpp/cuda_host_emulator.h), which checks the
// emitted arithmetic and the runtime's buffer layout on machines without a GPU.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ranvier::cuda {

using DevicePtr = std::uint64_t;  // CUdeviceptr

class Device {
 public:
  virtual ~Device() = default;
  // The kernel `kernel_name` of a compiled image (cubin or PTX).
  virtual void* load_kernel(const std::vector<char>& image, const char* kernel_name) = 0;
  virtual DevicePtr alloc(std::size_t bytes) = 0;
  virtual void free(DevicePtr p) = 0;
  virtual void upload(DevicePtr dst, const void* src, std::size_t bytes) = 0;
  virtual void download(void* dst, DevicePtr src, std::size_t bytes) = 0;
  // Launches a 1-D grid of the kernel with cuLaunchKernel-style arguments and waits for it.
  virtual void launch(void* kernel, unsigned grid, unsigned block, void** args) = 0;
};

}  // namespace ranvier::cuda

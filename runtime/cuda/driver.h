#pragma once
// The CUDA driver API, loaded at run time with dlopen (libcuda.so.1 comes with the NVIDIA
// driver, not with the toolkit). Without a driver or a GPU, open() throws NotSupported with a
// message a user can act on; nothing crashes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/cuda/device.h"

namespace ranvier::cuda {

inline constexpr const char* kDriverLibrary = "libcuda.so.1";

class Driver final : public Device {
 public:
  // The first GPU through libcuda.so.1 ($RANVIER_CUDA_DRIVER overrides the library), opened
  // once per process. Throws NotSupported when there is no driver or no GPU.
  static Driver& instance();
  // Opens `library` and its first device (for tests: a missing library gives the same error).
  static std::unique_ptr<Driver> open(const std::string& library);

  ~Driver() override;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  int compute_capability() const { return cc_; }  // 90 for sm_90
  const std::string& device_name() const { return name_; }

  // Loads a cubin or PTX image (the context made current on this thread first).
  void* load_kernel(const std::vector<char>& image, const char* kernel_name) override;
  DevicePtr alloc(std::size_t bytes) override;
  void free(DevicePtr p) override;
  void upload(DevicePtr dst, const void* src, std::size_t bytes) override;
  void download(void* dst, DevicePtr src, std::size_t bytes) override;
  void launch(void* kernel, unsigned grid, unsigned block, void** args) override;

  struct Api;

 private:
  Driver() = default;
  void check(int rc, const char* what) const;
  void make_current() const;
  void* lib_ = nullptr;
  std::unique_ptr<Api> api_;
  void* context_ = nullptr;
  int device_ = 0;
  int cc_ = 0;
  std::string name_;
};

}  // namespace ranvier::cuda

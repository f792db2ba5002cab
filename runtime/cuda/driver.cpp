#include "runtime/cuda/driver.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include <fmt/format.h>

#include "ir/error.h"

namespace ranvier::cuda {

// The driver entry points used, declared as in cuda.h (handles are pointers, CUdevice and
// CUresult ints, CUdeviceptr 64 bits); the _v2 names are the ones cuda.h maps to.
struct Driver::Api {
  int (*Init)(unsigned);
  int (*GetErrorString)(int, const char**);
  int (*DeviceGetCount)(int*);
  int (*DeviceGet)(int*, int);
  int (*DeviceGetAttribute)(int*, int, int);
  int (*DeviceGetName)(char*, int, int);
  int (*DevicePrimaryCtxRetain)(void**, int);
  int (*DevicePrimaryCtxRelease)(int);
  int (*CtxSetCurrent)(void*);
  int (*CtxSynchronize)();
  int (*ModuleLoadData)(void**, const void*);
  int (*ModuleGetFunction)(void**, void*, const char*);
  int (*MemAlloc)(DevicePtr*, std::size_t);
  int (*MemFree)(DevicePtr);
  int (*MemcpyHtoD)(DevicePtr, const void*, std::size_t);
  int (*MemcpyDtoH)(void*, DevicePtr, std::size_t);
  int (*LaunchKernel)(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**);
};

namespace {
constexpr int kAttrComputeCapabilityMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kAttrComputeCapabilityMinor = 76;

template <typename F>
void bind(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn) fail_unsupported("the CUDA driver library lacks {}; the GPU backend needs a CUDA 11 or newer driver", name);
}
}  // namespace

std::unique_ptr<Driver> Driver::open(const std::string& library) {
  void* lib = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    fail_unsupported("no CUDA driver ({}) found: the GPU backend needs an NVIDIA GPU; use device=\"cpu\"", library);
  std::unique_ptr<Driver> d(new Driver());
  d->lib_ = lib;
  d->api_ = std::make_unique<Api>();
  Api& a = *d->api_;
  bind(lib, a.Init, "cuInit");
  bind(lib, a.GetErrorString, "cuGetErrorString");
  bind(lib, a.DeviceGetCount, "cuDeviceGetCount");
  bind(lib, a.DeviceGet, "cuDeviceGet");
  bind(lib, a.DeviceGetAttribute, "cuDeviceGetAttribute");
  bind(lib, a.DeviceGetName, "cuDeviceGetName");
  bind(lib, a.DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  bind(lib, a.DevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  bind(lib, a.CtxSetCurrent, "cuCtxSetCurrent");
  bind(lib, a.CtxSynchronize, "cuCtxSynchronize");
  bind(lib, a.ModuleLoadData, "cuModuleLoadData");
  bind(lib, a.ModuleGetFunction, "cuModuleGetFunction");
  bind(lib, a.MemAlloc, "cuMemAlloc_v2");
  bind(lib, a.MemFree, "cuMemFree_v2");
  bind(lib, a.MemcpyHtoD, "cuMemcpyHtoD_v2");
  bind(lib, a.MemcpyDtoH, "cuMemcpyDtoH_v2");
  bind(lib, a.LaunchKernel, "cuLaunchKernel");
  if (int rc = a.Init(0); rc != 0) {
    const char* s = nullptr;
    a.GetErrorString(rc, &s);
    fail_unsupported("the CUDA driver ({}) found no usable GPU (cuInit: {}); use device=\"cpu\"", library, s ? s : "error");
  }
  int count = 0;
  if (a.DeviceGetCount(&count) != 0 || count < 1)
    fail_unsupported("the CUDA driver ({}) reports no GPU; use device=\"cpu\"", library);
  d->check(a.DeviceGet(&d->device_, 0), "cuDeviceGet");
  int major = 0, minor = 0;
  d->check(a.DeviceGetAttribute(&major, kAttrComputeCapabilityMajor, d->device_), "cuDeviceGetAttribute");
  d->check(a.DeviceGetAttribute(&minor, kAttrComputeCapabilityMinor, d->device_), "cuDeviceGetAttribute");
  d->cc_ = major * 10 + minor;
  char name[256] = {};
  d->check(a.DeviceGetName(name, sizeof(name) - 1, d->device_), "cuDeviceGetName");
  d->name_ = name;
  d->check(a.DevicePrimaryCtxRetain(&d->context_, d->device_), "cuDevicePrimaryCtxRetain");
  return d;
}

Driver& Driver::instance() {
  static std::once_flag once;
  static std::unique_ptr<Driver> d;
  static std::string error;
  std::call_once(once, [] {
    const char* env = std::getenv("RANVIER_CUDA_DRIVER");
    try {
      d = open(env && *env ? env : kDriverLibrary);
    } catch (const Error& e) {
      error = e.what();
    }
  });
  if (!d) throw NotSupported(error);
  return *d;
}

Driver::~Driver() {
  if (context_ && api_) api_->DevicePrimaryCtxRelease(device_);
  // The library stays loaded: the driver does not support being unloaded and reloaded.
}

void Driver::check(int rc, const char* what) const {
  if (rc == 0) return;
  const char* s = nullptr;
  api_->GetErrorString(rc, &s);
  fail("CUDA driver call {} failed: {} (error {})", what, s ? s : "unknown", rc);
}

void Driver::make_current() const { check(api_->CtxSetCurrent(context_), "cuCtxSetCurrent"); }

void* Driver::load_kernel(const std::vector<char>& image, const char* kernel_name) {
  make_current();
  void* module = nullptr;
  check(api_->ModuleLoadData(&module, image.data()), "cuModuleLoadData");
  void* fn = nullptr;
  check(api_->ModuleGetFunction(&fn, module, kernel_name), "cuModuleGetFunction");
  return fn;
}

DevicePtr Driver::alloc(std::size_t bytes) {
  make_current();
  DevicePtr p = 0;
  check(api_->MemAlloc(&p, bytes == 0 ? 8 : bytes), "cuMemAlloc");  // size 0 is an error
  return p;
}

void Driver::free(DevicePtr p) {
  if (p) api_->MemFree(p);
}

void Driver::upload(DevicePtr dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  make_current();
  check(api_->MemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD");
}

void Driver::download(void* dst, DevicePtr src, std::size_t bytes) {
  if (bytes == 0) return;
  make_current();
  check(api_->MemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH");
}

void Driver::launch(void* kernel, unsigned grid, unsigned block, void** args) {
  make_current();
  check(api_->LaunchKernel(kernel, grid, 1, 1, block, 1, 1, 0, nullptr, args, nullptr), "cuLaunchKernel");
  check(api_->CtxSynchronize(), "cuCtxSynchronize (the simulation kernel)");
}

}  // namespace ranvier::cuda

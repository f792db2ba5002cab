#pragma once
// A host emulation of a CUDA device for the GPU backend's tests on machines without a GPU:
// the generated CUDA source, behind a small prelude that maps the CUDA spellings used
// (__device__, __constant__, fma, __double_as_longlong, blockIdx, ...) to C++, is compiled
// by the host C++ compiler into a shared library; launch() runs every thread of the grid in
// turn. Device memory is host memory. This checks what a GPU cannot be asked here: that the
// emitted arithmetic, tables and time loop, and the runtime's buffer layout, uploads and
// downloads, compute the CPU backend's numbers. (Compiled without contraction, like NVRTC
// with --fmad=false; pow/log/tanh are glibc's here, CUDA's on a GPU.)
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/cuda/device.h"
#include "codegen/cuda/emit_cuda.h"
#include "ir/error.h"

namespace ranvier::test {

inline const char* kCudaHostPrelude = R"(// host emulation prelude
#include <math.h>
#include <cstring>
#define __device__
#define __global__
#define __constant__
#define __forceinline__ inline
struct Dim3 { unsigned x = 0, y = 0, z = 0; };
static Dim3 blockIdx, threadIdx, blockDim;
extern "C" void ranvier_emulator_set(unsigned block, unsigned block_dim, unsigned thread) {
  blockIdx.x = block; blockDim.x = block_dim; threadIdx.x = thread;
}
static inline long long __double_as_longlong(double x) { long long r; std::memcpy(&r, &x, 8); return r; }
static inline double __longlong_as_double(long long x) { double r; std::memcpy(&r, &x, 8); return r; }
static inline double __longlong_as_double(unsigned long long x) { double r; std::memcpy(&r, &x, 8); return r; }
static inline unsigned __float_as_uint(float x) { unsigned r; std::memcpy(&r, &x, 4); return r; }
static inline float __uint_as_float(unsigned x) { float r; std::memcpy(&r, &x, 4); return r; }
static inline float __int_as_float(unsigned x) { float r; std::memcpy(&r, &x, 4); return r; }
)";

class CudaHostEmulator final : public cuda::Device {
 public:
  // Compiles `source` (emit_cuda's text) with the host compiler ($CXX or c++).
  CudaHostEmulator(const std::string& source, bool float32) : float32_(float32) {
    namespace fs = std::filesystem;
    dir_ = fs::temp_directory_path() / fmt::format("ranvier_cuda_emu_{}_{}", ::getpid(), counter()++);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "k.cpp") << kCudaHostPrelude << source;
    const char* cxx = std::getenv("CXX");
    const std::string cmd = fmt::format("{} -std=c++17 -O1 -ffp-contract=off -fno-fast-math -shared -fPIC -w -o {} {} 2> {}",
                                        cxx && *cxx ? cxx : "c++", (dir_ / "k.so").string(), (dir_ / "k.cpp").string(),
                                        (dir_ / "log.txt").string());
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream log(dir_ / "log.txt");
      std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      throw Error("host emulation: the generated source does not compile as C++:\n" + text);
    }
    lib_ = dlopen((dir_ / "k.so").c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib_) throw Error(std::string("host emulation: dlopen: ") + dlerror());
    set_ = reinterpret_cast<void (*)(unsigned, unsigned, unsigned)>(dlsym(lib_, "ranvier_emulator_set"));
  }
  ~CudaHostEmulator() override {
    for (auto* p : blocks_) std::free(p);
    if (lib_) dlclose(lib_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void* load_kernel(const std::vector<char>&, const char* kernel_name) override { return dlsym(lib_, kernel_name); }
  cuda::DevicePtr alloc(std::size_t bytes) override {
    void* p = std::calloc(bytes ? bytes : 8, 1);
    blocks_.push_back(p);
    return reinterpret_cast<cuda::DevicePtr>(p);
  }
  void free(cuda::DevicePtr) override {}  // all blocks are freed with the emulator
  void upload(cuda::DevicePtr dst, const void* src, std::size_t bytes) override {
    if (bytes) std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
  }
  void download(void* dst, cuda::DevicePtr src, std::size_t bytes) override {
    if (bytes) std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
  }
  void launch(void* kernel, unsigned grid, unsigned block, void** a) override {
    for (unsigned g = 0; g < grid; ++g)
      for (unsigned t = 0; t < block; ++t) {
        set_(g, block, t);
        if (float32_) call<float>(kernel, a);
        else call<double>(kernel, a);
      }
  }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  // The kernel's signature (emit_cuda.cpp's ranvier_simulate), arguments as cuLaunchKernel's.
  template <typename T>
  static void call(void* kernel, void** a) {
    using Fn = void (*)(T* const*, int, int, T, T, int, const T*, const int*, int, const int*, const int*, const T*, int, T*);
    auto ptr = [&](int i) { return *static_cast<cuda::DevicePtr*>(a[i]); };
    auto i32 = [&](int i) { return *static_cast<int*>(a[i]); };
    reinterpret_cast<Fn>(kernel)(reinterpret_cast<T* const*>(ptr(0)), i32(1), i32(2), *static_cast<T*>(a[3]), *static_cast<T*>(a[4]),
                                 i32(5), reinterpret_cast<const T*>(ptr(6)), reinterpret_cast<const int*>(ptr(7)), i32(8),
                                 reinterpret_cast<const int*>(ptr(9)), reinterpret_cast<const int*>(ptr(10)),
                                 reinterpret_cast<const T*>(ptr(11)), i32(12), reinterpret_cast<T*>(ptr(13)));
  }

  bool float32_;
  std::filesystem::path dir_;
  void* lib_ = nullptr;
  void (*set_)(unsigned, unsigned, unsigned) = nullptr;
  std::vector<void*> blocks_;
};

}  // namespace ranvier::test

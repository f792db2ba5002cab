#pragma once
// NVRTC, loaded at run time with dlopen: Ranvier has no link-time CUDA dependency, so one
// binary runs with or without a GPU, and the CUDA source can be compiled (and checked)
// on a machine that has NVRTC but no GPU.
//
// Where libnvrtc is looked for, in order:
//   1. $RANVIER_NVRTC: the library file, or a folder that holds libnvrtc.so*;
//   2. the pip wheel nvidia-cuda-nvrtc-cu12 (nvidia/cuda_nvrtc/lib/) in the build tree's
//      build/cuda-venv (scripts/install_nvrtc.sh), $VIRTUAL_ENV, ~/.local and the system's
//      Python site-packages;
//   3. the CUDA toolkit (/usr/local/cuda/lib64), then the dynamic loader's own search for
//      libnvrtc.so.13, libnvrtc.so.12, libnvrtc.so.
#include <string>
#include <vector>

namespace ranvier::cuda {

// Options under which the generated code computes the CPU backend's numbers: no contraction
// of a * b + c into an fma (the source writes every fma explicitly), IEEE division and
// square root, subnormals kept.
const std::vector<std::string>& exact_options();

struct NvrtcOutput {
  std::string log;            // NVRTC's log, "" when it had nothing to say
  std::vector<char> binary;   // a cubin, or PTX text (NUL-terminated)
  bool cubin = false;
  std::string target;         // "sm_90" or "compute_90"
};

class Nvrtc {
 public:
  // The loaded library; throws NotSupported, saying how to install it, when none is found.
  static const Nvrtc& instance();
  // Whether instance() would succeed, without throwing.
  static bool available();

  const std::string& path() const { return path_; }
  std::string version() const;               // "12.9"
  std::vector<int> supported_archs() const;   // e.g. {50, 52, ..., 90, 100, 120}

  // Compiles `source` for compute capability `arch` (90 = sm_90): to a cubin when `cubin`,
  // else to PTX for compute_<arch>. Throws ranvier::Error with the log when compilation fails.
  NvrtcOutput compile(const std::string& source, const std::string& name, int arch, bool cubin,
                      const std::vector<std::string>& extra_options = {}) const;

  struct Api;

 private:
  Nvrtc() = default;
  std::string path_;
  const Api* api_ = nullptr;
};

}  // namespace ranvier::cuda

#include "codegen/cuda/nvrtc.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>

#include "ir/error.h"

namespace ranvier::cuda {
namespace fs = std::filesystem;

// The few NVRTC entry points used, declared as in nvrtc.h (a C API: enums are ints).
struct Nvrtc::Api {
  using Program = void*;
  const char* (*GetErrorString)(int);
  int (*Version)(int*, int*);
  int (*CreateProgram)(Program*, const char*, const char*, int, const char* const*, const char* const*);
  int (*CompileProgram)(Program, int, const char* const*);
  int (*GetProgramLogSize)(Program, std::size_t*);
  int (*GetProgramLog)(Program, char*);
  int (*GetPTXSize)(Program, std::size_t*);
  int (*GetPTX)(Program, char*);
  int (*GetCUBINSize)(Program, std::size_t*);
  int (*GetCUBIN)(Program, char*);
  int (*DestroyProgram)(Program*);
  int (*GetNumSupportedArchs)(int*);
  int (*GetSupportedArchs)(int*);
};

namespace {

const char* kInstallHint =
    "NVRTC (libnvrtc.so) was not found: install it with `bash scripts/install_nvrtc.sh` (pip wheel "
    "nvidia-cuda-nvrtc-cu12 into build/cuda-venv), or point RANVIER_NVRTC at libnvrtc.so.12 or its folder";

// libnvrtc files in a folder, newest soname first; the ".alt" variants are skipped.
std::vector<std::string> libraries_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const char* name : {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"})
    if (fs::exists(dir / name, ec)) out.push_back((dir / name).string());
  return out;
}

// <prefix>/lib/python3.*/{site,dist}-packages/nvidia/cuda_nvrtc/lib for a Python prefix.
void add_wheel_dirs(const fs::path& prefix, std::vector<fs::path>& dirs) {
  std::error_code ec;
  for (const fs::path& lib : {prefix / "lib", prefix / "local" / "lib"}) {
    if (!fs::is_directory(lib, ec)) continue;
    for (const auto& e : fs::directory_iterator(lib, ec)) {
      if (e.path().filename().string().rfind("python3", 0) != 0) continue;
      for (const char* pk : {"site-packages", "dist-packages"}) dirs.push_back(e.path() / pk / "nvidia" / "cuda_nvrtc" / "lib");
    }
  }
}

std::vector<std::string> candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("RANVIER_NVRTC"); env && *env) {
    std::error_code ec;
    if (fs::is_directory(env, ec)) {
      for (auto& l : libraries_in(env)) out.push_back(l);
    } else {
      out.push_back(env);
    }
    return out;  // an explicit choice is the only one tried
  }
  std::vector<fs::path> dirs;
#ifdef RANVIER_NVRTC_VENV
  add_wheel_dirs(RANVIER_NVRTC_VENV, dirs);  // build/cuda-venv of this build tree
#endif
  if (const char* venv = std::getenv("VIRTUAL_ENV"); venv && *venv) add_wheel_dirs(venv, dirs);
  if (const char* home = std::getenv("HOME"); home && *home) add_wheel_dirs(fs::path(home) / ".local", dirs);
  add_wheel_dirs("/usr", dirs);
  dirs.push_back("/usr/local/cuda/lib64");
  for (const auto& d : dirs)
    for (auto& l : libraries_in(d)) out.push_back(l);
  for (const char* name : {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"}) out.push_back(name);
  return out;
}

// The wheel's libnvrtc loads libnvrtc-builtins by soname, which the loader may not find in
// the wheel's folder; loading it first by its path makes that lookup succeed.
void preload_builtins(const std::string& nvrtc_path) {
  std::error_code ec;
  const fs::path dir = fs::path(nvrtc_path).parent_path();
  if (dir.empty() || !fs::is_directory(dir, ec)) return;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string f = e.path().filename().string();
    if (f.rfind("libnvrtc-builtins.so", 0) == 0) dlopen(e.path().c_str(), RTLD_NOW | RTLD_GLOBAL);
  }
}

template <typename F>
void bind(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn) fail_unsupported("{} lacks {}; NVRTC 11.2 or newer is needed", "libnvrtc", name);
}

struct Loaded {
  std::string path;
  Nvrtc::Api api{};
  std::string error;  // why nothing was loaded
};

const Loaded& loaded() {
  static const Loaded l = [] {
    Loaded r;
    std::string tried;
    for (const auto& c : candidates()) {
      preload_builtins(c);
      void* lib = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!lib) {
        const char* why = dlerror();
        tried += fmt::format("\n  {}: {}", c, why ? why : "not loadable");
        continue;
      }
      try {
        bind(lib, r.api.GetErrorString, "nvrtcGetErrorString");
        bind(lib, r.api.Version, "nvrtcVersion");
        bind(lib, r.api.CreateProgram, "nvrtcCreateProgram");
        bind(lib, r.api.CompileProgram, "nvrtcCompileProgram");
        bind(lib, r.api.GetProgramLogSize, "nvrtcGetProgramLogSize");
        bind(lib, r.api.GetProgramLog, "nvrtcGetProgramLog");
        bind(lib, r.api.GetPTXSize, "nvrtcGetPTXSize");
        bind(lib, r.api.GetPTX, "nvrtcGetPTX");
        bind(lib, r.api.GetCUBINSize, "nvrtcGetCUBINSize");
        bind(lib, r.api.GetCUBIN, "nvrtcGetCUBIN");
        bind(lib, r.api.DestroyProgram, "nvrtcDestroyProgram");
        bind(lib, r.api.GetNumSupportedArchs, "nvrtcGetNumSupportedArchs");
        bind(lib, r.api.GetSupportedArchs, "nvrtcGetSupportedArchs");
      } catch (const Error& e) {
        tried += fmt::format("\n  {}: {}", c, e.what());
        continue;
      }
      r.path = c;
      return r;
    }
    r.error = std::string(kInstallHint) + "; tried:" + tried;
    return r;
  }();
  return l;
}

}  // namespace

const std::vector<std::string>& exact_options() {
  static const std::vector<std::string> o = {"--fmad=false", "--prec-div=true", "--prec-sqrt=true", "--ftz=false",
                                             "--std=c++17"};
  return o;
}

bool Nvrtc::available() { return !loaded().path.empty(); }

const Nvrtc& Nvrtc::instance() {
  static std::once_flag once;
  static Nvrtc n;
  const Loaded& l = loaded();
  if (l.path.empty()) fail_unsupported("{}", l.error);
  std::call_once(once, [&] {
    n.path_ = l.path;
    n.api_ = &l.api;
  });
  return n;
}

std::string Nvrtc::version() const {
  int major = 0, minor = 0;
  api_->Version(&major, &minor);
  return fmt::format("{}.{}", major, minor);
}

std::vector<int> Nvrtc::supported_archs() const {
  int n = 0;
  if (api_->GetNumSupportedArchs(&n) != 0 || n <= 0) return {};
  std::vector<int> archs(static_cast<std::size_t>(n));
  api_->GetSupportedArchs(archs.data());
  return archs;
}

NvrtcOutput Nvrtc::compile(const std::string& source, const std::string& name, int arch, bool cubin,
                           const std::vector<std::string>& extra_options) const {
  NvrtcOutput out;
  out.cubin = cubin;
  out.target = fmt::format("{}_{}", cubin ? "sm" : "compute", arch);
  std::vector<std::string> opts = exact_options();
  opts.push_back("--gpu-architecture=" + out.target);
  for (const auto& o : extra_options) opts.push_back(o);
  std::vector<const char*> argv;
  for (const auto& o : opts) argv.push_back(o.c_str());

  Api::Program prog = nullptr;
  if (int rc = api_->CreateProgram(&prog, source.c_str(), name.c_str(), 0, nullptr, nullptr); rc != 0)
    fail("nvrtcCreateProgram failed: {}", api_->GetErrorString(rc));
  const int rc = api_->CompileProgram(prog, static_cast<int>(argv.size()), argv.data());
  std::size_t log_size = 0;
  api_->GetProgramLogSize(prog, &log_size);
  if (log_size > 1) {
    out.log.resize(log_size);
    api_->GetProgramLog(prog, out.log.data());
    out.log.resize(log_size - 1);  // drop the terminating NUL
  }
  if (rc != 0) {
    api_->DestroyProgram(&prog);
    fail("NVRTC could not compile the generated CUDA source for {}: {}\n{}", out.target, api_->GetErrorString(rc), out.log);
  }
  std::size_t size = 0;
  if (cubin) {
    api_->GetCUBINSize(prog, &size);
    out.binary.resize(size);
    api_->GetCUBIN(prog, out.binary.data());
  } else {
    api_->GetPTXSize(prog, &size);
    out.binary.resize(size);
    api_->GetPTX(prog, out.binary.data());
  }
  api_->DestroyProgram(&prog);
  return out;
}

}  // namespace ranvier::cuda

#include "api/cuda_model.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "api/dump.h"
#include "api/kernel_cache.h"
#include "codegen/cuda/emit_cuda.h"
#include "codegen/cuda/nvrtc.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "passes/pipeline.h"
#include "runtime/cuda/driver.h"
#include "runtime/cuda/runner.h"

namespace ranvier::cuda {
namespace {

ir::Linearization linearization(const CudaOptions& o) {
  // As the CPU backend: in float32 the 1e-3 mV difference quotient loses ~4 digits.
  return (o.symbolic_derivative || o.float32) ? ir::Linearization::Symbolic : ir::Linearization::FiniteDifference;
}

// "sm_90" -> (90, cubin); "compute_90" -> (90, PTX).
std::pair<int, bool> parse_arch(const std::string& arch) {
  for (auto [prefix, cubin] : {std::pair{"sm_", true}, std::pair{"compute_", false}}) {
    const std::string p = prefix;
    if (arch.rfind(p, 0) == 0 && arch.size() > p.size() &&
        std::all_of(arch.begin() + static_cast<std::ptrdiff_t>(p.size()), arch.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return {std::stoi(arch.substr(p.size())), cubin};
  }
  fail("CudaOptions::arch '{}' is not a GPU architecture such as sm_90 or compute_90", arch);
}

// The device's own architecture as a cubin when NVRTC knows it, else PTX for the newest
// virtual architecture NVRTC knows below it (the driver compiles PTX for the device).
std::pair<int, bool> device_target(int cc, const Nvrtc& nvrtc) {
  const std::vector<int> archs = nvrtc.supported_archs();
  if (archs.empty() || std::find(archs.begin(), archs.end(), cc) != archs.end()) return {cc, true};
  int best = -1;
  for (int a : archs)
    if (a <= cc) best = std::max(best, a);
  if (best < 0) fail_unsupported("NVRTC {} supports no architecture up to the GPU's sm_{}", nvrtc.version(), cc);
  return {best, false};
}

// Compiled images, by source and target, in the process's kernel cache.
std::shared_ptr<const NvrtcOutput> nvrtc_compile(const std::string& source, int arch, bool cubin) {
  const std::string key = fmt::format("cuda|{}|{}|", cubin ? "sm" : "compute", arch) + source;
  return api::cached_as<NvrtcOutput>(key, [&] {
    return std::make_shared<const NvrtcOutput>(Nvrtc::instance().compile(source, "ranvier_model.cu", arch, cubin));
  });
}

}  // namespace

struct CudaModel::Impl {
  ir::Program program;
  CudaOptions options;
  CudaSource source;
  std::shared_ptr<const NvrtcOutput> image;
  int arch = 0;
  double seconds = 0.0;
  // PTX on request, when the image is a cubin.
  std::once_flag ptx_once;
  std::shared_ptr<const NvrtcOutput> ptx;
  // Loaded on the first integrate(); device buffers are kept and grown across calls.
  std::once_flag load_once;
  void* function = nullptr;
  std::mutex run_mutex;
  DevicePool buffers;
  ~Impl() {
    if (buffers.empty()) return;
    try {
      Driver& drv = Driver::instance();
      for (auto& [name, b] : buffers) drv.free(b.first);
    } catch (...) {
    }
  }

  // Runs the lanes on `dev` with `kernel`; `pool` holds the device buffers (kept
  // across calls for the GPU, freed after the call otherwise).
  runtime::BatchResult run(Device& dev, void* kernel, DevicePool& pool, const std::vector<IntegrateOptions>& lanes) const {
    return run_cuda(dev, kernel, pool, CudaRun{program.model, source.arrays, options.float32, options.block_size}, lanes);
  }
};

const char* stage_name(CudaStage s) { return s == CudaStage::CudaSource ? "cuda_source" : "ptx"; }

std::string render_source(const ir::Model& model, const CudaOptions& options) {
  const ir::Program p = passes::lower(model, {linearization(options), false, false}).program;
  return emit_cuda(p.model, p.kernel, p.tree.schedule, options.float32).text;
}

CudaModel compile(const ir::Model& model, const CudaOptions& options) {
  if (!model.synapses.empty())
    fail_unsupported("the GPU backend does not support synapses yet ({} synapse type(s) in the model); use the CPU "
                     "backends for networks",
                     model.synapses.size());
  auto t0 = std::chrono::steady_clock::now();
  auto impl = std::make_shared<CudaModel::Impl>();
  impl->options = options;
  impl->program = passes::lower(model, {linearization(options), false, false}).program;
  impl->source = emit_cuda(impl->program.model, impl->program.kernel, impl->program.tree.schedule, options.float32);
  if (options.block_size < 1 || options.block_size > 1024) fail("CudaOptions::block_size {} is not in 1..1024", options.block_size);
  if (options.arch == "none") {
    // Source only (no NVRTC): for integrate_on() with a host emulation in tests.
    auto none = std::make_shared<NvrtcOutput>();
    none->target = "none";
    impl->image = none;
  } else {
    // Without an explicit arch, this asks for the GPU: no driver means a clear NotSupported here.
    const auto [arch, cubin] = options.arch.empty() ? device_target(Driver::instance().compute_capability(), Nvrtc::instance())
                                                    : parse_arch(options.arch);
    impl->arch = arch;
    impl->image = nvrtc_compile(impl->source.text, arch, cubin);
  }
  impl->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  CudaModel m;
  m.impl_ = impl;
  api::dump_stages(impl->source.text, [&](Stage st) -> std::string {
    if (st == Stage::CudaSource) return m.source(CudaStage::CudaSource);
    if (st == Stage::Ptx && !impl->image->binary.empty()) return m.source(CudaStage::Ptx);
    fail("no such stage in the GPU backend");
  }, "cuda");
  return m;
}

CudaModel compile(const Module& module, const CudaOptions& options) { return compile(module.lower(), options); }

std::string CudaModel::source(CudaStage stage) const {
  if (stage == CudaStage::CudaSource) return impl_->source.text;
  if (impl_->image->binary.empty()) fail("no PTX: this CudaModel was compiled with arch \"none\" (source only)");
  if (!impl_->image->cubin) return std::string(impl_->image->binary.data());
  std::call_once(impl_->ptx_once, [&] { impl_->ptx = nvrtc_compile(impl_->source.text, impl_->arch, false); });
  return std::string(impl_->ptx->binary.data());
}

const std::string& CudaModel::target() const { return impl_->image->target; }
const std::string& CudaModel::nvrtc_log() const { return impl_->image->log; }
const ir::Model& CudaModel::model() const { return impl_->program.model; }
bool CudaModel::float32() const { return impl_->options.float32; }
double CudaModel::compile_seconds() const { return impl_->seconds; }

Result CudaModel::integrate(const IntegrateOptions& options) const {
  return integrate(std::vector<IntegrateOptions>{options}).lane(0);
}

runtime::BatchResult CudaModel::integrate(const std::vector<IntegrateOptions>& lanes) const {
  Driver& drv = Driver::instance();
  if (impl_->image->binary.empty()) fail("this CudaModel was compiled with arch \"none\" (source only); compile it for the GPU");
  std::call_once(impl_->load_once, [&] {
    // One module per compiled image in the GPU's context, shared by every CudaModel of it.
    // An image evicted from the kernel cache may be freed and its address reused by another
    // image: the weak pointer tells a live entry from a stale one.
    static std::mutex mutex;
    static std::map<const NvrtcOutput*, std::pair<std::weak_ptr<const NvrtcOutput>, void*>> loaded;
    std::lock_guard lock(mutex);
    auto& [image, fn] = loaded[impl_->image.get()];
    if (!fn || image.lock() != impl_->image) {
      fn = drv.load_kernel(impl_->image->binary, kKernelName);
      image = impl_->image;
    }
    impl_->function = fn;
  });
  std::lock_guard lock(impl_->run_mutex);  // one launch at a time per model: the buffers are shared
  return impl_->run(drv, impl_->function, impl_->buffers, lanes);
}

runtime::BatchResult CudaModel::integrate_on(Device& device, const std::vector<IntegrateOptions>& lanes) const {
  void* function = device.load_kernel(impl_->image->binary, kKernelName);
  DevicePool pool;
  struct Release {
    Device& d;
    DevicePool& p;
    ~Release() {
      for (auto& [name, b] : p) d.free(b.first);
    }
  } release{device, pool};
  return impl_->run(device, function, pool, lanes);
}

}  // namespace ranvier::cuda

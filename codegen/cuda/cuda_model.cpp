#include "codegen/cuda/cuda_model.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "codegen/cuda/driver.h"
#include "codegen/cuda/emit_cuda.h"
#include "codegen/cuda/nvrtc.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "passes/dhs_schedule.h"
#include "passes/pipeline.h"
#include "runtime/prepare.h"

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

// Compiled images, by source and target.
std::mutex g_cache_mutex;
std::map<std::string, std::shared_ptr<const NvrtcOutput>>& cache() {
  static std::map<std::string, std::shared_ptr<const NvrtcOutput>> c;
  return c;
}

std::shared_ptr<const NvrtcOutput> nvrtc_compile(const std::string& source, int arch, bool cubin) {
  const std::string key = fmt::format("{}|{}", cubin ? "sm" : "compute", arch) + source;
  std::lock_guard lock(g_cache_mutex);
  if (auto it = cache().find(key); it != cache().end()) return it->second;
  auto out = std::make_shared<const NvrtcOutput>(Nvrtc::instance().compile(source, "ranvier_model.cu", arch, cubin));
  cache()[key] = out;
  return out;
}

}  // namespace

struct CudaModel::Impl {
  ir::Model model;
  CudaOptions options;
  ir::KernelIR kernel;
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
  std::map<std::string, std::pair<DevicePtr, std::size_t>> buffers;

  DevicePtr buffer(Device& drv, std::map<std::string, std::pair<DevicePtr, std::size_t>>& pool, const std::string& name,
                   std::size_t bytes) {
    auto& [ptr, size] = pool[name];
    if (size < bytes || ptr == 0) {
      drv.free(ptr);
      ptr = drv.alloc(bytes);
      size = bytes;
    }
    return ptr;
  }
  ~Impl() {
    if (buffers.empty()) return;
    try {
      Driver& drv = Driver::instance();
      for (auto& [name, b] : buffers) drv.free(b.first);
    } catch (...) {
    }
  }

  // Runs the lanes on `dev` with the kernel `function`; `pool` holds the device buffers (kept
  // across calls for the GPU, freed after the call otherwise).
  template <typename T>
  runtime::BatchResult run(Device& dev, void* function, std::map<std::string, std::pair<DevicePtr, std::size_t>>& pool,
                           const std::vector<runtime::Prepared>& lanes, bool return_states);
  runtime::BatchResult run_any(Device& dev, void* function, std::map<std::string, std::pair<DevicePtr, std::size_t>>& pool,
                               const std::vector<IntegrateOptions>& lanes);
};

const char* stage_name(CudaStage s) { return s == CudaStage::CudaSource ? "cuda_source" : "ptx"; }

std::string render_source(const ir::Model& model, const CudaOptions& options) {
  passes::PipelineResult p = passes::lower_to_kernel(model, {linearization(options), false});
  return emit_cuda(model, p.kernel, passes::dhs_schedule(model, model.allowed_nodes_per_level), options.float32).text;
}

CudaModel compile(const ir::Model& model, const CudaOptions& options) {
  if (!model.synapses.empty())
    fail_unsupported("the GPU backend does not support synapses yet ({} synapse type(s) in the model); use the CPU "
                     "backends for networks",
                     model.synapses.size());
  auto t0 = std::chrono::steady_clock::now();
  auto impl = std::make_shared<CudaModel::Impl>();
  impl->model = model;
  impl->options = options;
  impl->kernel = passes::lower_to_kernel(model, {linearization(options), false}).kernel;
  impl->source = emit_cuda(model, impl->kernel, passes::dhs_schedule(model, model.allowed_nodes_per_level), options.float32);
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
  // RANVIER_DUMP=all or a list with cuda_source / ptx: write them to ranvier_dump/.
  if (const char* dump = std::getenv("RANVIER_DUMP"); dump && *dump) {
    const std::string which = std::string(",") + dump + ",";
    const std::size_t h = std::hash<std::string>()(impl->source.text);
    for (CudaStage s : {CudaStage::CudaSource, CudaStage::Ptx})
      if ((s == CudaStage::CudaSource || !impl->image->binary.empty()) &&
          (which == ",all," || which.find(std::string(",") + stage_name(s) + ",") != std::string::npos)) {
        std::filesystem::create_directories("ranvier_dump");
        std::ofstream(fmt::format("ranvier_dump/{:016x}.{}.txt", h, stage_name(s))) << m.source(s);
      }
  }
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
const ir::Model& CudaModel::model() const { return impl_->model; }
bool CudaModel::float32() const { return impl_->options.float32; }
double CudaModel::compile_seconds() const { return impl_->seconds; }

Result CudaModel::integrate(const IntegrateOptions& options) const {
  return integrate(std::vector<IntegrateOptions>{options}).lane(0);
}

runtime::BatchResult CudaModel::integrate(const std::vector<IntegrateOptions>& lanes) const {
  Driver& drv = Driver::instance();
  if (impl_->image->binary.empty()) fail("this CudaModel was compiled with arch \"none\" (source only); compile it for the GPU");
  std::call_once(impl_->load_once, [&] {
    // One module per compiled image in the GPU's context, shared by every CudaModel of it
    // (images live in the compile cache for the whole process).
    static std::mutex mutex;
    static std::map<const NvrtcOutput*, void*> loaded;
    std::lock_guard lock(mutex);
    void*& fn = loaded[impl_->image.get()];
    if (!fn) fn = drv.load_kernel(impl_->image->binary, kKernelName);
    impl_->function = fn;
  });
  std::lock_guard lock(impl_->run_mutex);  // one launch at a time per model: the buffers are shared
  return impl_->run_any(drv, impl_->function, impl_->buffers, lanes);
}

runtime::BatchResult CudaModel::integrate_on(Device& device, const std::vector<IntegrateOptions>& lanes) const {
  void* function = device.load_kernel(impl_->image->binary, kKernelName);
  std::map<std::string, std::pair<DevicePtr, std::size_t>> pool;
  struct Release {
    Device& d;
    std::map<std::string, std::pair<DevicePtr, std::size_t>>& p;
    ~Release() {
      for (auto& [name, b] : p) d.free(b.first);
    }
  } release{device, pool};
  return impl_->run_any(device, function, pool, lanes);
}

runtime::BatchResult CudaModel::Impl::run_any(Device& dev, void* fn, std::map<std::string, std::pair<DevicePtr, std::size_t>>& pool,
                                              const std::vector<IntegrateOptions>& lanes) {
  if (lanes.empty()) fail("integrate: the batch is empty");
  std::vector<runtime::Prepared> prepared;
  prepared.reserve(lanes.size());
  runtime::StimulusRowCache shared_rows;
  for (const auto& o : lanes) prepared.push_back(runtime::prepare(model, o, &shared_rows));
  const runtime::Prepared& p0 = prepared[0];
  for (std::size_t b = 1; b < prepared.size(); ++b) {
    if (prepared[b].n_steps != p0.n_steps) fail("batch lane {} has {} steps but lane 0 has {}; all lanes need the same time grid", b, prepared[b].n_steps, p0.n_steps);
    if (prepared[b].dt != p0.dt) fail("batch lane {} has delta_t {} but lane 0 has {}", b, prepared[b].dt, p0.dt);
    if (prepared[b].solver != p0.solver) fail("batch lane {} uses another solver than lane 0", b);
  }
  if (p0.solver != runtime::Solver::BwdEuler && p0.solver != runtime::Solver::CrankNicolson)
    fail_unsupported("the GPU backend supports solver bwd_euler and crank_nicolson; use the interpreter backend for fwd_euler and exp_euler");
  if (p0.voltage_solver == runtime::VoltageSolver::Sparse)
    fail_unsupported("the GPU backend solves the tree with DHS; voltage_solver 'jax.sparse' runs only in the interpreter backend");
  const bool return_states = lanes[0].return_states;
  return options.float32 ? run<float>(dev, fn, pool, prepared, return_states) : run<double>(dev, fn, pool, prepared, return_states);
}

template <typename T>
runtime::BatchResult CudaModel::Impl::run(Device& drv, void* fn, std::map<std::string, std::pair<DevicePtr, std::size_t>>& pool,
                                         const std::vector<runtime::Prepared>& lanes, bool return_states) {

  const ir::Model& m = model;
  const runtime::Prepared& p0 = lanes[0];
  const int B = static_cast<int>(lanes.size()), nn = m.n_nodes(), nc = m.n_comp;
  const std::size_t ne = m.edges.size();
  const auto extent = [&](const std::string& name) -> std::size_t {
    switch (array_extent(name)) {
      case ArrayExtent::Nodes: return static_cast<std::size_t>(nn);
      case ArrayExtent::Edges: return ne;
      case ArrayExtent::Compartments: break;
    }
    return static_cast<std::size_t>(nc);
  };
  const auto at = [B](std::size_t i, int lane) { return i * static_cast<std::size_t>(B) + static_cast<std::size_t>(lane); };
  const bool cn = p0.solver == runtime::Solver::CrankNicolson;
  const T d = cn ? static_cast<T>(p0.dt / 2.0) : static_cast<T>(p0.dt);

  // Host images of every buffer, node-major, lanes innermost (runtime/batch_runner.cpp's values).
  const std::vector<std::string>& names = source.arrays;
  std::vector<std::vector<T>> host(names.size());
  std::vector<char> defined(names.size(), 0);
  for (std::size_t s = 0; s < names.size(); ++s) {
    const std::string& name = names[s];
    const std::size_t n = extent(name);
    host[s].assign(n * static_cast<std::size_t>(B), T(0));
    if (name == ir::kExternalCurrent || name == "__voltage_term" || name == "__constant_term" || name == kDiag || name == kRhs) {
      defined[s] = 1;
      continue;
    }
    for (int b = 0; b < B; ++b) {
      const runtime::Prepared& p = lanes[static_cast<std::size_t>(b)];
      const std::vector<double>* values = nullptr;
      if (name == kArea) values = &p.area;
      else if (name == kAxialDt) {
        for (std::size_t e = 0; e < ne; ++e) host[s][at(e, b)] = d * static_cast<T>(p.axial[e]);
        defined[s] = 1;
        continue;
      } else if (auto it = std::find(p.initial.names.begin(), p.initial.names.end(), name); it != p.initial.names.end())
        values = &p.initial.values[static_cast<std::size_t>(it - p.initial.names.begin())];
      else if (int c = m.column_index(name); c >= 0 && !m.is_state(name))
        values = &p.columns[static_cast<std::size_t>(c)];
      if (!values) continue;
      defined[s] = 1;
      for (std::size_t i = 0; i < std::min(n, values->size()); ++i) host[s][at(i, b)] = static_cast<T>((*values)[i]);
    }
    if (!defined[s]) fail("compiled kernel reads '{}', which the model does not define", name);
  }

  // Externals, time-major; lanes with fewer stimuli or clamps are padded with -1 (none).
  const int T_steps = p0.n_steps, ns = T_steps + 1, nr = static_cast<int>(m.recordings.size());
  std::size_t n_stim = 0, n_clamp = 0;
  for (const auto& p : lanes) n_stim = std::max(n_stim, p.stimulus_comp.size()), n_clamp = std::max(n_clamp, p.clamp.size());
  std::vector<int> stim_comp(n_stim * static_cast<std::size_t>(B), -1), clamp_slot(n_clamp * static_cast<std::size_t>(B), -1),
      clamp_comp(clamp_slot.size(), 0);
  std::vector<T> stim(static_cast<std::size_t>(T_steps) * stim_comp.size()), clamp_value(static_cast<std::size_t>(T_steps) * clamp_slot.size());
  for (int b = 0; b < B; ++b) {
    const runtime::Prepared& p = lanes[static_cast<std::size_t>(b)];
    for (std::size_t j = 0; j < p.stimulus_comp.size(); ++j) {
      stim_comp[at(j, b)] = p.stimulus_comp[j];
      for (int k = 0; k < T_steps; ++k) stim[at(static_cast<std::size_t>(k) * n_stim + j, b)] = static_cast<T>((*p.stimulus[j])[static_cast<std::size_t>(k)]);
    }
    for (std::size_t j = 0; j < p.clamp.size(); ++j) {
      auto it = std::find(names.begin(), names.end(), p.clamp_state[j]);
      if (it == names.end()) fail("clamp of '{}': not a state of this model", p.clamp_state[j]);
      clamp_slot[at(j, b)] = static_cast<int>(it - names.begin());
      clamp_comp[at(j, b)] = p.clamp_comp[j];
      for (int k = 0; k < T_steps; ++k) clamp_value[at(static_cast<std::size_t>(k) * n_clamp + j, b)] = static_cast<T>(p.clamp[j][static_cast<std::size_t>(k)]);
    }
  }

  std::vector<DevicePtr> table(names.size());
  for (std::size_t s = 0; s < names.size(); ++s) {
    table[s] = buffer(drv, pool, "array:" + names[s], host[s].size() * sizeof(T));
    drv.upload(table[s], host[s].data(), host[s].size() * sizeof(T));
  }
  auto up = [&](const char* key, const auto& v) {
    using E = typename std::decay_t<decltype(v)>::value_type;
    DevicePtr p = buffer(drv, pool, key, v.size() * sizeof(E));
    drv.upload(p, v.data(), v.size() * sizeof(E));
    return p;
  };
  DevicePtr d_tab = up("table", table), d_stim = up("stim", stim), d_stim_comp = up("stim_comp", stim_comp),
            d_clamp_slot = up("clamp_slot", clamp_slot), d_clamp_comp = up("clamp_comp", clamp_comp),
            d_clamp_value = up("clamp_value", clamp_value);
  const std::size_t rec_count = static_cast<std::size_t>(ns) * static_cast<std::size_t>(nr) * static_cast<std::size_t>(B);
  DevicePtr d_rec = buffer(drv, pool, "rec", rec_count * sizeof(T));

  int B_arg = B, steps_arg = T_steps, cn_arg = cn ? 1 : 0, n_stim_arg = static_cast<int>(n_stim), n_clamp_arg = static_cast<int>(n_clamp);
  T dt_arg = static_cast<T>(p0.dt), d_arg = d;
  void* args[] = {&d_tab, &B_arg, &steps_arg, &dt_arg, &d_arg, &cn_arg, &d_stim, &d_stim_comp, &n_stim_arg,
                  &d_clamp_slot, &d_clamp_comp, &d_clamp_value, &n_clamp_arg, &d_rec};
  const unsigned block = static_cast<unsigned>(options.block_size);
  drv.launch(fn, (static_cast<unsigned>(B) + block - 1) / block, block, args);

  runtime::BatchResult out;
  out.batch = B;
  out.n_recordings = nr;
  out.n_samples = ns;
  out.data.assign(rec_count, 0.0);
  std::vector<T> rec(rec_count);
  drv.download(rec.data(), d_rec, rec_count * sizeof(T));
  for (int b = 0; b < B; ++b)
    for (int r = 0; r < nr; ++r)
      for (int t = 0; t < ns; ++t)
        out.data[(static_cast<std::size_t>(b) * nr + r) * ns + t] = static_cast<double>(rec[at(static_cast<std::size_t>(t) * nr + r, b)]);
  if (return_states) {
    out.states.resize(lanes.size());
    for (int b = 0; b < B; ++b) {
      States st;
      st.names = lanes[static_cast<std::size_t>(b)].initial.names;
      for (const auto& name : st.names) {
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) fail("return_states: '{}' is not a buffer of the compiled model", name);
        const std::size_t s = static_cast<std::size_t>(it - names.begin());
        if (b == 0) drv.download(host[s].data(), table[s], host[s].size() * sizeof(T));
        std::vector<double> values(static_cast<std::size_t>(nn), 0.0);
        for (std::size_t i = 0; i < extent(name); ++i) values[i] = static_cast<double>(host[s][at(i, b)]);
        st.values.push_back(std::move(values));
      }
      out.states[static_cast<std::size_t>(b)] = std::move(st);
    }
  }
  return out;
}

}  // namespace ranvier::cuda

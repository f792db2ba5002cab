#include "runtime/cuda/runner.h"

#include <algorithm>

#include "ir/error.h"
#include "runtime/prepare.h"

namespace ranvier::cuda {

using runtime::BatchResult;
using runtime::Prepared;
using runtime::StimulusRowCache;

DevicePtr pooled_buffer(Device& drv, DevicePool& pool, const std::string& name, std::size_t bytes) {
  auto& [ptr, size] = pool[name];
  if (size < bytes || ptr == 0) {
    drv.free(ptr);
    ptr = drv.alloc(bytes);
    size = bytes;
  }
  return ptr;
}

namespace {

template <typename T>
BatchResult run_lanes(Device& drv, void* fn, DevicePool& pool, const CudaRun& run, const std::vector<Prepared>& lanes,
                      bool return_states) {
  const ir::Model& m = run.model;
  const Prepared& p0 = lanes[0];
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
  const std::vector<std::string>& names = run.arrays;
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
      const Prepared& p = lanes[static_cast<std::size_t>(b)];
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
    const Prepared& p = lanes[static_cast<std::size_t>(b)];
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
    table[s] = pooled_buffer(drv, pool, "array:" + names[s], host[s].size() * sizeof(T));
    drv.upload(table[s], host[s].data(), host[s].size() * sizeof(T));
  }
  auto up = [&](const char* key, const auto& v) {
    using E = typename std::decay_t<decltype(v)>::value_type;
    DevicePtr p = pooled_buffer(drv, pool, key, v.size() * sizeof(E));
    drv.upload(p, v.data(), v.size() * sizeof(E));
    return p;
  };
  DevicePtr d_tab = up("table", table), d_stim = up("stim", stim), d_stim_comp = up("stim_comp", stim_comp),
            d_clamp_slot = up("clamp_slot", clamp_slot), d_clamp_comp = up("clamp_comp", clamp_comp),
            d_clamp_value = up("clamp_value", clamp_value);
  const std::size_t rec_count = static_cast<std::size_t>(ns) * static_cast<std::size_t>(nr) * static_cast<std::size_t>(B);
  DevicePtr d_rec = pooled_buffer(drv, pool, "rec", rec_count * sizeof(T));

  int B_arg = B, steps_arg = T_steps, cn_arg = cn ? 1 : 0, n_stim_arg = static_cast<int>(n_stim), n_clamp_arg = static_cast<int>(n_clamp);
  T dt_arg = static_cast<T>(p0.dt), d_arg = d;
  void* args[] = {&d_tab, &B_arg, &steps_arg, &dt_arg, &d_arg, &cn_arg, &d_stim, &d_stim_comp, &n_stim_arg,
                  &d_clamp_slot, &d_clamp_comp, &d_clamp_value, &n_clamp_arg, &d_rec};
  const unsigned block = static_cast<unsigned>(run.block_size);
  drv.launch(fn, (static_cast<unsigned>(B) + block - 1) / block, block, args);

  BatchResult out;
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

}  // namespace

BatchResult run_cuda(Device& dev, void* fn, DevicePool& pool, const CudaRun& run, const std::vector<IntegrateOptions>& lanes) {
  const ir::Model& model = run.model;
  if (lanes.empty()) fail("integrate: the batch is empty");
  std::vector<Prepared> prepared;
  prepared.reserve(lanes.size());
  StimulusRowCache shared_rows;
  for (const auto& o : lanes) prepared.push_back(runtime::prepare(model, o, &shared_rows));
  const Prepared& p0 = prepared[0];
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
  return run.float32 ? run_lanes<float>(dev, fn, pool, run, prepared, return_states) : run_lanes<double>(dev, fn, pool, run, prepared, return_states);
}

}  // namespace ranvier::cuda

#include "runtime/batch_runner.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <thread>

#include <fmt/format.h>

#include "ir/scheme.h"
#include "ir/error.h"
#include "ir/memory.h"
#include "runtime/cell_partition.h"
#include "runtime/huge_pages.h"
#include "runtime/spin_barrier.h"

namespace ranvier::runtime {
namespace {

// Time steps per block of the stimulus and recording transposes (time-major inside the run,
// lane-major outside): large enough to use whole cache lines of each row, small enough to
// stay in cache.
constexpr int kBlock = 32;
// Node-lanes per block of cells (compartments x lanes): a block's arrays (some 20 of them
// with HH and a synapse per compartment) then stay in L2/L3 from one phase to the next. 1024
// to 4096 time the same on the 1000-cell network (bench_network); no blocks is 10-20% slower.
constexpr int kBlockNodeLanes = 4096;

// One chunk of lanes, integrated over the whole time grid.
template <typename T>
class Chunk {
 public:
  Chunk(const ir::Model& model, const ir::KernelIR& kernel, const ir::KernelBinding& binding, const ir::DhsSchedule& schedule,
        const std::vector<Prepared>& lanes, int first, int count, int threads = 1)
      : model_(model), kernel_(kernel), binding_(binding), schedule_(schedule), lanes_(lanes), first_(first), B_(count),
        threads_(threads) {}

  void run(BatchResult& out, bool return_states) {
    const Prepared& p0 = lanes_[first_];
    nn_ = model_.n_nodes();
    nc_ = model_.n_comp;
    n_types_ = model_.synapses.size();
    cn_ = p0.solver == Solver::CrankNicolson;
    dt_ = static_cast<T>(p0.dt);
    d_ = cn_ ? static_cast<T>(p0.dt / 2.0) : dt_;
    n_steps_ = p0.n_steps;
    order_synapses();
    load_states_and_parameters();
    load_synapses();
    bind_table();
    prepare_solve();
    prepare_recordings(out);
    prepare_externals();
    plan_parts();
    time_loop();
    if (return_states) collect_states(out);
  }

 private:
  std::size_t at(int node, int lane) const { return static_cast<std::size_t>(node) * B_ + lane; }

  // A zeroed buffer of n values per lane under `name` (v over all nodes, compartment arrays
  // over compartments, synapse arrays over synapses).
  std::vector<T>& node_array(const std::string& name, int n) {
    auto& a = buf_[name];
    a.assign(static_cast<std::size_t>(n) * B_, T(0));
    return a;
  }
  // Length of a state's array: per node, or per synapse for synapse states and currents
  // (layout synapse-major, lanes innermost, like the nodes).
  int length(const std::string& name) const {
    int g = model_.synapse_group_of(name);
    return g >= 0 ? model_.synapses[static_cast<std::size_t>(g)].size() : nn_;
  }
  // Where value i of a named array lives: synapse arrays are permuted, the rest are not.
  int slot(const std::string& name, int i) const {
    const int g = model_.synapse_group_of(name);
    return g >= 0 ? syn_slot_[static_cast<std::size_t>(g)][static_cast<std::size_t>(i)] : i;
  }

  // Synapses are stored in postsynaptic order (stable, so synapses onto one compartment
  // keep their order): the synapses onto a block of cells are then one range, which the
  // block's synapse kernels run on and its compartments sum. slot: synapse -> position.
  void order_synapses() {
    syn_order_.assign(n_types_, {});
    syn_slot_.assign(n_types_, {});
    for (std::size_t gi = 0; gi < n_types_; ++gi) {
      const ir::SynapseGroup& grp = model_.synapses[gi];
      auto& order = syn_order_[gi];
      order.resize(static_cast<std::size_t>(grp.size()));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return grp.post[a] < grp.post[b]; });
      syn_slot_[gi].resize(order.size());
      for (std::size_t k = 0; k < order.size(); ++k) syn_slot_[gi][static_cast<std::size_t>(order[k])] = static_cast<int>(k);
    }
  }

  void load_states_and_parameters() {
    node_array("v", nn_);
    for (int b = 0; b < B_; ++b) {
      const Prepared& p = lanes_[first_ + b];
      for (std::size_t s = 0; s < p.initial.names.size(); ++s) {
        const std::string& name = p.initial.names[s];
        const int n = length(name);
        auto& a = buf_.count(name) ? buf_[name] : node_array(name, n);
        for (int i = 0; i < n; ++i) a[at(slot(name, i), b)] = static_cast<T>(p.initial.values[s][i]);
      }
    }
    for (std::size_t c = 0; c < model_.column_names.size(); ++c) {
      const auto& name = model_.column_names[c];
      if (model_.is_state(name)) continue;  // states live in their own buffers
      auto& a = node_array(name, nc_);
      for (int b = 0; b < B_; ++b)
        for (int i = 0; i < nc_; ++i) a[at(i, b)] = static_cast<T>(lanes_[first_ + b].columns[c][i]);
    }
  }

  // Synapses: per-synapse parameters, the linearised outputs of every type's kernel, the
  // per-compartment sums the group kernels read, and the block functions' int64 arrays per
  // synapse type (ir/kernel.h): the flat voltage index of each stored synapse-lane's pre and
  // post compartment, and where the synapses onto each compartment begin in stored order.
  void load_synapses() {
    for (std::size_t gi = 0; gi < n_types_; ++gi) {
      const ir::SynapseGroup& grp = model_.synapses[gi];
      const auto& order = syn_order_[gi];
      const int ne_syn = grp.size();
      for (std::size_t c = 0; c < grp.type.params.size(); ++c) {
        auto& a = node_array(grp.column_names[c], ne_syn);
        for (int b = 0; b < B_; ++b)
          for (int k = 0; k < ne_syn; ++k) a[at(k, b)] = static_cast<T>(lanes_[first_ + b].synapse_columns[gi][c][static_cast<std::size_t>(order[k])]);
      }
      auto& area_post = node_array(ir::synapse_array(ir::kSynapseAreaPost, grp.type.name), ne_syn);
      for (int b = 0; b < B_; ++b)
        for (int k = 0; k < ne_syn; ++k) area_post[at(k, b)] = static_cast<T>(lanes_[first_ + b].area[static_cast<std::size_t>(grp.post[order[k]])]);
      node_array(ir::synapse_array(ir::kSynapseConductance, grp.type.name), ne_syn);
      node_array(ir::synapse_array(ir::kSynapseConstant, grp.type.name), ne_syn);
    }
    node_array(ir::kSynapseLinear, nc_);
    node_array(ir::kSynapseConstantSum, nc_);
    for (std::size_t gi = 0; gi < n_types_; ++gi) {
      const ir::SynapseGroup& grp = model_.synapses[gi];
      const std::string& type = grp.type.name;
      auto& pre = index_arrays_[ir::synapse_array(ir::kSynapsePreIndex, type)];
      auto& post = index_arrays_[ir::synapse_array(ir::kSynapsePostIndex, type)];
      for (int e : syn_order_[gi])
        for (int b = 0; b < B_; ++b) pre.push_back(static_cast<std::int64_t>(at(grp.pre[e], b))), post.push_back(static_cast<std::int64_t>(at(grp.post[e], b)));
      auto& begin = index_arrays_[ir::synapse_array(ir::kSynapseBegin, type)];
      begin.assign(static_cast<std::size_t>(nc_) + 1, 0);
      for (int e = 0; e < grp.size(); ++e) ++begin[static_cast<std::size_t>(grp.post[e]) + 1];
      for (int i = 0; i < nc_; ++i) begin[i + 1] += begin[i];
    }
  }

  // The kernels' pointer table, in the binding's order.
  void bind_table() {
    i_ext_ = &node_array(ir::kExternalCurrent, nc_);
    vt_ = &node_array(ir::kVoltageTerm, nc_);
    ct_ = &node_array(ir::kConstantTerm, nc_);
    if (std::any_of(binding_.voltage_writes.begin(), binding_.voltage_writes.end(), [](void* f) { return f != nullptr; }))
      node_array(ir::kVoltageBefore, nn_);
    for (const auto& name : binding_.arrays) {
      if (auto it = buf_.find(name); it != buf_.end()) table_.push_back(it->second.data());
      else if (auto ix = index_arrays_.find(name); ix != index_arrays_.end()) table_.push_back(reinterpret_cast<T*>(ix->second.data()));
      else fail("compiled kernel reads '{}', which the model does not define", name);
    }
    if (n_types_ > 0 && binding_.blocks.size() != kernel_.groups.size())
      fail("the compiled kernel of this network has no block functions (recompile it)");
    // Where the kernels read v: re-pointed after every implicit step (v and rhs swap).
    v_slot_ = static_cast<std::size_t>(std::find(binding_.arrays.begin(), binding_.arrays.end(), "v") - binding_.arrays.begin());
  }

  // Solve coefficients per lane (d * axial conductance of every edge, the lower and upper
  // entries), the areas, the edges into each node (CSR, in edge order) and the elimination
  // order, flattened.
  void prepare_solve() {
    const int B = B_, nn = nn_, nc = nc_;
    const std::size_t ne = model_.edges.size();
    dg_.assign(ne * B, T(0));
    lower_.assign(static_cast<std::size_t>(nn) * B, T(0));
    upper_.assign(lower_.size(), T(0));
    area_.assign(static_cast<std::size_t>(nc) * B, T(0));
    for (int b = 0; b < B; ++b) {
      const Prepared& p = lanes_[first_ + b];
      for (std::size_t e = 0; e < ne; ++e) dg_[e * B + b] = d_ * static_cast<T>(p.axial[e]);
      for (int i = 0; i < nc; ++i) area_[at(i, b)] = static_cast<T>(p.area[i]);
    }
    in_begin_.assign(nn + 1, 0);
    for (const auto& e : model_.edges) ++in_begin_[e.sink + 1];
    for (int i = 0; i < nn; ++i) in_begin_[i + 1] += in_begin_[i];
    in_edge_.assign(ne, 0);
    std::vector<int> fill(in_begin_.begin(), in_begin_.end() - 1);
    for (std::size_t e = 0; e < ne; ++e) in_edge_[fill[model_.edges[e].sink]++] = static_cast<int>(e);
    elim_child_.clear();
    elim_parent_.clear();
    for (const auto& level : schedule_.levels)
      for (auto [c, p] : level) elim_child_.push_back(c), elim_parent_.push_back(p);
    for (int i = 0; i < nn; ++i)
      for (int b = 0; b < B; ++b) {
        int lo = schedule_.edge_to_parent[i], up = schedule_.edge_from_parent[i];
        lower_[at(i, b)] = lo >= 0 ? -dg_[static_cast<std::size_t>(lo) * B + b] : T(0);
        upper_[at(i, b)] = up >= 0 ? -dg_[static_cast<std::size_t>(up) * B + b] : T(0);
      }
    diag_.assign(static_cast<std::size_t>(nn) * B, T(0));
    rhs_.assign(diag_.size(), T(0));
    lower_n_.assign(diag_.size(), T(0));
  }

  // Recordings are gathered time-major for a block of samples, then copied into the output
  // rows (lane, recording, sample): writing a row per value would touch a page per lane and
  // step; a block touches each page once per kBlock samples.
  void prepare_recordings(BatchResult& out) {
    for (const auto& r : model_.recordings) recs_.push_back({&buf_.at(r.state), slot(r.state, r.comp)});
    n_samples_ = n_steps_ + 1;
    out_rows_ = out.data.data() + static_cast<std::size_t>(first_) * recs_.size() * n_samples_;
    rec_block_.assign(static_cast<std::size_t>(kBlock) * B_ * recs_.size(), 0.0);
  }
  void flush(int first_sample, int n_samples) {
    const int nr = static_cast<int>(recs_.size()), ns = n_samples_;
    for (int b = 0; b < B_; ++b)
      for (int r = 0; r < nr; ++r) {
        double* dst = out_rows_ + (static_cast<std::size_t>(b) * nr + r) * ns + first_sample;
        for (int t = 0; t < n_samples; ++t) dst[t] = rec_block_[(static_cast<std::size_t>(t) * B_ + b) * nr + r];
      }
  }
  void record(int sample) {
    const int nr = static_cast<int>(recs_.size());
    double* row = rec_block_.data() + static_cast<std::size_t>(sample % kBlock) * B_ * nr;
    for (int b = 0; b < B_; ++b)
      for (int r = 0; r < nr; ++r) row[b * nr + r] = static_cast<double>((*recs_[r].values)[at(recs_[r].comp, b)]);
    if (sample % kBlock == kBlock - 1 || sample == n_samples_ - 1) flush(sample - sample % kBlock, sample % kBlock + 1);
  }

  // Stimuli of all lanes with the buffer index each one drives, transposed a block of steps
  // at a time (time-major within the block) and converted to current densities on the way;
  // clamps as flat lists (a per-step walk over every lane's Prepared would touch B structs):
  // the buffer, the index in it, and the clamp's values over time.
  void prepare_externals() {
    for (int b = 0; b < B_; ++b)
      for (int c : lanes_[first_ + b].stimulus_comp) stim_target_.push_back(at(c, b));
    for (int b = 0; b < B_; ++b)
      for (const auto& row : lanes_[first_ + b].stimulus) stim_rows_.push_back(row->data());
    stim_block_.assign(static_cast<std::size_t>(kBlock) * stim_target_.size(), T(0));
    for (int b = 0; b < B_; ++b) {
      const Prepared& p = lanes_[first_ + b];
      for (std::size_t c = 0; c < p.clamp.size(); ++c) {
        const Clamp clamp{&buf_.at(p.clamp_state[c]), at(slot(p.clamp_state[c], p.clamp_comp[c]), b), p.clamp[c].data()};
        (p.clamp_state[c] == "v" ? voltage_clamps_ : state_clamps_).push_back(clamp);
      }
    }
  }
  void load_stimuli(int k0) {
    const int k1 = std::min(n_steps_, k0 + kBlock);
    const std::size_t n_stim = stim_target_.size();
    for (std::size_t j = 0; j < n_stim; ++j)
      for (int k = k0; k < k1; ++k)
        stim_block_[static_cast<std::size_t>(k - k0) * n_stim + j] =
            ir::point_current_density(static_cast<T>(stim_rows_[j][k]), area_[stim_target_[j]]);  // nA -> uA/cm^2
  }

  // One part per thread, each cut into blocks of whole cells. A thread runs, block after
  // block, the synapses onto the block, its channel kernels and its tree solve, so that the
  // block's arrays stay in cache from one phase to the next; the main thread also runs
  // everything that crosses cells (stimuli, clamps, recordings) between the barriers. One
  // part: no threads, no barriers. The synapses read only voltages before the step (the
  // solve writes rhs), so a block never waits for another.
  void plan_parts() {
    const int block_comps = std::max(1, kBlockNodeLanes / B_);
    for (auto& cells : partition_cell_blocks(model_, schedule_, B_ == 1 ? threads_ : 1, block_comps)) {
      auto& blocks = parts_.emplace_back();
      for (auto& c : cells) blocks.push_back(plan_block(std::move(c)));
    }
    if (B_ == 1) {
      in_dg_.resize(in_edge_.size());
      for (std::size_t k = 0; k < in_edge_.size(); ++k) in_dg_[k] = dg_[static_cast<std::size_t>(in_edge_[k])];
    }
  }

  void time_loop() {
    const int n_parts = static_cast<int>(parts_.size());
    std::vector<T>& v = buf_.at("v");
    std::vector<T>& i_ext = *i_ext_;
    const std::size_t n_stim = stim_target_.size();
    const bool has_v_slot = v_slot_ < table_.size();
    SpinBarrier barrier(n_parts);
    std::vector<std::thread> workers;
    for (int t = 1; t < n_parts; ++t)
      workers.emplace_back([&, t] {
        for (int k = 0; k < n_steps_; ++k) {
          barrier.wait();
          run_part(parts_[t]);
          barrier.wait();
        }
      });
    record(0);
    for (int k = 0; k < n_steps_; ++k) {
      std::fill(i_ext.begin(), i_ext.end(), T(0));
      if (k % kBlock == 0) load_stimuli(k);
      const T* stim_k = stim_block_.data() + static_cast<std::size_t>(k % kBlock) * n_stim;
      for (std::size_t j = 0; j < n_stim; ++j) i_ext[stim_target_[j]] += stim_k[j];
      write_voltages();
      if (n_parts > 1) barrier.wait();  // stimuli in place: the parts may start
      run_part(parts_[0]);
      if (n_parts > 1) barrier.wait();  // every part solved
      // State clamps after the kernels updated the states; the solve does not read states.
      for (const Clamp& c : state_clamps_) (*c.target)[c.index] = static_cast<T>(c.values[k]);
      if (cn_) {
        for (std::size_t x = 0; x < v.size(); ++x) v[x] = T(2) * rhs_[x] - v[x];
      } else {
        v.swap(rhs_);
        if (has_v_slot) table_[v_slot_] = v.data();
      }
      for (const Clamp& c : voltage_clamps_) (*c.target)[c.index] = static_cast<T>(c.values[k]);  // target: v
      record(k + 1);
    }
    for (auto& w : workers) w.join();
  }

  void collect_states(BatchResult& out) const {
    for (int b = 0; b < B_; ++b) {
      States s;
      s.names = lanes_[first_ + b].initial.names;
      for (const auto& name : s.names) {
        const auto& a = buf_.at(name);
        const int n_values = length(name);
        std::vector<double> values(static_cast<std::size_t>(n_values), 0.0);
        const int n = model_.synapse_group_of(name) >= 0 || name == "v" ? n_values : nc_;
        for (int i = 0; i < n; ++i) values[i] = static_cast<double>(a[at(slot(name, i), b)]);
        s.values.push_back(std::move(values));
      }
      out.states[first_ + b] = std::move(s);
    }
  }
  // One implicit solve of one simulation (B = 1), in the interpreter's operation order: the
  // elimination's divisions form the critical path, so everything else stays out of memory
  // round trips (diagonal sums in a register) and the normalisation runs over node runs.
  void solve_one_lane(T d, const std::vector<T>& vt, const std::vector<T>& ct, const std::vector<T>& v,
                      const std::vector<T>& lower, const std::vector<T>& upper, std::vector<T>& diag, std::vector<T>& rhs,
                      std::vector<T>& lower_n, const CellPart& part, const std::vector<std::pair<int, int>>& runs) const {
    const int nc = nc_;
    T* __restrict dia = diag.data();
    T* __restrict r = rhs.data();
    T* __restrict ln = lower_n.data();
    const T* __restrict lo = lower.data();
    const T* __restrict up = upper.data();
    for (int i : part.nodes) {
      T dv, ri;
      if (i < nc) {
        dv = d * vt[static_cast<std::size_t>(i)] + T(1);
        ri = v[static_cast<std::size_t>(i)] + d * ct[static_cast<std::size_t>(i)];
      } else {
        dv = d * T(0);
        ri = T(0);
      }
      for (int k = in_begin_[i]; k < in_begin_[i + 1]; ++k) dv += in_dg_[static_cast<std::size_t>(k)];
      dia[i] = dv;
      r[i] = ri;
    }
    for (int k : part.elimination) {
      const int c = elim_child_[k], p = elim_parent_[k];
      const T m = up[c] / dia[c];
      dia[p] += -(lo[c] * m);
      r[p] += -(r[c] * m);
    }
    for (auto [first, last] : runs)
      for (int i = first; i < last; ++i) {
        ln[i] = lo[i] / dia[i];
        r[i] = r[i] / dia[i];
      }
    for (auto it = part.elimination.rbegin(); it != part.elimination.rend(); ++it) {
      const int c = elim_child_[*it], p = elim_parent_[*it];
      r[c] += -(r[p] * ln[c]);
    }
  }

  // One implicit solve of B simulations, lanes innermost: assemble diag and rhs, eliminate
  // leaves to root, normalise, and substitute back, in the interpreter's operation order.
  void solve_lanes(int B, T d, const std::vector<T>& vt, const std::vector<T>& ct, const std::vector<T>& v,
             const std::vector<T>& dg, const std::vector<T>& lower, const std::vector<T>& upper, std::vector<T>& diag,
             std::vector<T>& rhs, std::vector<T>& lower_n, const CellPart& part) const {
    const int nc = nc_;
    // Loops over lanes innermost, through restrict pointers, so that they vectorize; each
    // lane still sees the interpreter's order: d * vt + 1, then the in-edges in edge order.
    T* __restrict dg_sum = diag.data();
    T* __restrict r_out = rhs.data();
    const T* __restrict vt_in = vt.data();
    const T* __restrict ct_in = ct.data();
    const T* __restrict v_in = v.data();
    const T* __restrict dg_in = dg.data();
    for (int i : part.nodes) {
      const std::size_t base = static_cast<std::size_t>(i) * B;
      T* __restrict di = dg_sum + base;
      T* __restrict ri = r_out + base;
      if (i < nc) {
        for (int b = 0; b < B; ++b) {
          di[b] = d * vt_in[base + b] + T(1);
          ri[b] = v_in[base + b] + d * ct_in[base + b];
        }
      } else {
        for (int b = 0; b < B; ++b) {
          di[b] = d * T(0);
          ri[b] = T(0);
        }
      }
      for (int k = in_begin_[i]; k < in_begin_[i + 1]; ++k) {
        const T* __restrict g = dg_in + static_cast<std::size_t>(in_edge_[k]) * B;
        for (int b = 0; b < B; ++b) di[b] += g[b];
      }
    }
    const T* __restrict lo = lower.data();
    const T* __restrict up = upper.data();
    for (int k : part.elimination) {
      const std::size_t xc = static_cast<std::size_t>(elim_child_[k]) * B, xp = static_cast<std::size_t>(elim_parent_[k]) * B;
      T* __restrict dp = dg_sum + xp;
      T* __restrict rp = r_out + xp;
      const T* __restrict dc = dg_sum + xc;
      const T* __restrict rc = r_out + xc;
      for (int b = 0; b < B; ++b) {
        T m = up[xc + b] / dc[b];
        dp[b] += -(lo[xc + b] * m);
        rp[b] += -(rc[b] * m);
      }
    }
    T* __restrict ln = lower_n.data();
    for (int i : part.nodes) {
      const std::size_t base = static_cast<std::size_t>(i) * B;
      for (int b = 0; b < B; ++b) {
        ln[base + b] = lo[base + b] / dg_sum[base + b];
        r_out[base + b] = r_out[base + b] / dg_sum[base + b];
      }
    }
    for (auto it = part.elimination.rbegin(); it != part.elimination.rend(); ++it) {
      const int k = *it;
      const std::size_t xc = static_cast<std::size_t>(elim_child_[k]) * B, xp = static_cast<std::size_t>(elim_parent_[k]) * B;
      T* __restrict rc = r_out + xc;
      const T* __restrict rp = r_out + xp;
      for (int b = 0; b < B; ++b) rc[b] += -(rp[b] * ln[xc + b]);
    }
  }

  // Networks with channels that write v (Fire, ...): those writes, on every compartment of
  // their groups, before any block's synapses read a voltage (Jaxley's order). Few and cheap
  // (a threshold test per compartment), so the main thread runs them alone.
  void write_voltages() {
    for (std::size_t g = 0; g < binding_.voltage_writes.size(); ++g) {
      void* f = binding_.voltage_writes[g];
      if (!f) continue;
      for (auto [begin, end] : kernel_.groups[g].runs) {
        if constexpr (std::is_same_v<T, double>)
          reinterpret_cast<ir::GroupFnF64>(f)(table_.data(), std::int64_t(begin) * B_, std::int64_t(end) * B_, dt_);
        else
          reinterpret_cast<ir::GroupFnF32>(f)(table_.data(), std::int64_t(begin) * B_, std::int64_t(end) * B_, dt_);
      }
    }
  }

  // One block of cells and what a step runs on it.
  struct Block {
    CellPart cells;
    std::vector<std::pair<int, int>> node_runs;  // its nodes as runs of consecutive indices (B = 1)
    struct Call {
      std::size_t group;
      int begin, end;  // compartments
    };
    std::vector<Call> calls;  // the group kernels on its compartments
  };

  Block plan_block(CellPart cells) const {
    Block blk;
    for (int i : cells.nodes)
      if (!blk.node_runs.empty() && blk.node_runs.back().second == i) ++blk.node_runs.back().second;
      else blk.node_runs.emplace_back(i, i + 1);
    for (std::size_t g = 0; g < kernel_.groups.size(); ++g)
      for (auto [run_begin, run_end] : kernel_.groups[g].runs) {
        const int begin = std::max(run_begin, cells.comp_begin), end = std::min(run_end, cells.comp_end);
        if (begin < end) blk.calls.push_back({g, begin, end});
      }
    blk.cells = std::move(cells);
    return blk;
  }

  // A block's kernels, group by group: with synapses the group's block function, which first
  // updates the synapses onto the group's compartments of the block (with the voltages
  // before the step) and sums their terms per compartment, in the interpreter's order
  // (bit-identical); without, the group's body. Then the block's tree solve.
  void run_kernels(const typename Block::Call& c) {
    const int B = B_;
    if (n_types_ > 0) {
      if constexpr (std::is_same_v<T, double>)
        reinterpret_cast<ir::BlockFnF64>(binding_.blocks[c.group])(table_.data(), c.begin, c.end, dt_, B);
      else
        reinterpret_cast<ir::BlockFnF32>(binding_.blocks[c.group])(table_.data(), c.begin, c.end, dt_, B);
    } else {
      if constexpr (std::is_same_v<T, double>)
        reinterpret_cast<ir::GroupFnF64>(binding_.groups[c.group])(table_.data(), std::int64_t(c.begin) * B, std::int64_t(c.end) * B, dt_);
      else
        reinterpret_cast<ir::GroupFnF32>(binding_.groups[c.group])(table_.data(), std::int64_t(c.begin) * B, std::int64_t(c.end) * B, dt_);
    }
  }
  void run_part(const std::vector<Block>& blocks) {
    const std::vector<T>& v = buf_.at("v");
    for (const Block& blk : blocks) {
      for (const auto& c : blk.calls) run_kernels(c);
      if (B_ == 1) solve_one_lane(d_, *vt_, *ct_, v, lower_, upper_, diag_, rhs_, lower_n_, blk.cells, blk.node_runs);
      else solve_lanes(B_, d_, *vt_, *ct_, v, dg_, lower_, upper_, diag_, rhs_, lower_n_, blk.cells);
    }
  }

  // Per run: the buffers by name, the synapses' stored order, the pointer table.
  std::map<std::string, std::vector<T>> buf_;
  std::vector<std::vector<int>> syn_order_, syn_slot_;
  std::map<std::string, std::vector<std::int64_t>> index_arrays_;
  std::vector<T*> table_;
  std::vector<T>*i_ext_ = nullptr, *vt_ = nullptr, *ct_ = nullptr;
  std::size_t v_slot_ = 0;
  std::size_t n_types_ = 0;
  bool cn_ = false;
  T dt_ = T(0), d_ = T(0);  // ms; d = dt, or dt / 2 for Crank-Nicolson
  int n_steps_ = 0;
  // The solve's coefficients and scratch.
  std::vector<T> dg_, lower_, upper_, area_, diag_, rhs_, lower_n_;
  // Recordings.
  struct Rec {
    const std::vector<T>* values;
    int comp;
  };
  std::vector<Rec> recs_;
  double* out_rows_ = nullptr;
  std::vector<double> rec_block_;
  int n_samples_ = 0;
  // Stimuli and clamps.
  std::vector<std::size_t> stim_target_;
  std::vector<const double*> stim_rows_;
  std::vector<T> stim_block_;
  struct Clamp {
    std::vector<T>* target;
    std::size_t index;
    const double* values;
  };
  std::vector<Clamp> state_clamps_, voltage_clamps_;
  std::vector<std::vector<Block>> parts_;

  std::vector<int> in_begin_, in_edge_, elim_child_, elim_parent_;
  std::vector<T> in_dg_;  // B = 1: dg of each in-edge, in in_edge_ order
  int nn_ = 0, nc_ = 0;
  const ir::Model& model_;
  const ir::KernelIR& kernel_;
  const ir::KernelBinding& binding_;
  const ir::DhsSchedule& schedule_;
  const std::vector<Prepared>& lanes_;
  int first_, B_;
  int threads_;  // threads for one simulation (B = 1) of a network, split by cells
};

}  // namespace

Result BatchResult::lane(int b) const {
  Result r;
  r.n_recordings = n_recordings;
  r.n_samples = n_samples;
  auto begin = data.begin() + static_cast<std::ptrdiff_t>(b) * n_recordings * n_samples;
  r.data.assign(begin, begin + static_cast<std::ptrdiff_t>(n_recordings) * n_samples);
  if (!states.empty()) r.states = states[b];
  return r;
}

BatchResult run_batch(const ir::Program& program, const ir::KernelBinding& binding, const std::vector<Prepared>& lanes,
                      bool return_states, int threads) {
  const ir::Model& model = program.model;
  const ir::KernelIR& kernel = program.kernel;
  if (lanes.empty()) fail("integrate: the batch is empty");
  if (threads < 0) fail("integrate: threads = {} must be 0 (all cores) or positive", threads);
  const Prepared& p0 = lanes[0];
  for (std::size_t b = 1; b < lanes.size(); ++b) {
    if (lanes[b].n_steps != p0.n_steps) fail("batch lane {} has {} steps but lane 0 has {}; all lanes need the same time grid", b, lanes[b].n_steps, p0.n_steps);
    if (lanes[b].dt != p0.dt) fail("batch lane {} has delta_t {} but lane 0 has {}", b, lanes[b].dt, p0.dt);
    if (lanes[b].solver != p0.solver) fail("batch lane {} uses another solver than lane 0", b);
  }
  if (p0.solver != Solver::BwdEuler && p0.solver != Solver::CrankNicolson)
    fail_unsupported("the compiled backend supports solver bwd_euler and crank_nicolson; use the interpreter backend for fwd_euler and exp_euler");
  if (p0.voltage_solver == VoltageSolver::Sparse)
    fail_unsupported("the compiled backend solves the tree with DHS; voltage_solver 'jax.sparse' runs only in the interpreter backend");
  BatchResult out;
  out.batch = static_cast<int>(lanes.size());
  out.n_recordings = static_cast<int>(model.recordings.size());
  out.n_samples = p0.n_steps + 1;
  // The batch's recordings (and their per-lane copies handed to the caller).
  const std::string what = fmt::format("the recordings of a batch of {} simulations ({} recordings x {} samples each)", out.batch,
                                       out.n_recordings, out.n_samples);
  check_memory(2.0 * 8.0 * out.batch * static_cast<double>(out.n_recordings) * out.n_samples, "integrate: " + what);
  allocating(what, [&] { assign_zeros_on_huge_pages(out.data, static_cast<std::size_t>(out.batch) * out.n_recordings * out.n_samples); });
  if (return_states) out.states.resize(lanes.size());
  // Wavefronts: bit-identical to the model's schedule, with independent neighbours.
  const ir::DhsSchedule& schedule = program.tree.wavefronts;

  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // More threads than lanes: the spare ones split single simulations of networks by cells.
  const int per_lane = out.batch == 1 ? threads : 1;
  threads = std::min(threads, out.batch);
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(threads);
  int first = 0;
  for (int t = 0; t < threads; ++t) {
    int count = out.batch / threads + (t < out.batch % threads ? 1 : 0);
    auto work = [&, t, first, count] {
      try {
        if (binding.float32) Chunk<float>(model, kernel, binding, schedule, lanes, first, count, per_lane).run(out, return_states);
        else Chunk<double>(model, kernel, binding, schedule, lanes, first, count, per_lane).run(out, return_states);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    };
    if (threads == 1) work();
    else pool.emplace_back(work);
    first += count;
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

}  // namespace ranvier::runtime

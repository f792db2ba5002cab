#include "runtime/interpreter.h"

#include <algorithm>

#include "ir/error.h"

namespace ranvier::runtime {
namespace {

// Jaxley linearises channel currents by a forward difference with this step (mV).
constexpr double kDiffV = 1e-3;

std::vector<ir::Expr> update_roots(const Mechanism& m) {
  std::vector<ir::Expr> roots;
  for (const auto& u : m.update) roots.push_back(u.expr);
  return roots;
}

// Where a tape leaf reads its value for compartment c.
struct LeafSource {
  int slot;
  const std::vector<double>* values;  // nullptr for v and dt
  ir::Op op;
};

}  // namespace

Interpreter::Interpreter(ir::Model model, ir::TreeSolveSchedule tree) : model_(std::move(model)), tree_(std::move(tree)) {
  for (const auto& m : model_.mechanisms) {
    auto roots = update_roots(m);
    ir::Expr current[] = {m.current};
    tapes_.push_back({Tape(roots), Tape(current)});
  }
  for (const auto& g : model_.synapses) {
    std::vector<ir::Expr> roots;
    for (const auto& u : g.type.update) roots.push_back(u.expr);
    ir::Expr current[] = {g.type.current};
    synapse_tapes_.push_back({Tape(roots), Tape(current)});
  }
}

Result Interpreter::run(const Prepared& p, bool return_states, bool kernel_exp) const {
  const ir::Model& model = model_;
  const int n_nodes = model.n_nodes(), n_comp = model.n_comp, T = p.n_steps;

  States st = p.initial;
  auto index_of = [&](const std::string& name) {
    auto it = std::find(st.names.begin(), st.names.end(), name);
    RANVIER_ASSERT(it != st.names.end());
    return static_cast<std::size_t>(it - st.names.begin());
  };
  std::vector<double>& v = st.values[index_of("v")];

  auto sources = [&](const Tape& tape) {
    std::vector<LeafSource> out;
    for (const auto& leaf : tape.leaves()) {
      const std::vector<double>* values = nullptr;
      if (leaf.op == ir::Op::Param) values = &p.columns[model.column_index(leaf.name)];
      if (leaf.op == ir::Op::State) values = &st.values[index_of(leaf.name)];
      out.push_back({leaf.slot, values, leaf.op});
    }
    return out;
  };
  struct Bound {
    std::vector<LeafSource> update, current;
    std::vector<std::size_t> update_targets;
    std::size_t current_target;
  };
  std::vector<Bound> bound;
  for (std::size_t m = 0; m < model.mechanisms.size(); ++m) {
    Bound b{sources(tapes_[m].update), sources(tapes_[m].current), {}, index_of(model.mechanisms[m].current_name)};
    for (const auto& u : model.mechanisms[m].update) b.update_targets.push_back(index_of(u.name));
    bound.push_back(std::move(b));
  }
  auto fill = [&](const std::vector<LeafSource>& src, double* slots, int c, double vc) {
    for (const auto& s : src) {
      switch (s.op) {
        case ir::Op::Voltage: slots[s.slot] = vc; break;
        case ir::Op::TimeStep: slots[s.slot] = p.dt; break;
        default: slots[s.slot] = (*s.values)[c];
      }
    }
  };

  // Synapse tapes read per-synapse columns and states; the reserved leaves v_pre / v_post
  // read the voltages of the synapse's compartments (kind 1 / 2 below).
  struct SynapseSource {
    int slot;
    int kind;  // 0: values[e], 1: v[pre], 2: v[post], 3: dt
    const std::vector<double>* values;
  };
  auto synapse_sources = [&](std::size_t g, const Tape& tape) {
    std::vector<SynapseSource> out;
    const ir::SynapseGroup& grp = model.synapses[g];
    for (const auto& leaf : tape.leaves()) {
      if (leaf.op == ir::Op::TimeStep) out.push_back({leaf.slot, 3, nullptr});
      else if (leaf.name == ir::kPreVoltage) out.push_back({leaf.slot, 1, nullptr});
      else if (leaf.name == ir::kPostVoltage) out.push_back({leaf.slot, 2, nullptr});
      else if (leaf.op == ir::Op::Param) out.push_back({leaf.slot, 0, &p.synapse_columns[g][static_cast<std::size_t>(grp.column_index(leaf.name))]});
      else out.push_back({leaf.slot, 0, &st.values[index_of(leaf.name)]});
    }
    return out;
  };
  struct SynapseBound {
    std::vector<SynapseSource> update, current;
    std::vector<std::size_t> update_targets;
    std::size_t current_target;
  };
  std::vector<SynapseBound> syn_bound;
  for (std::size_t g = 0; g < model.synapses.size(); ++g) {
    SynapseBound b{synapse_sources(g, synapse_tapes_[g].update), synapse_sources(g, synapse_tapes_[g].current), {},
                   index_of(model.synapses[g].type.current_name())};
    for (const auto& u : model.synapses[g].type.update) b.update_targets.push_back(index_of(u.name));
    syn_bound.push_back(std::move(b));
  }
  auto fill_synapse = [&](const std::vector<SynapseSource>& src, double* slots, int e, double vpre, double vpost) {
    for (const auto& s : src) {
      switch (s.kind) {
        case 0: slots[s.slot] = (*s.values)[static_cast<std::size_t>(e)]; break;
        case 1: slots[s.slot] = vpre; break;
        case 2: slots[s.slot] = vpost; break;
        default: slots[s.slot] = p.dt;
      }
    }
  };

  // Recordings: where each reads from.
  std::vector<std::pair<std::size_t, int>> rec;
  for (const auto& r : model.recordings) rec.emplace_back(index_of(r.state), r.comp);
  Result result;
  result.n_recordings = static_cast<int>(rec.size());
  result.n_samples = T + 1;
  result.data.assign(static_cast<std::size_t>(result.n_recordings) * result.n_samples, 0.0);
  auto record = [&](int sample) {
    for (std::size_t r = 0; r < rec.size(); ++r)
      result.data[r * result.n_samples + sample] = st.values[rec[r].first][rec[r].second];
  };
  record(0);

  std::vector<std::size_t> clamp_target;
  for (const auto& name : p.clamp_state) clamp_target.push_back(index_of(name));

  VoltageStep voltage(model, tree_, p);
  std::vector<double> i_ext(n_nodes), lin(n_nodes), cst(n_nodes), vt(n_nodes), ct(n_nodes);
  // Synaptic terms (already in uA/cm^2 and mS/cm^2, no factor 1000): total and per type.
  std::vector<double> syn_lin(n_nodes), syn_cst(n_nodes), type_lin(n_nodes), type_cst(n_nodes);
  const bool has_synapses = !model.synapses.empty();
  std::vector<double> slots;
  for (int k = 0; k < T; ++k) {
    // 1. External current, nA -> uA/cm^2 with the compartment's area.
    std::fill(i_ext.begin(), i_ext.end(), 0.0);
    for (std::size_t s = 0; s < p.stimulus.size(); ++s) {
      int c = p.stimulus_comp[s];
      i_ext[c] += (*p.stimulus[s])[k] / p.area[c] * 100000.0;
    }
    // 2. Gates by their update rule with the voltage before the step.
    for (std::size_t m = 0; m < model.mechanisms.size(); ++m) {
      const Tape& tape = tapes_[m].update;
      slots.resize(tape.n_slots());
      for (int c : model.mechanism_comps[m]) {
        fill(bound[m].update, slots.data(), c, v[c]);
        tape.run(slots.data(), kernel_exp);
        for (std::size_t i = 0; i < bound[m].update_targets.size(); ++i)
          st.values[bound[m].update_targets[i]][c] = slots[tape.output(i)];
      }
    }
    // 3. Currents with the new gates, linearised by a forward difference in v.
    std::fill(lin.begin(), lin.end(), 0.0);
    std::fill(cst.begin(), cst.end(), 0.0);
    for (const auto& name : model.current_names) {
      auto& cur = st.values[index_of(name)];
      std::fill(cur.begin(), cur.end(), 0.0);
    }
    for (std::size_t m = 0; m < model.mechanisms.size(); ++m) {
      const Tape& tape = tapes_[m].current;
      slots.resize(tape.n_slots());
      auto& cur = st.values[bound[m].current_target];
      for (int c : model.mechanism_comps[m]) {
        fill(bound[m].current, slots.data(), c, v[c]);
        tape.run(slots.data(), kernel_exp);
        double i0 = slots[tape.output(0)];
        fill(bound[m].current, slots.data(), c, v[c] + kDiffV);
        tape.run(slots.data(), kernel_exp);
        double i1 = slots[tape.output(0)];
        double g = (i1 - i0) / kDiffV;
        double constant = i0 - g * v[c];
        lin[c] += g;
        cst[c] += -constant;
        cur[c] += i0;
      }
    }
    // 3b. Synapses (Jaxley's _step_synapse): every type in order, states updated with the
    // voltages before the step, then the current linearised by perturbing the pre AND post
    // voltage by 1e-3 mV together, converted nA -> uA/cm^2 with the postsynaptic area, and
    // scatter-added per type into the postsynaptic compartment's diagonal and constant terms.
    if (has_synapses) {
      std::fill(syn_lin.begin(), syn_lin.end(), 0.0);
      std::fill(syn_cst.begin(), syn_cst.end(), 0.0);
    }
    for (std::size_t g = 0; g < model.synapses.size(); ++g) {
      const ir::SynapseGroup& grp = model.synapses[g];
      const SynapseBound& b = syn_bound[g];
      const Tape& update = synapse_tapes_[g].update;
      slots.resize(update.n_slots());
      for (int e = 0; e < grp.size(); ++e) {
        fill_synapse(b.update, slots.data(), e, v[grp.pre[e]], v[grp.post[e]]);
        update.run(slots.data(), kernel_exp);
        for (std::size_t i = 0; i < b.update_targets.size(); ++i) st.values[b.update_targets[i]][e] = slots[update.output(i)];
      }
      const Tape& current = synapse_tapes_[g].current;
      slots.resize(current.n_slots());
      std::fill(type_lin.begin(), type_lin.end(), 0.0);
      std::fill(type_cst.begin(), type_cst.end(), 0.0);
      auto& cur = st.values[b.current_target];
      for (int e = 0; e < grp.size(); ++e) {
        const int post = grp.post[e];
        const double vpre = v[grp.pre[e]], vpost = v[post];
        fill_synapse(b.current, slots.data(), e, vpre, vpost);
        current.run(slots.data(), kernel_exp);
        const double i0 = slots[current.output(0)];  // nA
        fill_synapse(b.current, slots.data(), e, vpre + kDiffV, vpost + kDiffV);
        current.run(slots.data(), kernel_exp);
        const double i1 = slots[current.output(0)];
        const double d0 = i0 / p.area[post] * 100000.0;  // nA / um^2 -> uA/cm^2
        const double d1 = i1 / p.area[post] * 100000.0;
        const double g_syn = (d1 - d0) / kDiffV;
        type_lin[post] += g_syn;
        type_cst[post] += d0 - g_syn * vpost;
        cur[e] = i0;
      }
      for (int c = 0; c < n_nodes; ++c) {
        syn_lin[c] += type_lin[c];
        syn_cst[c] -= type_cst[c];
      }
    }
    // 4. Clamps of states other than v act after the currents, before the voltage solve.
    for (std::size_t i = 0; i < p.clamp.size(); ++i)
      if (p.clamp_state[i] != "v") st.values[clamp_target[i]][p.clamp_comp[i]] = p.clamp[i][k];
    // 5. Membrane terms per unit capacitance (mA/cm^2 -> uA/cm^2 by 1000).
    for (int c = 0; c < n_nodes; ++c) {
      if (c < n_comp && has_synapses) {
        vt[c] = (lin[c] * 1000.0 + syn_lin[c]) / p.capacitance[c];
        ct[c] = (cst[c] * 1000.0 + i_ext[c] + syn_cst[c]) / p.capacitance[c];
      } else if (c < n_comp) {
        vt[c] = lin[c] * 1000.0 / p.capacitance[c];
        ct[c] = (cst[c] * 1000.0 + i_ext[c]) / p.capacitance[c];
      } else {
        vt[c] = ct[c] = 0.0;
      }
    }
    // 6. Voltage update, then 7. voltage clamps overwrite the solution.
    voltage.advance(v, vt, ct);
    for (std::size_t i = 0; i < p.clamp.size(); ++i)
      if (p.clamp_state[i] == "v") v[p.clamp_comp[i]] = p.clamp[i][k];
    record(k + 1);
  }
  if (return_states) result.states = std::move(st);
  return result;
}

}  // namespace ranvier::runtime

#include "runtime/interpreter.h"

#include <algorithm>

#include "ir/scheme.h"
#include "ir/error.h"

namespace ranvier::runtime {
namespace {

// Jaxley linearises channel currents by a forward difference with this step (mV).
constexpr double kDiffV = ir::kLinearizationStep;

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

// One run of the interpreter: the state, every tape's leaves bound to where they read, the
// per-step scratch arrays, and one function per phase of the step (SEMANTICS.md 2.4).
class Interpreter::Run {
 public:
  Run(const Interpreter& in, const Prepared& p, bool kernel_exp)
      : in_(in), model_(in.model_), p_(p), kernel_exp_(kernel_exp), st_(p.initial), v_(st_.values[index_of("v")]),
        n_nodes_(model_.n_nodes()), n_comp_(model_.n_comp), voltage_(model_, in.tree_, p) {
    bind_mechanisms();
    bind_synapses();
    for (const auto& r : model_.recordings) rec_.emplace_back(index_of(r.state), r.comp);
    for (const auto& name : p.clamp_state) clamp_target_.push_back(index_of(name));
    for (auto* a : {&i_ext_, &lin_, &cst_, &vt_, &ct_, &syn_lin_, &syn_cst_, &type_lin_, &type_cst_}) a->assign(n_nodes_, 0.0);
  }

  Result run(bool return_states) {
    const int T = p_.n_steps;
    Result result;
    result.n_recordings = static_cast<int>(rec_.size());
    result.n_samples = T + 1;
    result.data.assign(static_cast<std::size_t>(result.n_recordings) * result.n_samples, 0.0);
    auto record = [&](int sample) {
      for (std::size_t r = 0; r < rec_.size(); ++r)
        result.data[r * result.n_samples + sample] = st_.values[rec_[r].first][rec_[r].second];
    };
    record(0);
    for (int k = 0; k < T; ++k) {
      external_current(k);
      update_gates();
      linearise_currents();
      step_synapses();
      clamp_states(k);
      membrane_terms();
      // 6. Voltage update, then 7. voltage clamps overwrite the solution.
      voltage_.advance(v_, vt_, ct_);
      for (std::size_t i = 0; i < p_.clamp.size(); ++i)
        if (p_.clamp_state[i] == "v") v_[p_.clamp_comp[i]] = p_.clamp[i][k];
      record(k + 1);
    }
    if (return_states) result.states = std::move(st_);
    return result;
  }

 private:
  std::size_t index_of(const std::string& name) const {
    auto it = std::find(st_.names.begin(), st_.names.end(), name);
    RANVIER_ASSERT(it != st_.names.end());
    return static_cast<std::size_t>(it - st_.names.begin());
  }

  std::vector<LeafSource> sources(const Tape& tape) {
    std::vector<LeafSource> out;
    for (const auto& leaf : tape.leaves()) {
      const std::vector<double>* values = nullptr;
      if (leaf.op == ir::Op::Param) values = &p_.columns[model_.column_index(leaf.name)];
      if (leaf.op == ir::Op::State) values = &st_.values[index_of(leaf.name)];
      out.push_back({leaf.slot, values, leaf.op});
    }
    return out;
  }
  void bind_mechanisms() {
    for (std::size_t m = 0; m < model_.mechanisms.size(); ++m) {
      Bound b{sources(in_.tapes_[m].update), sources(in_.tapes_[m].current), {}, index_of(model_.mechanisms[m].current_name)};
      for (const auto& u : model_.mechanisms[m].update) b.update_targets.push_back(index_of(u.name));
      bound_.push_back(std::move(b));
    }
  }
  void fill(const std::vector<LeafSource>& src, double* slots, int c, double vc) const {
    for (const auto& s : src) {
      switch (s.op) {
        case ir::Op::Voltage: slots[s.slot] = vc; break;
        case ir::Op::TimeStep: slots[s.slot] = p_.dt; break;
        default: slots[s.slot] = (*s.values)[c];
      }
    }
  }

  // Synapse tapes read per-synapse columns and states; the reserved leaves v_pre / v_post
  // read the voltages of the synapse's compartments (kind 1 / 2 below).
  struct SynapseSource {
    int slot;
    int kind;  // 0: values[e], 1: v[pre], 2: v[post], 3: dt
    const std::vector<double>* values;
  };
  std::vector<SynapseSource> synapse_sources(std::size_t g, const Tape& tape) {
    std::vector<SynapseSource> out;
    const ir::SynapseGroup& grp = model_.synapses[g];
    for (const auto& leaf : tape.leaves()) {
      if (leaf.op == ir::Op::TimeStep) out.push_back({leaf.slot, 3, nullptr});
      else if (leaf.name == ir::kPreVoltage) out.push_back({leaf.slot, 1, nullptr});
      else if (leaf.name == ir::kPostVoltage) out.push_back({leaf.slot, 2, nullptr});
      else if (leaf.op == ir::Op::Param) out.push_back({leaf.slot, 0, &p_.synapse_columns[g][static_cast<std::size_t>(grp.column_index(leaf.name))]});
      else out.push_back({leaf.slot, 0, &st_.values[index_of(leaf.name)]});
    }
    return out;
  }
  void bind_synapses() {
    for (std::size_t g = 0; g < model_.synapses.size(); ++g) {
      SynapseBound b{synapse_sources(g, in_.synapse_tapes_[g].update), synapse_sources(g, in_.synapse_tapes_[g].current), {},
                     index_of(model_.synapses[g].type.current_name())};
      for (const auto& u : model_.synapses[g].type.update) b.update_targets.push_back(index_of(u.name));
      syn_bound_.push_back(std::move(b));
    }
  }
  void fill_synapse(const std::vector<SynapseSource>& src, double* slots, int e, double vpre, double vpost) const {
    for (const auto& s : src) {
      switch (s.kind) {
        case 0: slots[s.slot] = (*s.values)[static_cast<std::size_t>(e)]; break;
        case 1: slots[s.slot] = vpre; break;
        case 2: slots[s.slot] = vpost; break;
        default: slots[s.slot] = p_.dt;
      }
    }
  }

  // 1. External current, nA -> uA/cm^2 with the compartment's area.
  void external_current(int k) {
    std::fill(i_ext_.begin(), i_ext_.end(), 0.0);
    for (std::size_t s = 0; s < p_.stimulus.size(); ++s) {
      int c = p_.stimulus_comp[s];
      i_ext_[c] += ir::point_current_density((*p_.stimulus[s])[k], p_.area[c]);
    }
  }
  // 2. Gates by their update rule with the voltage before the step. A mechanism that writes
  // "v" (Fire, ...) writes v_ itself; every update still reads the voltage before the step,
  // and the currents, synapses and solve that follow read the written one (Jaxley's order).
  void update_gates() {
    // Copied only when needed, so models without such mechanisms cost what they did.
    if (writes_v_) v_before_ = v_;
    const std::vector<double>& v_in = writes_v_ ? v_before_ : v_;
    for (std::size_t m = 0; m < model_.mechanisms.size(); ++m) {
      const Tape& tape = in_.tapes_[m].update;
      slots_.resize(tape.n_slots());
      for (int c : model_.mechanism_comps[m]) {
        fill(bound_[m].update, slots_.data(), c, v_in[c]);
        tape.run(slots_.data(), kernel_exp_);
        for (std::size_t i = 0; i < bound_[m].update_targets.size(); ++i)
          st_.values[bound_[m].update_targets[i]][c] = slots_[tape.output(i)];
      }
    }
  }
  // 3. Currents with the new gates, linearised by a forward difference in v.
  void linearise_currents() {
    std::fill(lin_.begin(), lin_.end(), 0.0);
    std::fill(cst_.begin(), cst_.end(), 0.0);
    for (const auto& name : model_.current_names) {
      auto& cur = st_.values[index_of(name)];
      std::fill(cur.begin(), cur.end(), 0.0);
    }
    for (std::size_t m = 0; m < model_.mechanisms.size(); ++m) {
      const Tape& tape = in_.tapes_[m].current;
      slots_.resize(tape.n_slots());
      auto& cur = st_.values[bound_[m].current_target];
      for (int c : model_.mechanism_comps[m]) {
        fill(bound_[m].current, slots_.data(), c, v_[c]);
        tape.run(slots_.data(), kernel_exp_);
        double i0 = slots_[tape.output(0)];
        fill(bound_[m].current, slots_.data(), c, v_[c] + kDiffV);
        tape.run(slots_.data(), kernel_exp_);
        double i1 = slots_[tape.output(0)];
        double g = (i1 - i0) / kDiffV;
        double constant = i0 - g * v_[c];
        lin_[c] += g;
        cst_[c] += -constant;
        cur[c] += i0;
      }
    }
  }
  // 3b. Synapses (Jaxley's _step_synapse): every type in order, states updated with the
  // voltages before the step, then the current linearised by perturbing the pre AND post
  // voltage by 1e-3 mV together, converted nA -> uA/cm^2 with the postsynaptic area, and
  // scatter-added per type into the postsynaptic compartment's diagonal and constant terms.
  void step_synapses() {
    if (model_.synapses.empty()) return;
    std::fill(syn_lin_.begin(), syn_lin_.end(), 0.0);
    std::fill(syn_cst_.begin(), syn_cst_.end(), 0.0);
    for (std::size_t g = 0; g < model_.synapses.size(); ++g) {
      const ir::SynapseGroup& grp = model_.synapses[g];
      const SynapseBound& b = syn_bound_[g];
      const Tape& update = in_.synapse_tapes_[g].update;
      slots_.resize(update.n_slots());
      for (int e = 0; e < grp.size(); ++e) {
        fill_synapse(b.update, slots_.data(), e, v_[grp.pre[e]], v_[grp.post[e]]);
        update.run(slots_.data(), kernel_exp_);
        for (std::size_t i = 0; i < b.update_targets.size(); ++i) st_.values[b.update_targets[i]][e] = slots_[update.output(i)];
      }
      const Tape& current = in_.synapse_tapes_[g].current;
      slots_.resize(current.n_slots());
      std::fill(type_lin_.begin(), type_lin_.end(), 0.0);
      std::fill(type_cst_.begin(), type_cst_.end(), 0.0);
      auto& cur = st_.values[b.current_target];
      for (int e = 0; e < grp.size(); ++e) {
        const int post = grp.post[e];
        const double vpre = v_[grp.pre[e]], vpost = v_[post];
        fill_synapse(b.current, slots_.data(), e, vpre, vpost);
        current.run(slots_.data(), kernel_exp_);
        const double i0 = slots_[current.output(0)];  // nA
        fill_synapse(b.current, slots_.data(), e, vpre + kDiffV, vpost + kDiffV);
        current.run(slots_.data(), kernel_exp_);
        const double i1 = slots_[current.output(0)];
        const double d0 = ir::point_current_density(i0, p_.area[post]);  // nA / um^2 -> uA/cm^2
        const double d1 = ir::point_current_density(i1, p_.area[post]);
        const double g_syn = (d1 - d0) / kDiffV;
        type_lin_[post] += g_syn;
        type_cst_[post] += d0 - g_syn * vpost;
        cur[e] = i0;
      }
      for (int c = 0; c < n_nodes_; ++c) {
        syn_lin_[c] += type_lin_[c];
        syn_cst_[c] -= type_cst_[c];
      }
    }
  }
  // 4. Clamps of states other than v act after the currents, before the voltage solve.
  void clamp_states(int k) {
    for (std::size_t i = 0; i < p_.clamp.size(); ++i)
      if (p_.clamp_state[i] != "v") st_.values[clamp_target_[i]][p_.clamp_comp[i]] = p_.clamp[i][k];
  }
  // 5. Membrane terms per unit capacitance (mA/cm^2 -> uA/cm^2 by 1000).
  void membrane_terms() {
    const bool has_synapses = !model_.synapses.empty();
    for (int c = 0; c < n_nodes_; ++c) {
      if (c < n_comp_ && has_synapses) {
        vt_[c] = (lin_[c] * 1000.0 + syn_lin_[c]) / p_.capacitance[c];
        ct_[c] = (cst_[c] * 1000.0 + i_ext_[c] + syn_cst_[c]) / p_.capacitance[c];
      } else if (c < n_comp_) {
        vt_[c] = lin_[c] * 1000.0 / p_.capacitance[c];
        ct_[c] = (cst_[c] * 1000.0 + i_ext_[c]) / p_.capacitance[c];
      } else {
        vt_[c] = ct_[c] = 0.0;
      }
    }
  }

  struct Bound {
    std::vector<LeafSource> update, current;
    std::vector<std::size_t> update_targets;
    std::size_t current_target;
  };
  struct SynapseBound {
    std::vector<SynapseSource> update, current;
    std::vector<std::size_t> update_targets;
    std::size_t current_target;
  };
  const Interpreter& in_;
  const ir::Model& model_;
  const Prepared& p_;
  bool kernel_exp_;
  States st_;
  std::vector<double>& v_;
  int n_nodes_, n_comp_;
  VoltageStep voltage_;
  std::vector<Bound> bound_;
  std::vector<SynapseBound> syn_bound_;
  std::vector<std::pair<std::size_t, int>> rec_;  // recordings: (state, node)
  std::vector<std::size_t> clamp_target_;
  // Per node: external current, mechanism terms, the membrane terms, synaptic terms (already
  // in uA/cm^2 and mS/cm^2, no factor 1000): total and per type.
  std::vector<double> i_ext_, lin_, cst_, vt_, ct_, syn_lin_, syn_cst_, type_lin_, type_cst_;
  std::vector<double> slots_;
  bool writes_v_ = std::any_of(model_.mechanisms.begin(), model_.mechanisms.end(), [](const Mechanism& m) { return m.writes_voltage(); });
  std::vector<double> v_before_;  // mV, the voltage at the start of the step (when writes_v_)
};

Result Interpreter::run(const Prepared& p, bool return_states, bool kernel_exp) const {
  return Run(*this, p, kernel_exp).run(return_states);
}

}  // namespace ranvier::runtime

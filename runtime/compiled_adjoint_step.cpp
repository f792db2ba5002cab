#include "runtime/compiled_adjoint_step.h"

#include <algorithm>
#include <map>

#include "ir/scheme.h"
#include "ir/error.h"

namespace ranvier::runtime {
namespace {

using KernelFn = ir::GroupFnF64;
using ir::kConstantTerm;
using ir::kVoltageTerm;

class CompiledAdjointStep final : public AdjointStep {
 public:
  CompiledAdjointStep(const ir::Model& model, const ir::TreeSolveSchedule& tree, const Prepared& prepared,
                      std::shared_ptr<const CompiledAdjointCode> code)
      : AdjointStep(model, tree, prepared), code_(std::move(code)) {
    std::vector<int> covered(static_cast<std::size_t>(model.n_comp), 0);
    for (const auto& g : code_->kernel.groups)
      for (auto [b, e] : g.runs)
        for (int c = b; c < e; ++c) ++covered[static_cast<std::size_t>(c)];
    for (int c = 0; c < model.n_comp; ++c)
      if (covered[static_cast<std::size_t>(c)] != 1)
        fail_unsupported("compiled gradients: compartment {} is in {} kernel groups (expected 1)", c, covered[static_cast<std::size_t>(c)]);
    for (const auto& name : code_->binding.arrays) sources_.push_back(classify(name));
    for (std::size_t m = 0; m < n_mechanisms(); ++m) current_offsets_.push_back(current_offset(m));
    // The runtime arrays used every step, looked up once (std::map keeps them in place).
    i_ext_ = &array(ir::kExternalCurrent);
    g_i_ext_ = &cotangent(ir::kExternalCurrent);
    g_vt_ = &cotangent(kVoltageTerm);
    g_ct_ = &cotangent(kConstantTerm);
    syn_lin_ = &array(ir::kSynapseLinear);
    syn_cst_ = &array(ir::kSynapseConstantSum);
    g_syn_lin_ = &cotangent(ir::kSynapseLinear);
    g_syn_cst_ = &cotangent(ir::kSynapseConstantSum);
    for (const auto& grp : model.synapses) {
      const std::string& t = grp.type.name;
      auto in = [&](const char* input) { return &array(ir::synapse_array(input, t)); };
      auto cot = [&](const char* input) { return &cotangent(ir::synapse_array(input, t)); };
      SynapseArrays a{in(ir::kSynapseVPre), in(ir::kSynapseVPost), in(ir::kSynapseConductance), in(ir::kSynapseConstant),
                      cot(ir::kSynapseConductance), cot(ir::kSynapseConstant), cot(ir::kSynapseVPre), cot(ir::kSynapseVPost),
                      cot(ir::kSynapseAreaPost), offset(grp.type.current_name())};
      std::vector<double>& area = *in(ir::kSynapseAreaPost);
      for (int e = 0; e < grp.size(); ++e) area[static_cast<std::size_t>(e)] = prepared.area[static_cast<std::size_t>(grp.post[e])];
      synapse_arrays_.push_back(a);
    }
    table_.resize(code_->binding.arrays.size());
  }

  bool kernel_exp() const override { return true; }
  // A capture keeps vt and the solve's solution; backward() rebuilds the system from vt.
  std::size_t capture_doubles() const override { return 2 * static_cast<std::size_t>(n_nodes_); }

  void forward(int k, const std::vector<double>& x, std::vector<double>& y, Capture* cap) const override {
    y = x;
    Capture& cp = scratch_;
    external_current(k);
    // Membrane currents are the step's output: zero where no mechanism writes them.
    for (int o : current_offsets_) std::fill_n(y.begin() + o, n_nodes_, 0.0);
    cp.vt.assign(static_cast<std::size_t>(n_nodes_), 0.0);
    cp.ct.assign(static_cast<std::size_t>(n_nodes_), 0.0);
    bind({y.data(), &cp, nullptr, nullptr});
    synapse_terms(x);
    run(code_->binding.forward);
    clamp_states(k, y);
    forward_voltage(k, x, y, cp);
    if (cap) {
      cap->vt = cp.vt;
      cap->solution = cp.solution;
    }
  }

  void backward(int k, const std::vector<double>& x, const Capture& cap, std::vector<double>& g,
                ParamCotangents& pg) const override {
    std::fill(g_vt_->begin(), g_vt_->end(), 0.0);
    std::fill(g_ct_->begin(), g_ct_->end(), 0.0);
    system_.vt = cap.vt;
    assemble(system_);
    system_.solution = cap.solution;
    backward_voltage(x, system_, g, *g_vt_, *g_ct_, pg);
    unclamp_cotangents(g);
    external_current(k);
    for (std::vector<double>* a : {g_i_ext_, g_syn_lin_, g_syn_cst_}) std::fill(a->begin(), a->end(), 0.0);
    if (!model_.synapses.empty()) {
      // The group bodies read this step's synaptic sums: recompute them (the synapse kernels
      // write the states they advance, so they run on a copy).
      other_ = x;
      bind({other_.data(), nullptr, nullptr, nullptr});
      synapse_terms(x);
    }
    bind({const_cast<double*>(x.data()), nullptr, g.data(), &pg});
    run(code_->binding.adjoint);
    synapse_adjoints(x, g, pg);
    // The currents before the step are overwritten by it: their cotangents end here.
    for (int o : current_offsets_) std::fill_n(g.begin() + o, n_nodes_, 0.0);
    backward_stimulus(k, *g_i_ext_, pg);
  }

 private:
  enum class Kind { State, Column, SynapseColumn, Capacitance, VoltageTerm, ConstantTerm, Scratch,
                    CotState, CotColumn, CotSynapseColumn, CotCapacitance };
  struct Source {
    Kind kind;
    int index = 0;  // State / CotState: offset in the flat state; columns: column
    int group = 0;  // synapse columns: the synapse group
    std::vector<double>* scratch = nullptr;
  };
  struct Bases {
    double* state;                 // the state the kernels read (and forward kernels write)
    Capture* cap;                  // forward: where voltage_term and constant_term go
    double* g;                     // backward: the state's cotangent
    ParamCotangents* pg;  // backward: parameter cotangents
  };

  // A runtime-owned array by name: per node, or per synapse for "<input>@<type>" names.
  std::vector<double>& array(const std::string& name) const {
    auto it = scratch_arrays_.find(name);
    if (it != scratch_arrays_.end()) return it->second;
    std::size_t size = static_cast<std::size_t>(n_nodes_);
    if (const auto at = name.find('@'); at != std::string::npos) {
      const std::string type = name.substr(at + 1);
      auto grp = std::find_if(model_.synapses.begin(), model_.synapses.end(), [&](const auto& s) { return s.type.name == type; });
      RANVIER_ASSERT(grp != model_.synapses.end());
      size = static_cast<std::size_t>(grp->size());
    }
    return scratch_arrays_.emplace(name, std::vector<double>(size, 0.0)).first->second;
  }
  std::vector<double>& cotangent(const std::string& name) const { return array(ir::cotangent_array(name)); }


  Source classify(const std::string& name) const {
    const std::string prefix = ir::kCotangentPrefix;
    const bool cot = name.rfind(prefix, 0) == 0;
    const std::string base = cot ? name.substr(prefix.size()) : name;
    if (!cot && base == kVoltageTerm) return {Kind::VoltageTerm};
    if (!cot && base == kConstantTerm) return {Kind::ConstantTerm};
    if (base == ir::kCapacitance) return {cot ? Kind::CotCapacitance : Kind::Capacitance};
    if (const int o = offset(base); o >= 0) return {cot ? Kind::CotState : Kind::State, o};
    if (const int c = model_.column_index(base); c >= 0) return {cot ? Kind::CotColumn : Kind::Column, c};
    if (const int grp = model_.synapse_group_of(base); grp >= 0) {
      const int c = model_.synapses[static_cast<std::size_t>(grp)].column_index(base);
      RANVIER_ASSERT(c >= 0);
      return {cot ? Kind::CotSynapseColumn : Kind::SynapseColumn, c, grp};
    }
    // Runtime inputs and outputs: the external current, the synaptic sums and the
    // per-synapse gathered inputs and outputs, and the cotangents of all of them.
    const bool runtime_array = base == ir::kExternalCurrent || base == kVoltageTerm || base == kConstantTerm ||
                               base == ir::kSynapseLinear || base == ir::kSynapseConstantSum || base.find('@') != std::string::npos;
    if (runtime_array) return {Kind::Scratch, 0, 0, &array(name)};
    fail_unsupported("compiled gradients: the kernel reads '{}', which is neither a state nor a parameter", name);
  }

  void bind(const Bases& b) const {
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      const Source& s = sources_[i];
      const auto grp = static_cast<std::size_t>(s.group), col = static_cast<std::size_t>(s.index);
      double* p = nullptr;
      switch (s.kind) {
        case Kind::State: p = b.state + s.index; break;
        case Kind::Column: p = const_cast<double*>(prepared_.columns[col].data()); break;
        case Kind::SynapseColumn: p = const_cast<double*>(prepared_.synapse_columns[grp][col].data()); break;
        case Kind::Capacitance: p = const_cast<double*>(prepared_.capacitance.data()); break;
        case Kind::VoltageTerm: p = b.cap ? b.cap->vt.data() : nullptr; break;
        case Kind::ConstantTerm: p = b.cap ? b.cap->ct.data() : nullptr; break;
        case Kind::Scratch: p = s.scratch->data(); break;
        case Kind::CotState: p = b.g ? b.g + s.index : nullptr; break;
        case Kind::CotColumn: p = b.pg ? b.pg->columns[col].data() : nullptr; break;
        case Kind::CotSynapseColumn: p = b.pg ? b.pg->synapse_columns[grp][col].data() : nullptr; break;
        case Kind::CotCapacitance: p = b.pg ? b.pg->capacitance.data() : nullptr; break;
      }
      table_[i] = p;
    }
  }

  void run(const std::vector<KernelFn>& fns) const {
    for (std::size_t g = 0; g < fns.size(); ++g)
      for (auto [b, e] : code_->kernel.groups[g].runs) fns[g](table_.data(), b, e, prepared_.dt);
  }

  // Every synapse type's kernel with the voltages of `x` (before the step), then the
  // per-compartment sums the group bodies read, type after type in synapse order (as the
  // interpreter scatters them).
  void synapse_terms(const std::vector<double>& x) const {
    if (model_.synapses.empty()) return;
    std::vector<double>& lin = *syn_lin_;
    std::vector<double>& cst = *syn_cst_;
    std::fill(lin.begin(), lin.end(), 0.0);
    std::fill(cst.begin(), cst.end(), 0.0);
    for (std::size_t gi = 0; gi < model_.synapses.size(); ++gi) {
      const ir::SynapseGroup& grp = model_.synapses[gi];
      if (grp.size() == 0) continue;
      gather_voltages(gi, x);
      code_->binding.synapse_forward[gi](table_.data(), 0, grp.size(), prepared_.dt);
      const std::vector<double>& g = *synapse_arrays_[gi].g;
      const std::vector<double>& c = *synapse_arrays_[gi].c;
      type_lin_.assign(static_cast<std::size_t>(n_nodes_), 0.0);
      type_cst_.assign(static_cast<std::size_t>(n_nodes_), 0.0);
      for (int e = 0; e < grp.size(); ++e) {
        type_lin_[static_cast<std::size_t>(grp.post[e])] += g[static_cast<std::size_t>(e)];
        type_cst_[static_cast<std::size_t>(grp.post[e])] += c[static_cast<std::size_t>(e)];
      }
      for (int i = 0; i < n_nodes_; ++i) {
        lin[static_cast<std::size_t>(i)] += type_lin_[static_cast<std::size_t>(i)];
        cst[static_cast<std::size_t>(i)] -= type_cst_[static_cast<std::size_t>(i)];
      }
    }
  }

  void gather_voltages(std::size_t gi, const std::vector<double>& x) const {
    const ir::SynapseGroup& grp = model_.synapses[gi];
    std::vector<double>& pre = *synapse_arrays_[gi].v_pre;
    std::vector<double>& post = *synapse_arrays_[gi].v_post;
    for (int e = 0; e < grp.size(); ++e) {
      pre[static_cast<std::size_t>(e)] = x[static_cast<std::size_t>(v_ + grp.pre[e])];
      post[static_cast<std::size_t>(e)] = x[static_cast<std::size_t>(v_ + grp.post[e])];
    }
  }

  // The synapse kernels backwards: the sums' cotangents gathered per synapse, the kernels'
  // adjoints, and the gathered inputs' cotangents scattered back to their compartments.
  void synapse_adjoints(const std::vector<double>& x, std::vector<double>& g, ParamCotangents& pg) const {
    if (model_.synapses.empty()) return;
    const std::vector<double>& g_lin = *g_syn_lin_;
    const std::vector<double>& g_cst = *g_syn_cst_;
    for (std::size_t gi = 0; gi < model_.synapses.size(); ++gi) {
      const ir::SynapseGroup& grp = model_.synapses[gi];
      const SynapseArrays& a = synapse_arrays_[gi];
      if (grp.size() == 0) continue;
      gather_voltages(gi, x);
      for (int e = 0; e < grp.size(); ++e) {
        (*a.g_g)[static_cast<std::size_t>(e)] = g_lin[static_cast<std::size_t>(grp.post[e])];
        (*a.g_c)[static_cast<std::size_t>(e)] = -g_cst[static_cast<std::size_t>(grp.post[e])];  // cst -= sum of c
      }
      for (std::vector<double>* cot : {a.g_v_pre, a.g_v_post, a.g_area}) std::fill(cot->begin(), cot->end(), 0.0);
      code_->binding.synapse_adjoint[gi](table_.data(), 0, grp.size(), prepared_.dt);
      for (int e = 0; e < grp.size(); ++e) {
        const auto ue = static_cast<std::size_t>(e);
        g[static_cast<std::size_t>(v_ + grp.pre[e])] += (*a.g_v_pre)[ue];
        g[static_cast<std::size_t>(v_ + grp.post[e])] += (*a.g_v_post)[ue];
        pg.area[static_cast<std::size_t>(grp.post[e])] += (*a.g_area)[ue];
      }
      // The synapse currents before the step are overwritten by it.
      std::fill_n(g.begin() + a.current_offset, grp.size(), 0.0);
    }
  }

  // uA/cm^2 per compartment at step k, as the interpreter sums the stimuli.
  void external_current(int k) const {
    std::vector<double>& i_ext = *i_ext_;
    std::fill(i_ext.begin(), i_ext.end(), 0.0);
    for (std::size_t s = 0; s < prepared_.stimulus.size(); ++s) {
      const int c = prepared_.stimulus_comp[s];
      i_ext[static_cast<std::size_t>(c)] += ir::point_current_density((*prepared_.stimulus[s])[static_cast<std::size_t>(k)], prepared_.area[static_cast<std::size_t>(c)]);
    }
  }

  std::shared_ptr<const CompiledAdjointCode> code_;
  // Runtime-owned arrays by name (node or synapse length); declared before sources_, which
  // points into it. std::map keeps every vector where it is.
  mutable std::map<std::string, std::vector<double>> scratch_arrays_;
  std::vector<Source> sources_;
  std::vector<int> current_offsets_;
  // Per synapse type: its gathered inputs and outputs and their cotangents.
  struct SynapseArrays {
    std::vector<double>*v_pre, *v_post, *g, *c;           // inputs and outputs of the kernel
    std::vector<double>*g_g, *g_c, *g_v_pre, *g_v_post, *g_area;  // their cotangents
    int current_offset;                                   // of "i_<type>" in the flat state
  };
  std::vector<SynapseArrays> synapse_arrays_;
  std::vector<double>*i_ext_, *g_i_ext_, *g_vt_, *g_ct_, *syn_lin_, *syn_cst_, *g_syn_lin_, *g_syn_cst_;
  // Per-call scratch (a step object is used by one thread at a time).
  mutable std::vector<double*> table_;
  mutable std::vector<double> other_, type_lin_, type_cst_;
  mutable Capture scratch_, system_;
};

}  // namespace

std::unique_ptr<AdjointStep> make_compiled_adjoint_step(const ir::Model& model, const ir::TreeSolveSchedule& tree,
                                                        const Prepared& prepared, std::shared_ptr<const CompiledAdjointCode> code) {
  return std::make_unique<CompiledAdjointStep>(model, tree, prepared, std::move(code));
}

}  // namespace ranvier::runtime

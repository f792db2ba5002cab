#include "codegen/llvm/compiled_adjoint.h"

#include <algorithm>
#include <map>
#include <mutex>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "codegen/llvm/emit_kernel.h"
#include "codegen/llvm/jit.h"
#include "ir/error.h"
#include "passes/derive_adjoint.h"
#include "passes/pipeline.h"
#include "runtime/backend.h"

namespace ranvier::llvm_backend {
namespace {

using KernelFn = void (*)(double**, std::int64_t, std::int64_t, double);

// The forward and adjoint group kernels of one model structure, compiled once per process.
struct AdjointCode {
  std::unique_ptr<CompiledCode> code;
  ir::KernelIR kernel;
  std::vector<std::string> arrays;  // the pointer table's entries
  std::vector<KernelFn> forward, adjoint;
};

std::shared_ptr<const AdjointCode> compile_adjoint(const ir::Model& model) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const AdjointCode>> cache;
  passes::PipelineOptions options;  // Jaxley's finite-difference linearisation
  ir::KernelIR kernel = passes::derive_adjoint(passes::lower_to_kernel(model, options).kernel);
  std::string key = kernel.print();
  std::lock_guard lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto out = std::make_shared<AdjointCode>();
  EmittedKernel emitted = emit_kernel(kernel, false);
  out->arrays = emitted.arrays;
  out->code = Jit::instance().compile(std::move(emitted.module), std::move(emitted.context), false);
  for (const auto& f : emitted.group_functions) out->forward.push_back(out->code->function<void(double**, std::int64_t, std::int64_t, double)>(f));
  for (const auto& f : emitted.adjoint_functions) out->adjoint.push_back(out->code->function<void(double**, std::int64_t, std::int64_t, double)>(f));
  out->kernel = std::move(kernel);
  cache[key] = out;
  return out;
}

class CompiledAdjointStep final : public runtime::AdjointStep {
 public:
  CompiledAdjointStep(const ir::Model& model, const runtime::Prepared& prepared, std::shared_ptr<const AdjointCode> code)
      : AdjointStep(model, prepared), code_(std::move(code)) {
    std::vector<int> covered(static_cast<std::size_t>(model.n_comp), 0);
    for (const auto& g : code_->kernel.groups)
      for (auto [b, e] : g.runs)
        for (int c = b; c < e; ++c) ++covered[static_cast<std::size_t>(c)];
    for (int c = 0; c < model.n_comp; ++c)
      if (covered[static_cast<std::size_t>(c)] != 1)
        fail_unsupported("compiled gradients: compartment {} is in {} kernel groups (expected 1)", c, covered[static_cast<std::size_t>(c)]);
    for (const auto& name : code_->arrays) sources_.push_back(classify(name));
    for (std::size_t m = 0; m < n_mechanisms(); ++m) current_offsets_.push_back(current_offset(m));
    const auto n = static_cast<std::size_t>(n_nodes_);
    i_ext_.assign(n, 0.0);
    g_vt_.assign(n, 0.0);
    g_ct_.assign(n, 0.0);
    g_iext_.assign(n, 0.0);
    table_.resize(code_->arrays.size());
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
    run(code_->forward);
    clamp_states(k, y);
    forward_voltage(k, x, y, cp);
    if (cap) {
      cap->vt = cp.vt;
      cap->solution = cp.solution;
    }
  }

  void backward(int k, const std::vector<double>& x, const Capture& cap, std::vector<double>& g,
                runtime::ParamCotangents& pg) const override {
    std::fill(g_vt_.begin(), g_vt_.end(), 0.0);
    std::fill(g_ct_.begin(), g_ct_.end(), 0.0);
    system_.vt = cap.vt;
    assemble(system_);
    system_.solution = cap.solution;
    backward_voltage(x, system_, g, g_vt_, g_ct_, pg);
    unclamp_cotangents(g);
    external_current(k);
    std::fill(g_iext_.begin(), g_iext_.end(), 0.0);
    bind({const_cast<double*>(x.data()), nullptr, g.data(), &pg});
    run(code_->adjoint);
    // The currents before the step are overwritten by it: their cotangents end here.
    for (int o : current_offsets_) std::fill_n(g.begin() + o, n_nodes_, 0.0);
    backward_stimulus(k, g_iext_, pg);
  }

 private:
  enum class Kind { State, Column, Capacitance, ExternalCurrent, VoltageTerm, ConstantTerm,
                    CotState, CotColumn, CotCapacitance, CotExternalCurrent, CotVoltageTerm, CotConstantTerm };
  struct Source {
    Kind kind;
    int index = 0;  // State / CotState: offset in the flat state; Column / CotColumn: column
  };
  struct Bases {
    double* state;                   // the state the kernels read (and forward writes)
    Capture* cap;                    // forward: where voltage_term and constant_term go
    double* g;                       // backward: the state's cotangent
    runtime::ParamCotangents* pg;    // backward: parameter cotangents
  };

  Source classify(const std::string& name) const {
    const std::string prefix = ir::kCotangentPrefix;
    const bool cot = name.rfind(prefix, 0) == 0;
    const std::string base = cot ? name.substr(prefix.size()) : name;
    if (base == kVoltageTerm) return {cot ? Kind::CotVoltageTerm : Kind::VoltageTerm};
    if (base == kConstantTerm) return {cot ? Kind::CotConstantTerm : Kind::ConstantTerm};
    if (base == ir::kExternalCurrent) return {cot ? Kind::CotExternalCurrent : Kind::ExternalCurrent};
    if (base == ir::kCapacitance) return {cot ? Kind::CotCapacitance : Kind::Capacitance};
    if (const int o = offset(base); o >= 0) return {cot ? Kind::CotState : Kind::State, o};
    if (const int c = model_.column_index(base); c >= 0) return {cot ? Kind::CotColumn : Kind::Column, c};
    fail_unsupported("compiled gradients: the kernel reads '{}', which is neither a state nor a parameter", name);
  }

  void bind(const Bases& b) const {
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      const Source& s = sources_[i];
      double* p = nullptr;
      switch (s.kind) {
        case Kind::State: p = b.state + s.index; break;
        case Kind::Column: p = const_cast<double*>(prepared_.columns[static_cast<std::size_t>(s.index)].data()); break;
        case Kind::Capacitance: p = const_cast<double*>(prepared_.capacitance.data()); break;
        case Kind::ExternalCurrent: p = i_ext_.data(); break;
        case Kind::VoltageTerm: p = b.cap ? b.cap->vt.data() : nullptr; break;
        case Kind::ConstantTerm: p = b.cap ? b.cap->ct.data() : nullptr; break;
        case Kind::CotState: p = b.g ? b.g + s.index : nullptr; break;
        case Kind::CotColumn: p = b.pg ? b.pg->columns[static_cast<std::size_t>(s.index)].data() : nullptr; break;
        case Kind::CotCapacitance: p = b.pg ? b.pg->capacitance.data() : nullptr; break;
        case Kind::CotExternalCurrent: p = g_iext_.data(); break;
        case Kind::CotVoltageTerm: p = g_vt_.data(); break;
        case Kind::CotConstantTerm: p = g_ct_.data(); break;
      }
      table_[i] = p;
    }
  }

  void run(const std::vector<KernelFn>& fns) const {
    for (std::size_t g = 0; g < fns.size(); ++g)
      for (auto [b, e] : code_->kernel.groups[g].runs) fns[g](table_.data(), b, e, prepared_.dt);
  }

  // uA/cm^2 per compartment at step k, as the interpreter sums the stimuli.
  void external_current(int k) const {
    std::fill(i_ext_.begin(), i_ext_.end(), 0.0);
    for (std::size_t s = 0; s < prepared_.stimulus.size(); ++s) {
      const int c = prepared_.stimulus_comp[s];
      i_ext_[static_cast<std::size_t>(c)] += prepared_.stimulus[s][static_cast<std::size_t>(k)] / prepared_.area[static_cast<std::size_t>(c)] * 100000.0;
    }
  }

  std::shared_ptr<const AdjointCode> code_;
  std::vector<Source> sources_;
  std::vector<int> current_offsets_;
  // Per-call scratch (a step object is used by one thread at a time).
  mutable std::vector<double> i_ext_, g_vt_, g_ct_, g_iext_;
  mutable std::vector<double*> table_;
  mutable Capture scratch_, system_;
};

std::unique_ptr<runtime::AdjointStep> make(const ir::Model& model, const runtime::Prepared& prepared) {
  return std::make_unique<CompiledAdjointStep>(model, prepared, compile_adjoint(model));
}

const bool g_registered = (runtime::register_compiled_adjoint(&make), true);

}  // namespace

std::unique_ptr<runtime::AdjointStep> make_compiled_adjoint(const ir::Model& model, const runtime::Prepared& prepared) {
  return make(model, prepared);
}

}  // namespace ranvier::llvm_backend

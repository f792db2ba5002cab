#include "api/compile.h"

#include <chrono>
#include <mutex>

#include "api/dump.h"
#include "codegen/llvm/compile_kernels.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "passes/pipeline.h"
#include "runtime/prepare.h"

namespace ranvier {

namespace {

struct ForwardCode {
  ir::KernelBinding binding;
  double seconds = 0.0;
  // LLVM IR before/after optimisation and assembly: made on first request by a separate
  // compilation that keeps the text, so that compiling for running stays fast.
  mutable std::once_flag text_once;
  mutable llvm_backend::KernelText text;
};

}  // namespace

struct CompiledModel::Impl {
  passes::LowerOptions lower_options;
  ir::Program program;
  // The text of every pass stage, made on first request (printing is not free on big models).
  mutable std::once_flag stages_once;
  mutable std::vector<std::pair<std::string, std::string>> stages;
  std::shared_ptr<const ForwardCode> code;
  CompileOptions options;
};

std::string CompiledModel::source(Stage stage) const {
  const std::string backend = stage_backend(stage);
  if (backend == "cuda") fail("stage '{}' belongs to the GPU backend: use cuda::compile(...).source()", stage_name(stage));
  if (backend == "llvm") {
    const ForwardCode& code = *impl_->code;
    std::call_once(code.text_once, [&] { code.text = llvm_backend::forward_text(impl_->program.kernel, impl_->options.float32); });
    if (stage == Stage::LlvmIr) return code.text.llvm_ir;
    if (stage == Stage::LlvmIrOptimized) return code.text.llvm_ir_optimized;
    return code.text.assembly;
  }
  std::call_once(impl_->stages_once, [&] {
    passes::LowerOptions o = impl_->lower_options;
    o.keep_text = true;
    impl_->stages = passes::lower(impl_->program.model, o).stages;
  });
  for (const auto& [name, text] : impl_->stages)
    if (name == stage_name(stage)) return text;
  fail("stage '{}' does not apply to this model (lower_synapses runs only for networks)", stage_name(stage));
}

const ir::Model& CompiledModel::model() const { return impl_->program.model; }
double CompiledModel::compile_seconds() const { return impl_->code->seconds; }
bool CompiledModel::float32() const { return impl_->options.float32; }
std::size_t CompiledModel::compilations() { return api::kernel_compilations(); }

runtime::BatchResult CompiledModel::integrate(const std::vector<IntegrateOptions>& lanes) const {
  std::vector<runtime::Prepared> prepared;
  prepared.reserve(lanes.size());
  runtime::StimulusRowCache shared_rows;
  for (const auto& o : lanes) prepared.push_back(runtime::prepare(impl_->program.model, o, &shared_rows));
  bool return_states = !lanes.empty() && lanes[0].return_states;
  return runtime::run_batch(impl_->program, impl_->code->binding, prepared, return_states, impl_->options.threads);
}

Result CompiledModel::integrate(const IntegrateOptions& options) const { return integrate(std::vector<IntegrateOptions>{options}).lane(0); }

CompiledModel compile(const ir::Model& model, const CompileOptions& options) {
  auto impl = std::make_shared<CompiledModel::Impl>();
  impl->options = options;
  // In float32 the 1e-3 mV difference quotient loses ~4 digits to cancellation (I(v + 1e-3)
  // and I(v) agree to 1e-4 relative), so float32 kernels use the exact derivative.
  impl->lower_options.linearization = (options.symbolic_derivative || options.float32) ? ir::Linearization::Symbolic
                                                                                       : ir::Linearization::FiniteDifference;
  impl->program = passes::lower(model, impl->lower_options).program;
  const std::string key = "forward|" + impl->program.kernel.print() + (options.float32 ? "|f32|" : "|f64|") + llvm_backend::host_target();
  impl->code = api::cached_as<ForwardCode>(key, [&] {
    auto t0 = std::chrono::steady_clock::now();
    auto code = std::make_shared<ForwardCode>();
    code->binding = llvm_backend::compile_forward(impl->program.kernel, options.float32);
    code->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return code;
  });
  CompiledModel m;
  m.impl_ = std::move(impl);
  api::dump_stages(key, [&](Stage s) { return m.source(s); }, "llvm");
  return m;
}

CompiledModel compile(const Module& module, const CompileOptions& options) { return compile(module.lower(), options); }

}  // namespace ranvier

#include "codegen/llvm/compiled_model.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include "codegen/llvm/emit_kernel.h"
#include "codegen/llvm/jit.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "passes/pipeline.h"
#include "runtime/backend.h"
#include "runtime/kernel_cache.h"
#include "runtime/prepare.h"

namespace ranvier {

namespace {

struct CodeEntry {
  std::unique_ptr<llvm_backend::CompiledCode> code;
  runtime::KernelBinding binding;
  double seconds = 0.0;
  // LLVM IR before/after optimisation and assembly: produced on first request by a separate
  // compilation that keeps the text, so that compiling for running stays fast.
  std::once_flag text_once;
  std::unique_ptr<llvm_backend::CompiledCode> text;
};

std::atomic<std::size_t> g_compilations{0};

// Kernel cache (bounded LRU, runtime/kernel_cache.h): key = kernel IR text + precision + host
// target. g_compile_mutex makes one thread compile a structure while others wait for it.
std::mutex g_compile_mutex;
runtime::LruCache<CodeEntry>& cache() {
  static runtime::LruCache<CodeEntry> c;
  return c;
}

std::shared_ptr<CodeEntry> compile_kernel(const ir::KernelIR& kernel, bool float32, const std::string& key) {
  std::lock_guard lock(g_compile_mutex);
  if (auto hit = cache().find(key)) return hit;
  auto t0 = std::chrono::steady_clock::now();
  llvm_backend::EmittedKernel emitted = llvm_backend::emit_kernel(kernel, float32, true);
  auto entry = std::make_shared<CodeEntry>();
  entry->binding.arrays = emitted.arrays;
  entry->binding.float32 = float32;
  entry->code = llvm_backend::Jit::instance().compile(std::move(emitted.module), std::move(emitted.context), false);
  for (const auto& f : emitted.group_functions) entry->binding.groups.push_back(entry->code->lookup(f));
  for (const auto& f : emitted.block_functions) entry->binding.blocks.push_back(entry->code->lookup(f));
  entry->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++g_compilations;
  cache().insert(key, entry);
  return entry;
}

}  // namespace

struct CompiledModel::Impl {
  ir::Model model;
  passes::PipelineResult pipeline;
  ir::Linearization linearization = ir::Linearization::FiniteDifference;
  // The text of every pass stage, made on first request (printing is not free on big models).
  mutable std::once_flag stages_once;
  mutable std::vector<std::pair<std::string, std::string>> stages;
  std::shared_ptr<CodeEntry> code;
  CompileOptions options;
};

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::Model: return "model";
    case Stage::Fused: return "fuse_mechanisms";
    case Stage::Linearized: return "linearize";
    case Stage::Folded: return "fold_constants";
    case Stage::Adjoint: return "derive_adjoint";
    case Stage::DhsSchedule: return "dhs_schedule";
    case Stage::LlvmIr: return "llvm_ir";
    case Stage::LlvmIrOptimized: return "llvm_ir_optimized";
    case Stage::Assembly: return "assembly";
  }
  return "?";
}

Stage parse_stage(const std::string& name) {
  for (Stage s : {Stage::Model, Stage::Fused, Stage::Linearized, Stage::Folded, Stage::Adjoint, Stage::DhsSchedule, Stage::LlvmIr,
                  Stage::LlvmIrOptimized, Stage::Assembly})
    if (name == stage_name(s)) return s;
  fail_key("unknown stage '{}'; stages are model, fuse_mechanisms, linearize, fold_constants, dhs_schedule, llvm_ir, llvm_ir_optimized, assembly", name);
}

std::string CompiledModel::source(Stage stage) const {
  if (stage == Stage::LlvmIr || stage == Stage::LlvmIrOptimized || stage == Stage::Assembly) {
    CodeEntry& entry = *impl_->code;
    std::call_once(entry.text_once, [&] {
      llvm_backend::EmittedKernel emitted = llvm_backend::emit_kernel(impl_->pipeline.kernel, impl_->options.float32, true);
      entry.text = llvm_backend::Jit::instance().compile(std::move(emitted.module), std::move(emitted.context), true);
    });
  }
  switch (stage) {
    case Stage::LlvmIr: return impl_->code->text->ir_before;
    case Stage::LlvmIrOptimized: return impl_->code->text->ir_after;
    case Stage::Assembly: return impl_->code->text->assembly;
    default:
      std::call_once(impl_->stages_once, [&] {
        impl_->stages = passes::lower_to_kernel(impl_->model, {impl_->linearization, true}).stages;
      });
      for (const auto& [name, text] : impl_->stages)
        if (name == stage_name(stage)) return text;
  }
  RANVIER_ASSERT(false);
}

const ir::Model& CompiledModel::model() const { return impl_->model; }
double CompiledModel::compile_seconds() const { return impl_->code->seconds; }
bool CompiledModel::float32() const { return impl_->options.float32; }
std::size_t CompiledModel::compilations() { return g_compilations.load(); }

runtime::BatchResult CompiledModel::integrate(const std::vector<IntegrateOptions>& lanes) const {
  std::vector<runtime::Prepared> prepared;
  prepared.reserve(lanes.size());
  runtime::StimulusRowCache shared_rows;
  for (const auto& o : lanes) prepared.push_back(runtime::prepare(impl_->model, o, &shared_rows));
  bool return_states = !lanes.empty() && lanes[0].return_states;
  return runtime::run_batch(impl_->model, impl_->pipeline.kernel, impl_->code->binding, prepared, return_states,
                            impl_->options.threads);
}

Result CompiledModel::integrate(const IntegrateOptions& options) const { return integrate(std::vector<IntegrateOptions>{options}).lane(0); }

CompiledModel compile(const ir::Model& model, const CompileOptions& options) {
  auto impl = std::make_shared<CompiledModel::Impl>();
  impl->model = model;
  impl->options = options;
  // In float32 the 1e-3 mV difference quotient loses ~4 digits to cancellation (I(v + 1e-3)
  // and I(v) agree to 1e-4 relative), so float32 kernels use the exact derivative.
  const ir::Linearization lin = (options.symbolic_derivative || options.float32) ? ir::Linearization::Symbolic
                                                                                 : ir::Linearization::FiniteDifference;
  impl->linearization = lin;
  impl->pipeline = passes::lower_to_kernel(model, {lin, false});
  const std::string key = impl->pipeline.kernel.print() + (options.float32 ? "|f32|" : "|f64|") +
                          llvm_backend::Jit::instance().cpu_name() + llvm_backend::Jit::instance().features();
  impl->code = compile_kernel(impl->pipeline.kernel, options.float32, key);

  // RANVIER_DUMP=all or a comma-separated list of stage names: write them to ranvier_dump/.
  // A dump that cannot be written (read-only or full folder) warns on stderr and never fails
  // the compile; a file is written whole or removed, never left empty or cut short.
  if (const char* dump = std::getenv("RANVIER_DUMP"); dump && *dump) {
    const std::string which = std::string(",") + dump + ",";
    const std::size_t h = std::hash<std::string>()(key);
    CompiledModel m;
    m.impl_ = impl;
    std::error_code ec;
    std::filesystem::create_directories("ranvier_dump", ec);
    for (Stage s : {Stage::Model, Stage::Fused, Stage::Linearized, Stage::Folded, Stage::Adjoint, Stage::DhsSchedule, Stage::LlvmIr,
                    Stage::LlvmIrOptimized, Stage::Assembly}) {
      if (ec || (which != ",all," && which.find(std::string(",") + stage_name(s) + ",") == std::string::npos)) continue;
      const std::string path = fmt::format("ranvier_dump/{:016x}.{}.txt", h, stage_name(s));
      const std::string text = m.source(s);
      std::ofstream out(path, std::ios::binary);
      out << text;
      out.close();
      if (!out) {
        std::filesystem::remove(path, ec);
        ec.clear();
        std::fprintf(stderr, "ranvier: warning: RANVIER_DUMP could not write '%s' (read-only or full folder?); skipped\n", path.c_str());
      }
    }
    if (ec)
      std::fprintf(stderr, "ranvier: warning: RANVIER_DUMP could not create the folder 'ranvier_dump' (%s); nothing dumped\n",
                   ec.message().c_str());
  }
  CompiledModel m;
  m.impl_ = std::move(impl);
  return m;
}

CompiledModel compile(const Module& module, const CompileOptions& options) { return compile(module.lower(), options); }

namespace {
// integrate(..., backend="jit"|"auto") runs here.
Result jit_integrate(const ir::Model& model, const IntegrateOptions& options) {
  return compile(model).integrate(options);
}
const bool g_registered = (runtime::register_jit_backend(&jit_integrate), true);
}  // namespace

}  // namespace ranvier

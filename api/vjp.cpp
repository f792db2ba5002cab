#include "api/vjp.h"

#include <mutex>
#include <optional>

#include "api/backend.h"
#include "api/kernel_cache.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "passes/pipeline.h"
#include "runtime/compiled_adjoint_step.h"
#ifdef RANVIER_HAVE_LLVM
#include "codegen/llvm/compile_kernels.h"
#endif

namespace ranvier {
namespace {

#ifdef RANVIER_HAVE_LLVM
// The forward and adjoint kernels of a model structure, compiled once per process. Jaxley's
// finite-difference linearisation, double precision.
std::shared_ptr<const runtime::CompiledAdjointCode> compiled_adjoint(const ir::Model& model) {
  passes::LowerOptions options;
  options.gradients = true;
  ir::KernelIR kernel = passes::lower(model, options).program.kernel;
  const std::string key = "adjoint|" + kernel.print() + "|" + llvm_backend::host_target();
  return api::cached_as<runtime::CompiledAdjointCode>(key, [&] {
    auto code = std::make_shared<runtime::CompiledAdjointCode>();
    code->binding = llvm_backend::compile_adjoint(kernel);
    code->kernel = std::move(kernel);
    return code;
  });
}
#endif

// The compiled adjoint of one model, looked up (lowered, printed, found in the cache) once for
// all the lanes of a batch that need it.
struct AdjointOnce {
  std::once_flag once;
  std::shared_ptr<const runtime::CompiledAdjointCode> code;
};

runtime::StepChoice step_choice(const ir::Model& model, const IntegrateOptions& options,
                                const std::shared_ptr<AdjointOnce>& adjoint = std::make_shared<AdjointOnce>()) {
  runtime::StepChoice choice;
  if (api::choose_gradient_backend(options, !model.synapses.empty()) == api::Backend::Interpreter) return choice;
#ifdef RANVIER_HAVE_LLVM
  choice.compiled = [adjoint](const ir::Model& m, const ir::TreeSolveSchedule& tree, const runtime::Prepared& prepared) {
    std::call_once(adjoint->once, [&] { adjoint->code = compiled_adjoint(m); });
    return runtime::make_compiled_adjoint_step(m, tree, prepared, adjoint->code);
  };
#else
  (void)adjoint;
#endif
  // "auto" on a cell (not a network): the interpreter's step covers what the compiled one does not.
  choice.fallback_to_interpreter = options.backend == "auto" && model.synapses.empty();
  return choice;
}

}  // namespace

Vjp vjp(const ir::Model& model, const IntegrateOptions& options) {
  return runtime::make_vjp(model, passes::lower_tree_solve(model), options, step_choice(model, options));
}

Vjp vjp(const Module& module, const IntegrateOptions& options) { return vjp(module.lower(), options); }

BatchVjp vjp(const ir::Model& model, const std::vector<IntegrateOptions>& lanes, int threads) {
  if (lanes.empty()) fail("vjp: the batch is empty (no IntegrateOptions)");
  if (threads < 0) fail("vjp: threads = {} must be 0 (all cores) or positive", threads);
  const ir::TreeSolveSchedule tree = passes::lower_tree_solve(model);
  const auto adjoint = std::make_shared<AdjointOnce>();
  runtime::check_vjp_batch_memory(model, tree, lanes[0], step_choice(model, lanes[0], adjoint), lanes.size());
  std::vector<std::optional<Vjp>> out(lanes.size());
  runtime::parallel_for(static_cast<int>(lanes.size()), threads, [&](int b) {
    const IntegrateOptions& lane = lanes[static_cast<std::size_t>(b)];
    out[static_cast<std::size_t>(b)].emplace(runtime::make_vjp(model, tree, lane, step_choice(model, lane, adjoint)));
  });
  std::vector<Vjp> done;
  for (auto& v : out) done.push_back(std::move(*v));
  return BatchVjp(std::move(done), threads);
}

BatchVjp vjp(const Module& module, const std::vector<IntegrateOptions>& lanes, int threads) {
  return vjp(module.lower(), lanes, threads);
}

std::vector<std::vector<double>> get_parameters(const Module& module) {
  std::vector<std::vector<double>> out;
  for (const auto& t : module.trainables()) out.push_back(t.init);
  return out;
}

ValueAndGrad value_and_grad(const Module& module, const IntegrateOptions& options, const LossFunction& loss) {
  Vjp f = vjp(module, options);
  ValueAndGrad out;
  std::vector<double> cot(f.result.data.size(), 0.0);
  out.value = loss(f.result, cot);
  out.grad = f(cot);
  out.result = std::move(f.result);
  return out;
}

}  // namespace ranvier

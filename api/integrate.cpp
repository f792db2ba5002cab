#include "api/integrate.h"

#include "api/backend.h"
#include "frontend/module.h"
#include "ir/error.h"
#include "passes/pipeline.h"
#include "runtime/check_outputs.h"
#include "runtime/interpreter.h"
#include "runtime/prepare.h"
#ifdef RANVIER_HAVE_LLVM
#include "api/compile.h"
#endif

namespace ranvier {

namespace {
Result interpret(const runtime::Interpreter& interpreter, const IntegrateOptions& options) {
  const runtime::Prepared prepared = runtime::prepare(interpreter.model(), options);
  return interpreter.run(prepared, options.return_states, options.interpreter_uses_kernel_exp);
}

runtime::Interpreter make_interpreter(const ir::Model& model) { return runtime::Interpreter(model, passes::lower_tree_solve(model)); }
}  // namespace

Result integrate(const ir::Model& model, const IntegrateOptions& options) {
  Result r;
#ifdef RANVIER_HAVE_LLVM
  if (api::choose_backend(options) == api::Backend::Jit) r = compile(model).integrate(options);
  else r = interpret(make_interpreter(model), options);
#else
  api::choose_backend(options);
  r = interpret(make_interpreter(model), options);
#endif
  r.nonfinite = runtime::describe_nonfinite(model, r, options.delta_t);
  return r;
}

Result integrate(const Module& module, const IntegrateOptions& options) { return integrate(module.lower(), options); }

namespace api {

runtime::BatchResult integrate_lanes(const ir::Model& model, const std::vector<IntegrateOptions>& lanes, const std::string& backend,
                                     int threads, bool* compiled) {
  if (lanes.empty()) fail("integrate: no lanes to run");
  for (const auto& l : lanes)
    if (l.solver != lanes[0].solver || l.voltage_solver != lanes[0].voltage_solver || l.delta_t != lanes[0].delta_t ||
        l.t_max != lanes[0].t_max || l.return_states != lanes[0].return_states)
      fail("integrate: all lanes of a batch must share solver, voltage_solver, delta_t, t_max and return_states");
  IntegrateOptions choice = lanes[0];
  choice.backend = backend;
  const Backend b = choose_backend(choice);
  if (compiled) *compiled = b == Backend::Jit;
#ifdef RANVIER_HAVE_LLVM
  if (b == Backend::Jit) {
    CompileOptions co;
    co.threads = threads;
    return compile(model, co).integrate(lanes);
  }
#endif
  runtime::BatchResult r;
  r.batch = static_cast<int>(lanes.size());
  // One interpreter (its tapes and the tree-solve schedule) for every lane.
  const runtime::Interpreter interpreter = make_interpreter(model);
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    Result one = interpret(interpreter, lanes[i]);
    if (i == 0) {
      r.n_recordings = one.n_recordings;
      r.n_samples = one.n_samples;
      r.data.reserve(one.data.size() * lanes.size());
    } else if (one.n_samples != r.n_samples || one.n_recordings != r.n_recordings) {
      fail("integrate: lane {} has {} samples but lane 0 has {}; lanes must share the time grid", i, one.n_samples, r.n_samples);
    }
    r.data.insert(r.data.end(), one.data.begin(), one.data.end());
    if (one.states) r.states.push_back(std::move(*one.states));
  }
  return r;
}

}  // namespace api
}  // namespace ranvier

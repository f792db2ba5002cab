#include "passes/pipeline.h"

#include "passes/derive_adjoint.h"
#include "passes/dhs_schedule.h"
#include "passes/dhs_wavefront.h"
#include "passes/fold_constants.h"
#include "passes/fuse_mechanisms.h"
#include "passes/linearize.h"
#include "passes/lower_synapses.h"

namespace ranvier::passes {

PipelineResult lower_to_kernel(const ir::Model& model, const PipelineOptions& options) {
  PipelineResult r;
  // The text is made only when asked for: printing a large network's IR costs more than
  // lowering it.
  auto keep = [&](const char* name, const auto& text) {
    if (options.keep_text) r.stages.emplace_back(name, text());
  };
  keep("model", [&] { return model.print(); });
  r.kernel = fuse_mechanisms(model);
  keep("fuse_mechanisms", [&] { return r.kernel.print(); });
  r.kernel.linearization = options.linearization;
  r.kernel = lower_synapses(model, std::move(r.kernel));  // before linearize: it adds the synaptic terms
  if (!model.synapses.empty()) keep("lower_synapses", [&] { return r.kernel.print(); });
  r.kernel = linearize(std::move(r.kernel), options.linearization);
  keep("linearize", [&] { return r.kernel.print(); });
  r.kernel = fold_constants(std::move(r.kernel));
  keep("fold_constants", [&] { return r.kernel.print(); });
  // What gradients compile (codegen/llvm/compiled_adjoint.h); not part of the forward kernel.
  keep("derive_adjoint", [&] { return derive_adjoint(r.kernel).print_adjoints(); });
  keep("dhs_schedule", [&] {
    const DhsSchedule s = dhs_schedule(model, model.allowed_nodes_per_level);
    return s.print() + "regrouped into wavefronts, as the CPU backend runs it (bit-identical):\n" + dhs_wavefront(s).print();
  });
  return r;
}

}  // namespace ranvier::passes

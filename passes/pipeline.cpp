#include "passes/pipeline.h"

#include <string>

#include "ir/error.h"

#include "passes/derive_adjoint.h"
#include "passes/dhs_schedule.h"
#include "passes/dhs_wavefront.h"
#include "passes/fold_constants.h"
#include "passes/fuse_mechanisms.h"
#include "passes/linearize.h"
#include "passes/lower_synapses.h"

namespace ranvier::passes {

const std::vector<std::string>& pipeline_stages() {
  static const std::vector<std::string> names = {"model",          "fuse_mechanisms", "lower_synapses", "linearize",
                                                 "fold_constants", "derive_adjoint",  "dhs_schedule"};
  return names;
}

ir::TreeSolveSchedule lower_tree_solve(const ir::Model& model) {
  ir::TreeSolveSchedule t;
  t.schedule = dhs_schedule(model, model.allowed_nodes_per_level);
  t.wavefronts = dhs_wavefront(t.schedule);
  return t;
}

Lowered lower(const ir::Model& model, const LowerOptions& options) {
  Lowered r;
  ir::Program& p = r.program;
  // The text is made only when asked for: printing a large network's IR costs more than
  // lowering it.
  auto keep = [&](const char* name, const auto& text) {
    if (options.keep_text) r.stages.emplace_back(name, text());
  };
  p.model = model;
  keep("model", [&] { return model.print(); });
  p.kernel = fuse_mechanisms(model);
  keep("fuse_mechanisms", [&] { return p.kernel.print(); });
  p.kernel.linearization = options.linearization;
  p.kernel = lower_synapses(model, std::move(p.kernel));  // before linearize: it adds the synaptic terms
  if (!model.synapses.empty()) keep("lower_synapses", [&] { return p.kernel.print(); });
  p.kernel = linearize(std::move(p.kernel), options.linearization);
  keep("linearize", [&] { return p.kernel.print(); });
  p.kernel = fold_constants(std::move(p.kernel));
  keep("fold_constants", [&] { return p.kernel.print(); });
  // The reverse step is part of the program only for gradients; its text is always shown.
  if (options.gradients) {
    p.kernel = derive_adjoint(std::move(p.kernel));
    keep("derive_adjoint", [&] { return p.kernel.print_adjoints(); });
  } else {
    keep("derive_adjoint", [&] {
      try {
        return derive_adjoint(p.kernel).print_adjoints();
      } catch (const NotSupported& e) {  // a model with v-writing channels still lowers and prints
        return std::string("(no adjoint: ") + e.what() + ")\n";
      }
    });
  }
  p.tree = lower_tree_solve(model);
  keep("dhs_schedule", [&] {
    return p.tree.schedule.print() + "regrouped into wavefronts, as the CPU backend runs it (bit-identical):\n" +
           p.tree.wavefronts.print();
  });
  return r;
}

}  // namespace ranvier::passes

#pragma once
// The map of the compiler: every pass from the model IR to the lowered program, in order
// (lower()), with the text of the IR after each stage for inspection, tests and RANVIER_DUMP.
// Backends compile what lower() returns; the runtime runs it; nothing else runs a pass.
//
//   model            the model IR as the frontend built it
//   fuse_mechanisms  one kernel body per compartment group (passes/fuse_mechanisms.h)
//   lower_synapses   networks: synapse kernels and their terms in the bodies
//   linearize        dI/dv and the membrane terms (Jaxley's finite difference or exact)
//   fold_constants   constant folding (what backends compile)
//   derive_adjoint   gradients: the reverse step of every body (passes/derive_adjoint.h)
//   dhs_schedule     the tree solve's levels and their CPU wavefronts
#include <string>
#include <utility>
#include <vector>

#include "ir/dhs_schedule.h"
#include "ir/kernel.h"
#include "ir/model.h"
#include "ir/program.h"

namespace ranvier::passes {

struct LowerOptions {
  ir::Linearization linearization = ir::Linearization::FiniteDifference;
  bool gradients = false;  // run derive_adjoint into the program's kernel
  bool keep_text = false;  // record the IR after every stage
};

struct Lowered {
  ir::Program program;
  std::vector<std::pair<std::string, std::string>> stages;  // (stage name, IR text after it), with keep_text
};

// The pipeline's stage names, in order (the backends' own stages follow them: see api/stages.h).
const std::vector<std::string>& pipeline_stages();

Lowered lower(const ir::Model& model, const LowerOptions& options);

// Only the tree solve's schedule (dhs_schedule and its wavefronts): what the reference
// interpreter needs of the pipeline, which evaluates the model IR itself.
ir::TreeSolveSchedule lower_tree_solve(const ir::Model& model);

}  // namespace ranvier::passes

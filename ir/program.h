#pragma once
// A lowered program: what passes::lower() makes of a model, and all that a backend compiles
// and the runtime runs. Every later stage reads it; nothing downstream recomputes any part.
#include "ir/dhs_schedule.h"
#include "ir/kernel.h"
#include "ir/model.h"

namespace ranvier::ir {

struct Program {
  Model model;             // the model IR (the interpreter evaluates it)
  KernelIR kernel;         // fused, linearised, folded group bodies (and their adjoints for gradients)
  TreeSolveSchedule tree;  // the tree solve's schedule and wavefronts
};

}  // namespace ranvier::ir

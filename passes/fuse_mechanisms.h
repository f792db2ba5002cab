#pragma once
// Fusion: groups compartments by their set of mechanisms and composes, per group, the state
// updates of all its mechanisms (in insertion order, later ones seeing earlier writes) and
// their currents evaluated with the updated states, into one body over the old states.
#include "ir/kernel.h"
#include "ir/model.h"

namespace ranvier::passes {

ir::KernelIR fuse_mechanisms(const ir::Model& model);

}  // namespace ranvier::passes

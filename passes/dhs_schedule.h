#pragma once
// The DHS schedule of the tree solve (Dendritic Hierarchical Scheduling, Zhang et al. 2023).
//
// Gaussian elimination of a tree-structured matrix eliminates a node once all its children
// are eliminated. Each level of the schedule eliminates up to `allowed_nodes_per_level`
// ready nodes at once, preferring the nodes with the deepest remaining subtrees (which is
// step-optimal). Back-substitution runs the levels in reverse. With
// allowed_nodes_per_level = 1 this is the sequential Hines sweep.
#include "ir/dhs_schedule.h"
#include "ir/model.h"

namespace ranvier::passes {

using ir::DhsSchedule;

DhsSchedule dhs_schedule(const ir::Model& model, int allowed_nodes_per_level);

}  // namespace ranvier::passes

#pragma once
// The tree-solve schedule (Dendritic Hierarchical Scheduling, Zhang et al. 2023), as the
// dhs_schedule pass makes it (passes/dhs_schedule.h) and every backend runs it.
//
// Gaussian elimination of a tree-structured matrix eliminates a node once all its children
// are eliminated. Each level eliminates up to `allowed_nodes_per_level` ready nodes at once;
// back-substitution runs the levels in reverse.
#include <string>
#include <utility>
#include <vector>

namespace ranvier::ir {

struct DhsSchedule {
  int root = 0;  // root of the first tree; a network (forest) has one root per cell (parent -1)
  int allowed_nodes_per_level = 1;
  std::vector<int> parent;  // per node: its parent in its cell's tree, -1 for a root
  // Elimination levels, first to last; each entry is (child, parent).
  std::vector<std::vector<std::pair<int, int>>> levels;
  // Index of the edge that carries A[child, parent] and A[parent, child], per node (-1 for root).
  std::vector<int> edge_to_parent;    // edge with sink = child, source = parent (the lower entry)
  std::vector<int> edge_from_parent;  // edge with sink = parent, source = child (the upper entry)

  std::string print() const;
};

// What the pipeline fixes of the tree solve: the schedule for the model's
// allowed_nodes_per_level (the GPU variant's pointer jumping runs its levels) and the same
// eliminations regrouped into wavefronts (bit-identical; what CPUs run).
struct TreeSolveSchedule {
  DhsSchedule schedule;
  DhsSchedule wavefronts;
};

}  // namespace ranvier::ir

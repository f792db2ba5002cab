#pragma once
// The DHS schedule of the tree solve (Dendritic Hierarchical Scheduling, Zhang et al. 2023).
//
// Gaussian elimination of a tree-structured matrix eliminates a node once all its children
// are eliminated. Each level of the schedule eliminates up to `allowed_nodes_per_level`
// ready nodes at once, preferring the nodes with the deepest remaining subtrees (which is
// step-optimal). Back-substitution runs the levels in reverse. With
// allowed_nodes_per_level = 1 this is the sequential Hines sweep.
#include <string>
#include <utility>
#include <vector>

#include "ir/model.h"

namespace ranvier::passes {

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

DhsSchedule dhs_schedule(const ir::Model& model, int allowed_nodes_per_level);

}  // namespace ranvier::passes

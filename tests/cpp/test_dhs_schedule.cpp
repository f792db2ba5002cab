// Properties of passes::dhs_schedule on random and hand-made trees: every non-root node is
// eliminated exactly once, into its tree parent, only after all its children; levels hold at
// most allowed_nodes_per_level nodes; k = 1 is the sequential Hines order (n - 1 levels);
// unbounded k needs exactly as many levels as the tree is high; and the printed schedule of
// a small cell equals a golden string derived by hand.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "frontend/module.h"
#include "ir/error.h"
#include "passes/dhs_schedule.h"
#include "random_model.h"

namespace ranvier {
namespace {

// Undirected adjacency of the node tree, from the IR's directed edges.
std::vector<std::set<int>> adjacency(const ir::Model& model) {
  std::vector<std::set<int>> adj(model.n_nodes());
  for (const auto& e : model.edges) {
    adj[e.sink].insert(e.source);
    adj[e.source].insert(e.sink);
  }
  return adj;
}

// Height of the tree rooted at node 0 (in edges), by an independent DFS.
int tree_height(const ir::Model& model) {
  auto adj = adjacency(model);
  int height = 0;
  std::vector<std::pair<int, int>> stack = {{0, 0}};
  std::vector<char> seen(model.n_nodes(), 0);
  seen[0] = 1;
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    height = std::max(height, depth);
    for (int m : adj[node])
      if (!seen[m]) seen[m] = 1, stack.push_back({m, depth + 1});
  }
  return height;
}

// Checks every structural property of a schedule.
void check_schedule(const ir::Model& model, int k, const ir::DhsSchedule& s) {
  const int n = model.n_nodes();
  const auto adj = adjacency(model);
  ASSERT_EQ(s.root, 0);
  ASSERT_EQ(s.allowed_nodes_per_level, k);
  ASSERT_EQ(static_cast<int>(s.parent.size()), n);
  ASSERT_EQ(s.parent[s.root], -1);

  // Parents form a tree rooted at 0 along the model's edges.
  for (int v = 0; v < n; ++v) {
    if (v == s.root) continue;
    ASSERT_GE(s.parent[v], 0) << "node " << v << " has no parent";
    ASSERT_TRUE(adj[v].count(s.parent[v])) << "parent of " << v << " is " << s.parent[v] << ", not a neighbour";
    int x = v, steps = 0;
    while (x != s.root && steps <= n) x = s.parent[x], ++steps;
    ASSERT_EQ(x, s.root) << "node " << v << " does not reach the root";
  }
  // Every edge of the tree connects a node to its parent (the tree has n - 1 undirected edges).
  std::size_t undirected = 0;
  for (int v = 0; v < n; ++v) undirected += adj[v].size();
  ASSERT_EQ(undirected, 2u * static_cast<std::size_t>(n - 1));

  // Each non-root node is eliminated exactly once, into its parent.
  std::vector<int> level_of(n, -1), times(n, 0);
  for (std::size_t l = 0; l < s.levels.size(); ++l) {
    EXPECT_FALSE(s.levels[l].empty()) << "level " << l << " is empty";
    EXPECT_LE(static_cast<int>(s.levels[l].size()), k) << "level " << l << " is wider than allowed_nodes_per_level";
    for (auto [c, p] : s.levels[l]) {
      ASSERT_GE(c, 0);
      ASSERT_LT(c, n);
      EXPECT_EQ(p, s.parent[c]) << "level " << l << " eliminates " << c << " into " << p;
      ++times[c];
      level_of[c] = static_cast<int>(l);
    }
  }
  for (int v = 0; v < n; ++v) EXPECT_EQ(times[v], v == s.root ? 0 : 1) << "node " << v << " eliminated " << times[v] << " times";

  // A node is eliminated strictly after all its children.
  for (int v = 0; v < n; ++v)
    if (v != s.root) {
      int p = s.parent[v];
      if (p != s.root) {
        EXPECT_LT(level_of[v], level_of[p]) << "child " << v << " is not eliminated before its parent " << p;
      }
    }

  // Edge indices of the lower (A[c][p]) and upper (A[p][c]) entries.
  for (int v = 0; v < n; ++v) {
    if (v == s.root) {
      EXPECT_EQ(s.edge_to_parent[v], -1);
      EXPECT_EQ(s.edge_from_parent[v], -1);
      continue;
    }
    ASSERT_GE(s.edge_to_parent[v], 0);
    ASSERT_GE(s.edge_from_parent[v], 0);
    const auto& lower = model.edges[s.edge_to_parent[v]];
    const auto& upper = model.edges[s.edge_from_parent[v]];
    EXPECT_EQ(lower.sink, v);
    EXPECT_EQ(lower.source, s.parent[v]);
    EXPECT_EQ(upper.sink, s.parent[v]);
    EXPECT_EQ(upper.source, v);
  }

  // Level counts: never fewer than the height or than ceil((n - 1) / k).
  const int levels = static_cast<int>(s.levels.size());
  EXPECT_GE(levels, tree_height(model));
  EXPECT_GE(levels, (n - 1 + k - 1) / k);
  if (k == 1) {
    EXPECT_EQ(levels, n - 1);
  }
  if (k >= n) {
    EXPECT_EQ(levels, tree_height(model)) << "unbounded width must need exactly height levels";
  }
}

TEST(DhsSchedule, PropertiesOnRandomTrees) {
  for (int seed = 0; seed < 150; ++seed) {
    auto m = test::random_model(static_cast<std::uint64_t>(seed));
    SCOPED_TRACE(m.description);
    const ir::Model model = m.cell->lower();
    for (int k : {1, 2, 3, 4, 8, 32, 1000}) {
      SCOPED_TRACE("allowed_nodes_per_level " + std::to_string(k));
      auto s = passes::dhs_schedule(model, k);
      check_schedule(model, k, s);
      // Deterministic: the same input gives the same schedule.
      EXPECT_EQ(passes::dhs_schedule(model, k).print(), s.print());
    }
    if (HasFailure()) break;
  }
}

// parents for a full binary tree of branches with `depth` levels below the root branch.
std::vector<int> binary_parents(int depth) {
  std::vector<int> parents = {-1};
  for (int b = 1; b < (1 << (depth + 1)) - 1; ++b) parents.push_back((b - 1) / 2);
  return parents;
}

TEST(DhsSchedule, FullBinaryTreeNeedsHeightLevels) {
  for (int depth : {0, 1, 2, 3, 4, 5}) {
    for (int ncomp : {1, 2, 3}) {
      Cell cell(Branch(Compartment(), ncomp), binary_parents(depth));
      ir::Model model = cell.lower();
      // Root branch: ncomp - 1 edges; each level below adds a branchpoint and ncomp comps.
      const int height = (ncomp - 1) + depth * (1 + ncomp);
      ASSERT_EQ(tree_height(model), height);
      SCOPED_TRACE("depth " + std::to_string(depth) + ", ncomp " + std::to_string(ncomp));
      auto wide = passes::dhs_schedule(model, 1 << 20);
      check_schedule(model, 1 << 20, wide);
      EXPECT_EQ(static_cast<int>(wide.levels.size()), height);
      // With width equal to the number of leaves, the first level eliminates all leaves.
      auto leaves = passes::dhs_schedule(model, 1 << depth);
      check_schedule(model, 1 << depth, leaves);
      EXPECT_EQ(static_cast<int>(leaves.levels.size()), height);
      auto hines = passes::dhs_schedule(model, 1);
      check_schedule(model, 1, hines);
      EXPECT_EQ(static_cast<int>(hines.levels.size()), model.n_nodes() - 1);
    }
  }
}

TEST(DhsSchedule, SingleCompartmentHasNoLevels) {
  Compartment comp;
  comp.record();
  auto s = passes::dhs_schedule(comp.lower(), 1);
  EXPECT_TRUE(s.levels.empty());
  EXPECT_EQ(s.print(), "dhs schedule: root 0, 0 levels, allowed_nodes_per_level 1\n");
}

TEST(DhsSchedule, RejectsNonPositiveWidth) {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  const ir::Model model = cell.lower();
  EXPECT_THROW(passes::dhs_schedule(model, 0), Error);
  EXPECT_THROW(passes::dhs_schedule(model, -3), Error);
}

// Golden schedules of Cell(Branch(Compartment(), 2), parents {-1, 0, 0}), derived by hand:
//   compartments: branch 0 = {0, 1}, branch 1 = {2, 3}, branch 2 = {4, 5}; one branchpoint
//   node 6 at the distal end of branch 0 (SEMANTICS §2.3). Tree rooted at comp 0:
//     0 - 1 - 6 - 2 - 3
//                 \- 4 - 5
//   Subtree heights: 3, 5: 0; 2, 4: 1; 6: 2; 1: 3; 0: 4 (the tree height).
//   Ready nodes are taken deepest subtree first, then lowest index; a parent becomes ready
//   after its last child's level.
//   k = 1: 3 (ready {3,5}) -> then 2 (h1) beats 5 (h0) -> 5 -> 4 -> 6 -> 1: n - 1 = 6 levels.
//   k = 2: {3,5} -> {2,4} -> {6} -> {1}: 4 levels = the height.
TEST(DhsSchedule, GoldenThreeBranchCell) {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  const ir::Model model = cell.lower();
  ASSERT_EQ(model.n_comp, 6);
  ASSERT_EQ(model.n_bp, 1);
  EXPECT_EQ(passes::dhs_schedule(model, 1).print(),
            "dhs schedule: root 0, 6 levels, allowed_nodes_per_level 1\n"
            "  level 0: 3->2\n"
            "  level 1: 2->6\n"
            "  level 2: 5->4\n"
            "  level 3: 4->6\n"
            "  level 4: 6->1\n"
            "  level 5: 1->0\n");
  EXPECT_EQ(passes::dhs_schedule(model, 2).print(),
            "dhs schedule: root 0, 4 levels, allowed_nodes_per_level 2\n"
            "  level 0: 3->2 5->4\n"
            "  level 1: 2->6 4->6\n"
            "  level 2: 6->1\n"
            "  level 3: 1->0\n");
  // Wider than any level: the same as k = 2 except for the header.
  EXPECT_EQ(passes::dhs_schedule(model, 32).print(),
            "dhs schedule: root 0, 4 levels, allowed_nodes_per_level 32\n"
            "  level 0: 3->2 5->4\n"
            "  level 1: 2->6 4->6\n"
            "  level 2: 6->1\n"
            "  level 3: 1->0\n");
}

// A star: branch 0 with one compartment and four one-compartment children. Nodes: comps
// 0..4, branchpoint 5. Tree 0 - 5 - {1, 2, 3, 4}. With k = 3 the four leaves need two
// levels (the lowest indices first), then the branchpoint.
TEST(DhsSchedule, GoldenStarRespectsWidth) {
  Cell cell(Branch(Compartment(), 1), {-1, 0, 0, 0, 0});
  const ir::Model model = cell.lower();
  ASSERT_EQ(model.n_nodes(), 6);
  EXPECT_EQ(passes::dhs_schedule(model, 3).print(),
            "dhs schedule: root 0, 3 levels, allowed_nodes_per_level 3\n"
            "  level 0: 1->5 2->5 3->5\n"
            "  level 1: 4->5\n"
            "  level 2: 5->0\n");
}

}  // namespace
}  // namespace ranvier

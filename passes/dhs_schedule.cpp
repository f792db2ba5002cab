#include "passes/dhs_schedule.h"

#include <algorithm>
#include <queue>

#include "ir/error.h"

namespace ranvier::passes {

DhsSchedule dhs_schedule(const ir::Model& model, int allowed_nodes_per_level) {
  if (allowed_nodes_per_level < 1) fail("allowed_nodes_per_level must be at least 1, got {}", allowed_nodes_per_level);
  const int n = model.n_nodes();
  DhsSchedule s;
  s.allowed_nodes_per_level = allowed_nodes_per_level;
  s.parent.assign(n, -1);
  s.edge_to_parent.assign(n, -1);
  s.edge_from_parent.assign(n, -1);

  // Undirected adjacency (edges come in both directions) and a BFS from the root for parents.
  std::vector<std::vector<int>> adj(n);
  for (const auto& e : model.edges) adj[e.sink].push_back(e.source);
  for (auto& a : adj) {
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
  }
  // A network is a forest: every node not reached from an earlier root starts a new tree at
  // the lowest unreached index, which is comp 0 of the next cell (compartments are numbered
  // cell after cell and precede all branchpoints). Roots are never eliminated.
  std::vector<int> bfs;
  std::vector<char> seen(n, 0);
  for (int root = 0; root < n; ++root) {
    if (seen[root]) continue;
    RANVIER_ASSERT(root < model.n_comp && "a branchpoint is not connected to any compartment");
    std::size_t start = bfs.size();
    bfs.push_back(root);
    seen[root] = 1;
    for (std::size_t i = start; i < bfs.size(); ++i)
      for (int m : adj[bfs[i]])
        if (!seen[m]) seen[m] = 1, s.parent[m] = bfs[i], bfs.push_back(m);
  }
  RANVIER_ASSERT(static_cast<int>(bfs.size()) == n);
  for (std::size_t e = 0; e < model.edges.size(); ++e) {
    const auto& edge = model.edges[e];
    if (s.parent[edge.sink] == edge.source) s.edge_to_parent[edge.sink] = static_cast<int>(e);
    if (s.parent[edge.source] == edge.sink) s.edge_from_parent[edge.source] = static_cast<int>(e);
  }

  // Height of every subtree (leaves 0), computed in reverse BFS order.
  std::vector<int> height(n, 0), pending(n, 0);
  for (auto it = bfs.rbegin(); it != bfs.rend(); ++it)
    if (s.parent[*it] >= 0) {
      height[s.parent[*it]] = std::max(height[s.parent[*it]], height[*it] + 1);
      ++pending[s.parent[*it]];
    }

  // Ready nodes ordered by (height desc, index asc).
  auto cmp = [&](int a, int b) { return height[a] != height[b] ? height[a] < height[b] : a > b; };
  std::priority_queue<int, std::vector<int>, decltype(cmp)> ready(cmp);
  for (int v = 0; v < n; ++v)
    if (s.parent[v] >= 0 && pending[v] == 0) ready.push(v);
  while (!ready.empty()) {
    std::vector<std::pair<int, int>> level;
    while (!ready.empty() && static_cast<int>(level.size()) < allowed_nodes_per_level) {
      int v = ready.top();
      ready.pop();
      level.emplace_back(v, s.parent[v]);
    }
    // Parents become ready only after the whole level is eliminated.
    for (auto [c, p] : level)
      if (--pending[p] == 0 && s.parent[p] >= 0) ready.push(p);
    std::sort(level.begin(), level.end());
    s.levels.push_back(std::move(level));
  }
  return s;
}

}  // namespace ranvier::passes

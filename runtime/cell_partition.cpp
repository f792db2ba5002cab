#include "runtime/cell_partition.h"

#include <cstdlib>
#include <numeric>

namespace ranvier::runtime {
namespace {

std::vector<CellPart> one_part(const ir::Model& model, int n_elim) {
  CellPart all;
  all.comp_end = model.n_comp;
  all.nodes.resize(static_cast<std::size_t>(model.n_nodes()));
  std::iota(all.nodes.begin(), all.nodes.end(), 0);
  all.elimination.resize(static_cast<std::size_t>(n_elim));
  std::iota(all.elimination.begin(), all.elimination.end(), 0);
  return {all};
}

}  // namespace

std::vector<CellPart> partition_cells(const ir::Model& model, const passes::DhsSchedule& schedule, int parts) {
  std::vector<std::pair<int, int>> pairs;  // (child, parent) in schedule order
  for (const auto& level : schedule.levels)
    for (auto [c, p] : level) pairs.emplace_back(c, p);
  const int n_elim = static_cast<int>(pairs.size());
  // First compartment of every cell: branches are compartment-contiguous, a root starts a cell.
  std::vector<int> cell_start;
  int comp = 0;
  for (std::size_t b = 0; b < model.parents.size(); ++b) {
    if (model.parents[b] < 0) cell_start.push_back(comp);
    comp += model.ncomp_per_branch[b];
  }
  if (parts < 2 || cell_start.size() < 2 || comp != model.n_comp) return one_part(model, n_elim);
  parts = std::min<int>(parts, static_cast<int>(cell_start.size()));
  // Cut at the cell start nearest to each equal share of compartments.
  std::vector<int> cuts{0};
  for (int t = 1; t < parts; ++t) {
    const long target = static_cast<long>(model.n_comp) * t / parts;
    int best = cuts.back();
    for (int s : cell_start)
      if (s > cuts.back() && (best == cuts.back() || std::labs(s - target) < std::labs(best - target))) best = s;
    if (best > cuts.back()) cuts.push_back(best);
  }
  cuts.push_back(model.n_comp);
  const int n_parts = static_cast<int>(cuts.size()) - 1;
  if (n_parts < 2) return one_part(model, n_elim);
  std::vector<int> owner(static_cast<std::size_t>(model.n_nodes()), -1);
  for (int t = 0; t < n_parts; ++t)
    for (int c = cuts[t]; c < cuts[t + 1]; ++c) owner[c] = t;
  for (const auto& e : model.edges) {  // a branchpoint belongs to the part of its compartments
    if (owner[e.source] < 0) owner[e.source] = owner[e.sink];
    if (owner[e.sink] < 0) owner[e.sink] = owner[e.source];
  }
  for (const auto& e : model.edges)
    if (owner[e.source] < 0 || owner[e.source] != owner[e.sink]) return one_part(model, n_elim);
  for (int o : owner)
    if (o < 0) return one_part(model, n_elim);
  std::vector<CellPart> out(static_cast<std::size_t>(n_parts));
  for (int t = 0; t < n_parts; ++t) out[t].comp_begin = cuts[t], out[t].comp_end = cuts[t + 1];
  for (int i = 0; i < model.n_nodes(); ++i) out[owner[i]].nodes.push_back(i);
  for (int k = 0; k < n_elim; ++k) {
    const auto [c, p] = pairs[k];
    if (owner[c] != owner[p]) return one_part(model, n_elim);
    out[owner[c]].elimination.push_back(k);
  }
  return out;
}

}  // namespace ranvier::runtime

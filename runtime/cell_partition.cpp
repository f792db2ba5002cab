#include "runtime/cell_partition.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace ranvier::runtime {
namespace {

// Elimination pairs (child, parent) in schedule order.
std::vector<std::pair<int, int>> flat_pairs(const ir::DhsSchedule& schedule) {
  std::vector<std::pair<int, int>> pairs;
  for (const auto& level : schedule.levels)
    for (auto [c, p] : level) pairs.emplace_back(c, p);
  return pairs;
}

CellPart whole_model(const ir::Model& model, int n_elim) {
  CellPart all;
  all.comp_end = model.n_comp;
  all.nodes.resize(static_cast<std::size_t>(model.n_nodes()));
  std::iota(all.nodes.begin(), all.nodes.end(), 0);
  all.elimination.resize(static_cast<std::size_t>(n_elim));
  std::iota(all.elimination.begin(), all.elimination.end(), 0);
  return all;
}

// First compartment of every cell (branches are compartment-contiguous, a root starts a
// cell); empty when the model's branches do not cover its compartments.
std::vector<int> cell_starts(const ir::Model& model) {
  std::vector<int> starts;
  int comp = 0;
  for (std::size_t b = 0; b < model.parents.size(); ++b) {
    if (model.parents[b] < 0) starts.push_back(comp);
    comp += model.ncomp_per_branch[b];
  }
  if (comp != model.n_comp) starts.clear();
  return starts;
}

// Cuts (ascending, from 0 to n_comp) at the cell start nearest to each equal share.
std::vector<int> share_cuts(const ir::Model& model, const std::vector<int>& starts, int parts) {
  parts = std::min<int>(parts, static_cast<int>(starts.size()));
  std::vector<int> cuts{0};
  for (int t = 1; t < parts; ++t) {
    const long target = static_cast<long>(model.n_comp) * t / parts;
    int best = cuts.back();
    for (int s : starts)
      if (s > cuts.back() && (best == cuts.back() || std::labs(s - target) < std::labs(best - target))) best = s;
    if (best > cuts.back()) cuts.push_back(best);
  }
  cuts.push_back(model.n_comp);
  return cuts;
}

// The compartment ranges between consecutive cuts, with their branchpoints and elimination
// pairs; empty when an edge or a pair would cross two ranges.
std::vector<CellPart> parts_at(const ir::Model& model, const std::vector<std::pair<int, int>>& pairs,
                               const std::vector<int>& cuts) {
  const int n_parts = static_cast<int>(cuts.size()) - 1;
  std::vector<int> owner(static_cast<std::size_t>(model.n_nodes()), -1);
  for (int t = 0; t < n_parts; ++t)
    for (int c = cuts[t]; c < cuts[t + 1]; ++c) owner[c] = t;
  for (const auto& e : model.edges) {  // a branchpoint belongs to the part of its compartments
    if (owner[e.source] < 0) owner[e.source] = owner[e.sink];
    if (owner[e.sink] < 0) owner[e.sink] = owner[e.source];
  }
  for (const auto& e : model.edges)
    if (owner[e.source] < 0 || owner[e.source] != owner[e.sink]) return {};
  for (int o : owner)
    if (o < 0) return {};
  std::vector<CellPart> out(static_cast<std::size_t>(n_parts));
  for (int t = 0; t < n_parts; ++t) out[t].comp_begin = cuts[t], out[t].comp_end = cuts[t + 1];
  for (int i = 0; i < model.n_nodes(); ++i) out[owner[i]].nodes.push_back(i);
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const auto [c, p] = pairs[k];
    if (owner[c] != owner[p]) return {};
    out[owner[c]].elimination.push_back(static_cast<int>(k));
  }
  return out;
}

}  // namespace

std::vector<CellPart> partition_cells(const ir::Model& model, const ir::DhsSchedule& schedule, int parts) {
  const auto pairs = flat_pairs(schedule);
  const std::vector<int> starts = cell_starts(model);
  if (parts < 2 || starts.size() < 2) return {whole_model(model, static_cast<int>(pairs.size()))};
  const std::vector<int> cuts = share_cuts(model, starts, parts);
  std::vector<CellPart> out = cuts.size() > 2 ? parts_at(model, pairs, cuts) : std::vector<CellPart>{};
  if (out.empty()) return {whole_model(model, static_cast<int>(pairs.size()))};
  return out;
}

std::vector<std::vector<CellPart>> partition_cell_blocks(const ir::Model& model, const ir::DhsSchedule& schedule,
                                                         int parts, int block_comps) {
  const auto pairs = flat_pairs(schedule);
  const std::vector<int> starts = cell_starts(model);
  auto whole = [&] { return std::vector<std::vector<CellPart>>{{whole_model(model, static_cast<int>(pairs.size()))}}; };
  if (starts.size() < 2) return whole();
  const std::vector<int> part_cuts = share_cuts(model, starts, std::max(parts, 1));
  // Within each part, cut at the first cell start at least block_comps past the last cut.
  std::vector<int> cuts{0};
  for (std::size_t t = 0; t + 1 < part_cuts.size(); ++t) {
    for (int s : starts)
      if (s > part_cuts[t] && s < part_cuts[t + 1] && s - cuts.back() >= block_comps) cuts.push_back(s);
    cuts.push_back(part_cuts[t + 1]);
  }
  std::vector<CellPart> blocks = parts_at(model, pairs, cuts);
  if (blocks.empty()) return whole();
  std::vector<std::vector<CellPart>> out(part_cuts.size() - 1);
  std::size_t t = 0;
  for (auto& block : blocks) {
    while (block.comp_begin >= part_cuts[t + 1]) ++t;
    out[t].push_back(std::move(block));
  }
  return out;
}

}  // namespace ranvier::runtime

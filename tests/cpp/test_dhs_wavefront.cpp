// passes::dhs_wavefront regroups a schedule without changing any arithmetic: on random trees
// and every width, it holds the same (child, parent) eliminations; each child is eliminated
// only after every update into it; the updates into each parent keep their original order
// (what makes the solve bit-identical); no level updates one parent twice; and on a full
// binary tree the sequential Hines order (width 1) shrinks to a third or less.
#include <map>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "frontend/module.h"
#include "passes/dhs_schedule.h"
#include "passes/dhs_wavefront.h"
#include "random_model.h"

namespace ranvier {
namespace {

using Pair = std::pair<int, int>;

std::vector<Pair> flatten(const ir::DhsSchedule& s) {
  std::vector<Pair> out;
  for (const auto& level : s.levels)
    for (const auto& e : level) out.push_back(e);
  return out;
}

// Children of each parent in the order their updates reach it.
std::map<int, std::vector<int>> updates_by_parent(const std::vector<Pair>& order) {
  std::map<int, std::vector<int>> out;
  for (auto [c, p] : order) out[p].push_back(c);
  return out;
}

void check_wavefront(const ir::DhsSchedule& original, const ir::DhsSchedule& w) {
  const std::vector<Pair> before = flatten(original), after = flatten(w);
  ASSERT_EQ(std::multiset<Pair>(before.begin(), before.end()), std::multiset<Pair>(after.begin(), after.end()));
  EXPECT_EQ(updates_by_parent(before), updates_by_parent(after));
  std::set<int> eliminated;
  std::map<int, int> last_update_level;  // parent -> level of its latest update
  for (std::size_t l = 0; l < w.levels.size(); ++l) {
    EXPECT_FALSE(w.levels[l].empty()) << "level " << l;
    std::set<int> parents_here;
    for (auto [c, p] : w.levels[l]) {
      EXPECT_TRUE(parents_here.insert(p).second) << "level " << l << " updates " << p << " twice";
      if (last_update_level.count(c)) {
        EXPECT_LT(last_update_level[c], static_cast<int>(l)) << "child " << c << " read before its last update";
      }
      EXPECT_FALSE(eliminated.count(p)) << "parent " << p << " updated after its own elimination";
      eliminated.insert(c);
    }
    for (auto [c, p] : w.levels[l]) last_update_level[p] = static_cast<int>(l);
  }
  EXPECT_EQ(w.parent, original.parent);
  EXPECT_EQ(w.edge_to_parent, original.edge_to_parent);
  EXPECT_EQ(w.edge_from_parent, original.edge_from_parent);
}

TEST(DhsWavefront, KeepsEveryUpdateOrderOnRandomTrees) {
  for (int seed = 0; seed < 150; ++seed) {
    auto m = test::random_model(static_cast<std::uint64_t>(seed));
    SCOPED_TRACE(m.description);
    const ir::Model model = m.cell->lower();
    for (int k : {1, 2, 4, 32}) {
      SCOPED_TRACE("allowed_nodes_per_level " + std::to_string(k));
      const auto s = passes::dhs_schedule(model, k);
      const auto w = passes::dhs_wavefront(s);
      check_wavefront(s, w);
      // Sequential schedules only get shorter; a wide level that updates one parent from
      // several children is split, so wide schedules may get longer.
      if (k == 1) {
        EXPECT_LE(w.levels.size(), s.levels.size());
      }
    }
    if (HasFailure()) break;
  }
}

TEST(DhsWavefront, SequentialBinaryTreeShrinks) {
  // 15 branches of 4 compartments: 60 compartments + 7 branchpoints; from the root
  // compartment, the deepest leaf is 3 branches x (4 compartments + 1 branchpoint) + 3 away.
  std::vector<int> parents = {-1};
  for (int b = 1; b < 15; ++b) parents.push_back((b - 1) / 2);
  Cell cell(Branch(Compartment(), 4), parents);
  const ir::Model model = cell.lower();
  const auto s = passes::dhs_schedule(model, 1);
  ASSERT_EQ(static_cast<int>(s.levels.size()), model.n_nodes() - 1);
  const auto w = passes::dhs_wavefront(s);
  check_wavefront(s, w);
  // Sibling branches still reach their shared branchpoint one after the other, so the
  // wavefronts are the tree's height plus those waits: a fraction of the 66 sequential levels.
  EXPECT_LT(w.levels.size() * 3, s.levels.size());
}

}  // namespace
}  // namespace ranvier

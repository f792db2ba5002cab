// Views follow Jaxley 0.14's indexing rules (jaxley/modules/base.py: `_at_nodes`,
// `_update_local_indices`, `loc`, `select`, `scope`). The expected compartments below are
// worked out by hand from those rules on a two-cell network:
//   cell 0: branches 0 (comps 0-1) and 1 (comps 2-4), parents {-1, 0}
//   cell 1: branches 2 (comp 5), 3 (comps 6-7) and 4 (comps 8-9), parents {-1, 0, 0}
// The Python test tests/python/test_views_vs_jaxley.py compares random chains with real Jaxley.
#include <gtest/gtest.h>

#include <vector>

#include "frontend/module.h"
#include "frontend/network.h"
#include "ir/error.h"

namespace ranvier {
namespace {

Network two_cells() {
  Cell a(std::vector<Branch>{Branch(Compartment(), 2), Branch(Compartment(), 3)}, {-1, 0});
  Cell b(std::vector<Branch>{Branch(Compartment(), 1), Branch(Compartment(), 2), Branch(Compartment(), 2)}, {-1, 0, 0});
  return Network({a, b});
}

using V = std::vector<int>;

TEST(Views, NetworkBranchIsLocalToEveryCell) {
  Network net = two_cells();
  EXPECT_EQ(net.branch(1).comps(), (V{2, 3, 4, 6, 7}));
  EXPECT_EQ(net.branch(V{0, 2}).comps(), (V{0, 1, 5, 8, 9}));  // branch 0 of both cells; only cell 1 has a branch 2
  EXPECT_EQ(net.comp(1).comps(), (V{1, 3, 7, 9}));
  EXPECT_EQ(net.cell(1).branch(0).comp(0).comps(), (V{5}));
  EXPECT_EQ(net.cell("all").branch(2).comps(), (V{8, 9}));
}

TEST(Views, LocalIndicesAreRanksWithinTheView) {
  Network net = two_cells();
  // After comp(1) every branch has one compartment in view: its local index is 0.
  EXPECT_EQ(net.branch(1).comp(1).comp(0).comps(), (V{3, 7}));
  // Within cell 1's branches 3 and 4, branch 4 is local branch 1.
  EXPECT_EQ(net.cell(1).branch(V{1, 2}).branch(1).comps(), (V{8, 9}));
  IndexColumns t = net.cell(1).branch(V{1, 2}).index_columns();
  EXPECT_EQ(t.global_cell, (V{1, 1, 1, 1}));
  EXPECT_EQ(t.local_cell, (V{0, 0, 0, 0}));
  EXPECT_EQ(t.global_branch, (V{3, 3, 4, 4}));
  EXPECT_EQ(t.local_branch, (V{0, 0, 1, 1}));
  EXPECT_EQ(t.local_comp, (V{0, 1, 0, 1}));
  EXPECT_EQ(t.controlled_by_param, (V{3, 3, 4, 4}));
  IndexColumns all = net.view().index_columns();
  EXPECT_EQ(all.global_cell, (V{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(all.local_branch, (V{0, 0, 1, 1, 1, 0, 1, 1, 2, 2}));
}

TEST(Views, GlobalScopeAndLoc) {
  Network net = two_cells();
  EXPECT_EQ(net.scope(Scope::Global).branch(3).comps(), (V{6, 7}));
  EXPECT_EQ(net.scope(Scope::Global).comp(V{4, 5}).comps(), (V{4, 5}));
  EXPECT_EQ(net.loc(1.0).comps(), (V{1, 4, 5, 7, 9}));
  EXPECT_EQ(net.loc(0.0).comps(), (V{0, 2, 5, 6, 8}));
  EXPECT_EQ(net.cell(0).branch(1).loc(0.5).comps(), (V{3}));
  EXPECT_EQ(net.cell(0).branch(1).loc(std::vector<double>{0.0, 0.9}).comps(), (V{2, 4}));
  EXPECT_EQ(net.cell(0).loc_all().comps(), (V{0, 1, 2, 3, 4}));
  net.set_scope(Scope::Global);
  EXPECT_EQ(net.branch(3).comps(), (V{6, 7}));
}

TEST(Views, SelectKeepsOrderAndMakesOneParameterPerRow) {
  Network net = two_cells();
  View v = net.select({7, 2});
  EXPECT_EQ(v.comps(), (V{7, 2}));
  IndexColumns t = v.index_columns();
  EXPECT_EQ(t.local_cell, (V{1, 0}));
  EXPECT_EQ(t.controlled_by_param, (V{0, 1}));
  v.make_trainable("radius");
  net.branch(1).make_trainable("length");  // one per selected branch: global branches 1 and 3
  ASSERT_EQ(net.trainables().size(), 2u);
  EXPECT_EQ(net.trainables()[0].groups, (std::vector<V>{{7}, {2}}));
  EXPECT_EQ(net.trainables()[1].groups, (std::vector<V>{{2, 3, 4}, {6, 7}}));
  EXPECT_THROW(net.select({7, 7}), Error);
  EXPECT_THROW(net.cell(0).select({7}), Error);
}

TEST(Views, MissingIndicesAreErrors) {
  Network net = two_cells();
  EXPECT_THROW(net.branch(3), Error);  // no cell has 4 branches
  EXPECT_THROW(net.branch(V{0, 5}), Error);
  EXPECT_THROW(net.cell(0).branch(0).comp(0).loc(0.9), Error);  // the loc compartment is not in view
}

}  // namespace
}  // namespace ranvier

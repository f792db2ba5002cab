// Groups, explicit parameter sharing and the global edge order (frontend/sharing.cpp,
// Module::edge_order): what the Python tables (python/ranvier/modules/tables.py, sharing.py)
// hand to C++. Their agreement with Jaxley 0.14 is tested in tests/python/test_groups_edges.py.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/module.h"
#include "frontend/network.h"
#include "frontend/synapses/builtin.h"
#include "ir/error.h"

namespace ranvier {
namespace {

Network two_cells() {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  return Network({cell, cell});  // 8 compartments
}

TEST(Sharing, AddToGroupMergesAndValidates) {
  Network net = two_cells();
  net.add_to_group("exc", {5, 1});
  net.add_to_group("exc", {1, 7});
  EXPECT_EQ(net.group_comps("exc"), (std::vector<int>{1, 5, 7}));
  EXPECT_EQ(net.group("exc").comps(), (std::vector<int>{1, 5, 7}));
  EXPECT_THROW(net.add_to_group("bad", {8}), Error);
  EXPECT_THROW(net.add_to_group("radius", {0}), Error);
  EXPECT_THROW(net.add_to_group("", {0}), Error);
  net.insert(channels::HH());
  EXPECT_THROW(net.add_to_group("HH", {0}), Error);
}

TEST(Sharing, AddTrainableOfNodesAndSynapses) {
  Network net = two_cells();
  net.cell(1).insert(channels::HH());
  connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(0).comp(0), synapses::IonotropicSynapse());
  connect(net.cell(1).branch(1).comp(1), net.cell(0).branch(0).comp(0), synapses::TanhRateSynapse());
  connect(net.cell(1).branch(0).comp(1), net.cell(0).branch(1).comp(0), synapses::IonotropicSynapse());
  // Global order of creation across types: (type group, index within type).
  EXPECT_EQ(net.edge_order(), (std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {0, 1}}));

  net.add_trainable("HH_gNa", {{4, 6}, {5}}, {0.1, 0.2});
  net.add_trainable("IonotropicSynapse_gS", {{0, 1}}, {1e-3});
  ASSERT_EQ(net.trainables().size(), 2u);
  EXPECT_EQ(net.trainables()[0].groups, (std::vector<std::vector<int>>{{4, 6}, {5}}));
  EXPECT_EQ(net.trainables()[1].init, (std::vector<double>{1e-3}));

  EXPECT_THROW(net.add_trainable("HH_gNa", {{0}}, {0.1}), Error);              // no HH in cell 0
  EXPECT_THROW(net.add_trainable("IonotropicSynapse_gS", {{2}}, {0.1}), Error);  // 2 synapses of the type
  EXPECT_THROW(net.add_trainable("HH_gNa", {{4, 4}}, {0.1}), Error);           // repeated index
  EXPECT_THROW(net.add_trainable("HH_gNa", {{4}}, {0.1, 0.2}), Error);         // one init per group
  EXPECT_THROW(net.add_trainable("HH_gNa", {{}}, {0.1}), Error);
  EXPECT_THROW(net.add_trainable("nope", {{0}}, {0.1}), KeyError);
  EXPECT_EQ(net.trainables().size(), 2u);
}

TEST(Sharing, ConnectSortsTheCellsOfAnUnsortedSelection) {
  Network net = two_cells();
  // select() keeps the given order; fully_connect counts each cell once (np.unique).
  fully_connect(net.select({5, 1, 4}), net.select({6, 2}), synapses::IonotropicSynapse(), {});
  const auto& g = net.synapse_groups().at(0);
  EXPECT_EQ(g.pre, (std::vector<int>{0, 0, 4, 4}));
  EXPECT_EQ(g.post, (std::vector<int>{2, 6, 2, 6}));
}

}  // namespace
}  // namespace ranvier

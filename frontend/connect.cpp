#include "frontend/connect.h"

#include <algorithm>
#include <random>

#include "ir/error.h"

namespace ranvier {
namespace {

Network& network_of(const View& pre, const View& post, const char* what) {
  if (&pre.module() != &post.module())
    fail("{}: the presynaptic and postsynaptic views must belong to the same network", what);
  auto* net = dynamic_cast<Network*>(&pre.module());
  if (!net) fail("{}: synapses connect compartments of a Network; build one with Network(cells)", what);
  return *net;
}

// Cells with a compartment in the view, ascending (Jaxley's `_cells_in_view`).
std::vector<int> cells_in(const View& v) {
  std::vector<int> cells;
  for (int c : v.comps()) cells.push_back(v.module().cell_of(c));
  // select(nodes=...) views keep the order they were given in, so sort first (np.unique).
  std::sort(cells.begin(), cells.end());
  cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
  return cells;
}

// Branch 0, comp 0 of a cell (the presynaptic attachment of cell-level connections).
int first_comp_of_cell(const Module& m, int cell) { return m.first_comp(m.first_branch_of_cell(cell)); }

// The first compartment of each cell within the view (Jaxley: groupby(cell).first()).
std::vector<int> first_comp_in_view(const View& v, const std::vector<int>& cells) {
  // One pass in view order: the first compartment met per cell is groupby(...).first().
  std::vector<int> first(static_cast<std::size_t>(v.module().n_cells()), -1);
  for (int c : v.comps()) {
    int& f = first[static_cast<std::size_t>(v.module().cell_of(c))];
    if (f < 0) f = c;
  }
  std::vector<int> out;
  for (int cell : cells) out.push_back(first[static_cast<std::size_t>(cell)]);
  return out;
}

// The postsynaptic compartment of each new synapse onto cell `cells[j]`: the first of the
// cell's compartments in the view, or (random_post_comp) one of them drawn uniformly.
class PostCompChooser {
 public:
  PostCompChooser(const View& v, const std::vector<int>& cells, bool random, std::mt19937_64* rng)
      : first_(first_comp_in_view(v, cells)), random_(random), rng_(rng) {
    if (!random) return;
    std::vector<std::vector<int>> by_cell(static_cast<std::size_t>(v.module().n_cells()));
    for (int c : v.comps()) by_cell[static_cast<std::size_t>(v.module().cell_of(c))].push_back(c);
    for (int cell : cells) comps_.push_back(by_cell[static_cast<std::size_t>(cell)]);
  }
  int operator()(std::size_t j) {
    if (!random_) return first_[j];
    const std::vector<int>& comps = comps_[j];
    return comps[std::uniform_int_distribution<std::size_t>(0, comps.size() - 1)(*rng_)];
  }

 private:
  std::vector<int> first_;
  bool random_;
  std::mt19937_64* rng_;
  std::vector<std::vector<int>> comps_;  // per cell: its compartments in the view
};

}  // namespace

void connect(const View& pre, const View& post, const SynapseType& synapse) {
  Network& net = network_of(pre, post, "connect");
  if (pre.comps().size() != post.comps().size())
    fail("connect: the presynaptic view has {} compartment(s) but the postsynaptic view has {}; they must be equally many",
         pre.comps().size(), post.comps().size());
  net.add_synapses(synapse, pre.comps(), post.comps());
}

void fully_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse, PostComp post_comp) {
  Network& net = network_of(pre_cells, post_cells, "fully_connect");
  const std::vector<int> pre = cells_in(pre_cells), post = cells_in(post_cells);
  std::mt19937_64 rng(post_comp.seed);
  PostCompChooser choose(post_cells, post, post_comp.random, &rng);
  std::vector<int> pre_nodes, post_nodes;
  for (int i : pre)
    for (std::size_t j = 0; j < post.size(); ++j) {
      pre_nodes.push_back(first_comp_of_cell(net, i));
      post_nodes.push_back(choose(j));
    }
  net.add_synapses(synapse, pre_nodes, post_nodes);
}

void sparse_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse, double p,
                    std::uint64_t seed, bool random_post_comp) {
  Network& net = network_of(pre_cells, post_cells, "sparse_connect");
  if (!(p >= 0.0 && p <= 1.0)) fail("sparse_connect: p = {} is not a probability in [0, 1]", p);
  const std::vector<int> pre = cells_in(pre_cells), post = cells_in(post_cells);
  std::mt19937_64 rng(seed);
  std::binomial_distribution<long long> count(static_cast<long long>(pre.size() * post.size()), p);
  const long long n = count(rng);
  std::uniform_int_distribution<std::size_t> pick_pre(0, pre.size() - 1), pick_post(0, post.size() - 1);
  std::vector<std::pair<int, std::size_t>> pairs;  // (pre cell, index of the post cell in `post`)
  std::vector<int> pre_draw;
  std::vector<std::size_t> post_draw;
  for (long long k = 0; k < n; ++k) pre_draw.push_back(pre[pick_pre(rng)]);
  for (long long k = 0; k < n; ++k) post_draw.push_back(pick_post(rng));
  for (long long k = 0; k < n; ++k) pairs.emplace_back(pre_draw[k], post_draw[k]);
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Without random_post_comp: the post cell's branch 0, comp 0, whatever the view.
  PostCompChooser choose(post_cells, post, random_post_comp, &rng);
  std::vector<int> pre_nodes, post_nodes;
  for (auto [i, j] : pairs) {
    pre_nodes.push_back(first_comp_of_cell(net, i));
    post_nodes.push_back(random_post_comp ? choose(j) : first_comp_of_cell(net, post[j]));
  }
  if (!pre_nodes.empty()) net.add_synapses(synapse, pre_nodes, post_nodes);
}

void connectivity_matrix_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse,
                                 const std::vector<std::vector<bool>>& matrix, PostComp post_comp) {
  Network& net = network_of(pre_cells, post_cells, "connectivity_matrix_connect");
  const std::vector<int> pre = cells_in(pre_cells), post = cells_in(post_cells);
  if (matrix.size() != pre.size())
    fail("connectivity_matrix_connect: the matrix has {} row(s) but the presynaptic view has {} cell(s)", matrix.size(), pre.size());
  for (std::size_t i = 0; i < matrix.size(); ++i)
    if (matrix[i].size() != post.size())
      fail("connectivity_matrix_connect: row {} of the matrix has {} column(s) but the postsynaptic view has {} cell(s)", i,
           matrix[i].size(), post.size());
  const std::vector<int> pre_comp = first_comp_in_view(pre_cells, pre);
  std::mt19937_64 rng(post_comp.seed);
  PostCompChooser choose(post_cells, post, post_comp.random, &rng);
  std::vector<int> pre_nodes, post_nodes;
  for (std::size_t i = 0; i < pre.size(); ++i)
    for (std::size_t j = 0; j < post.size(); ++j)
      if (matrix[i][j]) pre_nodes.push_back(pre_comp[i]), post_nodes.push_back(choose(j));
  if (!pre_nodes.empty()) net.add_synapses(synapse, pre_nodes, post_nodes);
}

}  // namespace ranvier

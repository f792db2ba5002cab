#pragma once
// Jaxley's connection helpers (jaxley/connect.py): each call appends synapses of one type to
// the network the views belong to, in Jaxley's order. "Cells of a view" are the cells that
// have a compartment in it; a cell-level connection attaches to branch 0, comp 0 of the
// presynaptic cell and to the first compartment of the postsynaptic cell in the view.
//
// Randomness: sparse_connect and random_post_comp draw from std::mt19937_64 seeded by the
// caller, so a seed gives the same network every time. They cannot reproduce Jaxley's numpy
// global RNG; to build the same network as a Jaxley script, use connect() with explicit
// compartment lists or connectivity_matrix_connect() with the same matrix.
#include <cstdint>
#include <vector>

#include "frontend/network.h"

namespace ranvier {

// Jaxley's random_post_comp: each synapse attaches to a compartment of its postsynaptic cell
// drawn uniformly (with replacement) from that cell's compartments in the postsynaptic view,
// instead of the first of them.
struct PostComp {
  bool random = false;
  std::uint64_t seed = 0;  // of std::mt19937_64
};

// One synapse per pair (first with first, second with second, ...); the views must select
// equally many compartments of the same network.
void connect(const View& pre, const View& post, const SynapseType& synapse);

// Every cell of `pre_cells` to every cell of `post_cells` (pre-major order).
void fully_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse, PostComp post_comp = {});

// A binomial(n_pre * n_post, p) number of synapses between uniformly drawn pre and post
// cells (with replacement), sorted by presynaptic cell (stable), as Jaxley does. With
// random_post_comp the postsynaptic compartments are drawn next, from the same generator.
void sparse_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse, double p,
                    std::uint64_t seed, bool random_post_comp = false);

// A synapse from pre cell i to post cell j wherever matrix[i][j] is true (row-major order);
// the matrix has shape (n_pre_cells, n_post_cells).
void connectivity_matrix_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse,
                                 const std::vector<std::vector<bool>>& matrix, PostComp post_comp = {});

}  // namespace ranvier

#pragma once
// Jaxley's connection helpers (jaxley/connect.py): each call appends synapses of one type to
// the network the views belong to, in Jaxley's order. "Cells of a view" are the cells that
// have a compartment in it; a cell-level connection attaches to branch 0, comp 0 of the
// presynaptic cell and to the first compartment of the postsynaptic cell in the view.
//
// Randomness: sparse_connect draws from std::mt19937_64 seeded by the caller, so a seed gives
// the same network every time. It cannot reproduce Jaxley's numpy global RNG; to build the
// same network as a Jaxley script, use connect() with explicit compartment lists or
// connectivity_matrix_connect() with the same matrix.
#include <cstdint>
#include <vector>

#include "frontend/network.h"

namespace ranvier {

// One synapse per pair (first with first, second with second, ...); the views must select
// equally many compartments of the same network.
void connect(const View& pre, const View& post, const SynapseType& synapse);

// Every cell of `pre_cells` to every cell of `post_cells` (pre-major order).
void fully_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse);

// A binomial(n_pre * n_post, p) number of synapses between uniformly drawn pre and post
// cells (with replacement), sorted by presynaptic cell (stable), as Jaxley does.
void sparse_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse, double p,
                    std::uint64_t seed);

// A synapse from pre cell i to post cell j wherever matrix[i][j] is true (row-major order);
// the matrix has shape (n_pre_cells, n_post_cells).
void connectivity_matrix_connect(const View& pre_cells, const View& post_cells, const SynapseType& synapse,
                                 const std::vector<std::vector<bool>>& matrix);

}  // namespace ranvier

#pragma once
// Splitting one simulation of a network over threads, and each thread's share into blocks.
// The cells of a network are separate trees (no axial coupling), so each thread can run the
// channel kernels and the whole tree solve of its own cells: the elimination pairs of a cell
// keep their global order, so the result is bit-identical to one thread. Cells are
// compartment-contiguous (Network places them one after another); a part is a run of whole
// cells with about the same number of compartments.
#include <vector>

#include "ir/model.h"
#include "ir/dhs_schedule.h"

namespace ranvier::runtime {

struct CellPart {
  int comp_begin = 0, comp_end = 0;  // compartments [comp_begin, comp_end)
  std::vector<int> nodes;            // its compartments and branchpoints, ascending
  std::vector<int> elimination;      // indices into the flattened schedule, in schedule order
};

// At most `parts` parts (fewer when there are fewer cells). One part holding everything
// when the model is a single cell, or when some edge or elimination pair would cross parts.
std::vector<CellPart> partition_cells(const ir::Model& model, const ir::DhsSchedule& schedule, int parts);

// The parts of partition_cells, each cut further into blocks of whole cells with at least
// `block_comps` compartments (the last block of a part may have fewer): a thread runs the
// synapses, channel kernels and tree solve of one block before the next, so that a block's
// arrays stay in cache between the phases of a step. Result: per part, its blocks in order.
std::vector<std::vector<CellPart>> partition_cell_blocks(const ir::Model& model, const ir::DhsSchedule& schedule,
                                                         int parts, int block_comps);

}  // namespace ranvier::runtime

#pragma once
// The time loop for compiled kernels: B simulations of one model at once, in node-major,
// batch-innermost buffers (index = node * B + lane), split across threads by lanes (or, for
// one simulation of a network, by cells). The mechanism kernels come from a backend as
// function pointers; externals, clamps, the tree solve and recordings run here, in the same
// operation order as the reference interpreter. Each thread runs its cells in blocks: the
// kernels of a block (for networks, its block functions: synapses onto it, their sums, the
// channels) and then the block's tree solve.
#include <string>
#include <vector>

#include "ir/abi.h"
#include "ir/dhs_schedule.h"
#include "ir/kernel.h"
#include "ir/model.h"
#include "ir/program.h"
#include "runtime/options.h"
#include "runtime/prepare.h"

namespace ranvier::runtime {

struct BatchResult {
  int batch = 0;
  int n_recordings = 0;
  int n_samples = 0;
  std::vector<double> data;  // (batch, n_recordings, n_samples)
  std::vector<States> states;  // per lane, with return_states
  double operator()(int lane, int recording, int sample) const {
    return data[(static_cast<std::size_t>(lane) * n_recordings + recording) * n_samples + sample];
  }
  Result lane(int b) const;
};

// All lanes must share n_steps, dt, solver and voltage solver. threads <= 0: all cores.
BatchResult run_batch(const ir::Program& program, const ir::KernelBinding& binding, const std::vector<Prepared>& lanes,
                      bool return_states, int threads);

}  // namespace ranvier::runtime

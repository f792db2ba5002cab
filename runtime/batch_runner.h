#pragma once
// The time loop for compiled kernels: B simulations of one model at once, in node-major,
// batch-innermost buffers (index = node * B + lane), split across threads by lanes (or, for
// one simulation of a network, by cells). The mechanism kernels come from a backend as
// function pointers; externals, clamps, the tree solve and recordings run here, in the same
// operation order as the reference interpreter. Each thread runs its cells in blocks: the
// kernels of a block (for networks, its block functions: synapses onto it, their sums, the
// channels) and then the block's tree solve.
#include <cstdint>
#include <string>
#include <vector>

#include "ir/kernel.h"
#include "ir/model.h"
#include "runtime/integrate.h"
#include "runtime/prepare.h"

namespace ranvier::runtime {

// A compiled group kernel: void f(T** arrays, int64 begin, int64 end, T dt).
using GroupFnF64 = void (*)(double** arrays, std::int64_t begin, std::int64_t end, double dt);
using GroupFnF32 = void (*)(float** arrays, std::int64_t begin, std::int64_t end, float dt);
// A compiled block function (codegen/llvm/emit_block.h): synapses onto compartments
// [comp_begin, comp_end), their sums, and the group's body, for B lanes.
using BlockFnF64 = void (*)(double** arrays, std::int64_t comp_begin, std::int64_t comp_end, double dt, std::int64_t B);
using BlockFnF32 = void (*)(float** arrays, std::int64_t comp_begin, std::int64_t comp_end, float dt, std::int64_t B);

struct KernelBinding {
  std::vector<std::string> arrays;  // names of the pointer-table entries
  std::vector<void*> groups;        // one function per kernel group
  std::vector<void*> blocks;        // networks: one block function per group (required with synapses)
  bool float32 = false;
};

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
BatchResult run_batch(const ir::Model& model, const ir::KernelIR& kernel, const KernelBinding& binding,
                      const std::vector<Prepared>& lanes, bool return_states, int threads);

}  // namespace ranvier::runtime

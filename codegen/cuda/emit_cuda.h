#pragma once
// Renders a lowered model as CUDA C++ source for NVRTC: one thread per simulation (lane),
// each thread running its lane's whole time loop. The source holds
//   - the exp of ir/exp_reference.h, with explicit fma(), bit for bit the CPU's;
//   - one __device__ function per kernel group (the fused channel update at one
//     compartment), rendered from the expression DAG in the CPU backend's operation order;
//   - the structure of the model as constant tables: compartment runs of every group, edges
//     into every node, the DHS elimination order, recorded (array, compartment) pairs;
//   - one kernel, extern "C" ranvier_simulate, the time loop in runtime/batch_runner.cpp's
//     order: stimuli -> channel groups -> clamps of states -> implicit DHS solve (the
//     interpreter's operation order) -> voltage clamps -> recording.
// Buffers are node-major, lanes innermost (element (i, lane) at i * B + lane), so the 32
// threads of a warp read 32 consecutive numbers.
//
// Bit-equality with the CPU needs NVRTC options that forbid contraction and approximations:
// kNvrtcExactOptions in nvrtc.h.
#include <string>
#include <vector>

#include "ir/kernel.h"
#include "ir/model.h"
#include "ir/cuda_abi.h"
#include "ir/dhs_schedule.h"

namespace ranvier::cuda {

CudaSource emit_cuda(const ir::Model& model, const ir::KernelIR& kernel, const ir::DhsSchedule& schedule,
                     bool float32);

}  // namespace ranvier::cuda

#pragma once
// Renders a lowered model as CUDA C++ source for NVRTC: one thread per simulation (lane),
// each thread running its lane's whole time loop. The source holds
//   - the exp of runtime/exp_reference.h, with explicit fma(), bit for bit the CPU's;
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
#include "passes/dhs_schedule.h"

namespace ranvier::cuda {

// Names of the buffers the time loop needs besides states, currents and parameters.
inline constexpr const char* kArea = "__area";        // um^2, per compartment
inline constexpr const char* kAxialDt = "__d_axial";  // d * axial conductance, per edge
inline constexpr const char* kDiag = "__diag";        // per node: the solve's diagonal
inline constexpr const char* kRhs = "__rhs";          // per node: right-hand side, then solution

inline constexpr const char* kKernelName = "ranvier_simulate";

struct CudaSource {
  std::string text;                 // the CUDA C++ source
  std::vector<std::string> arrays;  // the pointer table's entries, by name; slot 0 is "v"
  bool float32 = false;
};

CudaSource emit_cuda(const ir::Model& model, const ir::KernelIR& kernel, const passes::DhsSchedule& schedule,
                     bool float32);

// How many elements a buffer of the pointer table holds per lane.
enum class ArrayExtent { Nodes, Compartments, Edges };
ArrayExtent array_extent(const std::string& name);

}  // namespace ranvier::cuda

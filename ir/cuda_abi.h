#pragma once
// The ABI between the GPU backend's generated kernel (codegen/cuda/emit_cuda.h) and its time
// loop's host side (runtime/cuda_runner.h): the kernel's name, its pointer table's entries
// and the buffers the time loop needs besides states, currents and parameters.
#include <string>
#include <vector>

namespace ranvier::cuda {

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

// How many elements a buffer of the pointer table holds per lane.
enum class ArrayExtent { Nodes, Compartments, Edges };
inline ArrayExtent array_extent(const std::string& name) {
  if (name == "v" || name == kDiag || name == kRhs) return ArrayExtent::Nodes;
  if (name == kAxialDt) return ArrayExtent::Edges;
  return ArrayExtent::Compartments;
}

}  // namespace ranvier::cuda

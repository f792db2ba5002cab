#pragma once
// Emits the LLVM IR of a fused kernel: one function per compartment group,
//   void <name>(T** arrays, int64 begin, int64 end, T dt)
// looping over the flat index i in [begin, end) of node-major, batch-innermost arrays (a run
// of consecutive compartments times B lanes is one contiguous range), so the loop vectorizes
// over lanes and compartments alike. `arrays` is indexed like EmittedKernel::arrays.
#include <memory>
#include <string>
#include <vector>

#include "ir/abi.h"
#include "ir/kernel.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace ranvier::llvm_backend {

using ir::kConstantTerm;
using ir::kVoltage;
using ir::kVoltageTerm;

struct EmittedKernel {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::vector<std::string> arrays;           // the pointer table's entries, by name
  std::vector<std::string> group_functions;  // one per KernelIR group
  std::vector<std::string> synapse_functions;  // one per KernelIR synapse kernel (same signature), without block_functions
  std::vector<std::string> adjoint_functions;  // one per KernelIR adjoint group (same signature)
  std::vector<std::string> synapse_adjoint_functions;  // one per KernelIR synapse adjoint
  std::vector<std::string> block_functions;  // per group, with block_functions and synapses (emit_block.h)
  // Per group, with block functions: the voltage-write function (ir::KernelBinding), or "".
  std::vector<std::string> voltage_write_functions;
};

// block_functions: when the kernel has synapses, emit one block function per group that runs
// the synapses onto the group's compartments, their sums and the group's body, instead of
// synapse functions of their own.
EmittedKernel emit_kernel(const ir::KernelIR& kernel, bool float32, bool block_functions = false);

}  // namespace ranvier::llvm_backend

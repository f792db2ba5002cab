#pragma once
// The LLVM backend's entry points: a lowered program's kernels emitted as LLVM IR, optimised
// for the host and JIT-compiled into machine code, handed to the runtime as ABI structs
// (ir/abi.h). Pure functions of their inputs: caching is the caller's (api/kernel_cache.h).
#include <memory>
#include <string>

#include "ir/abi.h"
#include "ir/kernel.h"

namespace ranvier::llvm_backend {

// The forward step's group (or, with synapses, block) functions.
ir::KernelBinding compile_forward(const ir::KernelIR& kernel, bool float32);

// The forward and adjoint kernels gradients run (double precision). `kernel` must have been
// through derive_adjoint.
ir::AdjointBinding compile_adjoint(const ir::KernelIR& kernel);

// The text stages of compile_forward: LLVM IR as emitted, after the O3 pipeline for the
// host, and the host assembly (a separate compilation that keeps the text).
struct KernelText {
  std::string llvm_ir, llvm_ir_optimized, assembly;
};
KernelText forward_text(const ir::KernelIR& kernel, bool float32);

// What machine code depends on besides the kernel IR: the host CPU and its features.
std::string host_target();

}  // namespace ranvier::llvm_backend

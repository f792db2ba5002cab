#include "codegen/llvm/compile_kernels.h"

#include <type_traits>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "codegen/llvm/emit_kernel.h"
#include "codegen/llvm/jit.h"

namespace ranvier::llvm_backend {

ir::KernelBinding compile_forward(const ir::KernelIR& kernel, bool float32) {
  EmittedKernel emitted = emit_kernel(kernel, float32, true);
  std::shared_ptr<CompiledCode> code = Jit::instance().compile(std::move(emitted.module), std::move(emitted.context), false);
  ir::KernelBinding b;
  b.arrays = emitted.arrays;
  b.float32 = float32;
  for (const auto& f : emitted.group_functions) b.groups.push_back(code->lookup(f));
  for (const auto& f : emitted.block_functions) b.blocks.push_back(code->lookup(f));
  for (const auto& f : emitted.voltage_write_functions) b.voltage_writes.push_back(f.empty() ? nullptr : code->lookup(f));
  b.owner = std::move(code);
  return b;
}

ir::AdjointBinding compile_adjoint(const ir::KernelIR& kernel) {
  EmittedKernel emitted = emit_kernel(kernel, false);
  std::shared_ptr<CompiledCode> code = Jit::instance().compile(std::move(emitted.module), std::move(emitted.context), false);
  ir::AdjointBinding b;
  b.arrays = emitted.arrays;
  auto lookup = [&](const std::vector<std::string>& names, std::vector<ir::GroupFnF64>& fns) {
    for (const auto& f : names) fns.push_back(code->function<std::remove_pointer_t<ir::GroupFnF64>>(f));
  };
  lookup(emitted.group_functions, b.forward);
  lookup(emitted.adjoint_functions, b.adjoint);
  lookup(emitted.synapse_functions, b.synapse_forward);
  lookup(emitted.synapse_adjoint_functions, b.synapse_adjoint);
  b.owner = std::move(code);
  return b;
}

KernelText forward_text(const ir::KernelIR& kernel, bool float32) {
  EmittedKernel emitted = emit_kernel(kernel, float32, true);
  std::unique_ptr<CompiledCode> code = Jit::instance().compile(std::move(emitted.module), std::move(emitted.context), true);
  return {code->ir_before, code->ir_after, code->assembly};
}

std::string host_target() { return Jit::instance().cpu_name() + Jit::instance().features(); }

}  // namespace ranvier::llvm_backend

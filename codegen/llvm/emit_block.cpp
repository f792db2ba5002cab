#include "codegen/llvm/emit_block.h"

#include <algorithm>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include "ir/kernel.h"

namespace ranvier::llvm_backend {

std::string emit_block_function(llvm::Module& module, llvm::Type* t, std::vector<std::string>& arrays, std::size_t group,
                                const std::string& group_function, const std::vector<BlockSynapses>& synapses) {
  llvm::LLVMContext& ctx = module.getContext();
  auto* i64 = llvm::Type::getInt64Ty(ctx);
  auto* ptr = llvm::PointerType::getUnqual(ctx);
  auto* void_t = llvm::Type::getVoidTy(ctx);
  auto* kernel_t = llvm::FunctionType::get(void_t, {ptr, i64, i64, t}, false);
  const std::string name = "ranvier_block_" + std::to_string(group);
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(void_t, {ptr, i64, i64, t, i64}, false),
                                    llvm::Function::ExternalLinkage, name, module);
  llvm::Value *table = fn->getArg(0), *comp_begin = fn->getArg(1), *comp_end = fn->getArg(2), *dt = fn->getArg(3),
              *lanes = fn->getArg(4);
  llvm::IRBuilder<> b(ctx);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  // A table entry's pointer, by array name (added to the table when new).
  auto array = [&](const std::string& array_name) {
    auto it = std::find(arrays.begin(), arrays.end(), array_name);
    if (it == arrays.end()) it = arrays.insert(arrays.end(), array_name);
    auto* slot = llvm::ConstantInt::get(i64, static_cast<std::uint64_t>(it - arrays.begin()));
    return b.CreateLoad(ptr, b.CreateGEP(ptr, table, slot), array_name + ".ptr");
  };
  auto load_i64 = [&](llvm::Value* base, llvm::Value* index) { return b.CreateLoad(i64, b.CreateGEP(i64, base, index)); };
  auto callee = [&](const std::string& f) { return module.getOrInsertFunction(f, kernel_t); };

  // 1. The synapses onto the block, type by type.
  std::vector<llvm::Value*> begins, g, c;
  for (const auto& s : synapses) {
    begins.push_back(array(ir::synapse_array(ir::kSynapseBegin, s.type)));
    g.push_back(array(ir::synapse_array(ir::kSynapseConductance, s.type)));
    c.push_back(array(ir::synapse_array(ir::kSynapseConstant, s.type)));
    llvm::Value* first = b.CreateMul(load_i64(begins.back(), comp_begin), lanes);
    llvm::Value* last = b.CreateMul(load_i64(begins.back(), comp_end), lanes);
    b.CreateCall(callee(s.function), {table, first, last, dt});
  }

  // 2. Per compartment x and lane l: lin = 0 + sum_type(sum_k g), cst = 0 - sum_type(sum_k c).
  llvm::Value* lin_out = array(ir::kSynapseLinear);
  llvm::Value* cst_out = array(ir::kSynapseConstantSum);
  llvm::Value* zero = llvm::ConstantFP::get(t, 0.0);
  auto* one = llvm::ConstantInt::get(i64, 1);
  // Opens a loop over [begin, end) that is skipped, to `exit`, when empty: its counter.
  auto open_loop = [&](const char* label, llvm::Value* begin, llvm::Value* end, llvm::BasicBlock* exit) {
    llvm::BasicBlock* from = b.GetInsertBlock();
    auto* body = llvm::BasicBlock::Create(ctx, label, fn);
    b.CreateCondBr(b.CreateICmpSLT(begin, end), body, exit);
    b.SetInsertPoint(body);
    llvm::PHINode* counter = b.CreatePHI(i64, 2, label);
    counter->addIncoming(begin, from);
    return counter;
  };
  auto* sums_done = llvm::BasicBlock::Create(ctx, "sums.done", fn);
  llvm::PHINode* x = open_loop("x", comp_begin, comp_end, sums_done);
  llvm::BasicBlock* x_loop = b.GetInsertBlock();
  llvm::Value* x_next = b.CreateAdd(x, one, "x.next");
  auto* l_loop = llvm::BasicBlock::Create(ctx, "lane", fn);
  b.CreateBr(l_loop);
  b.SetInsertPoint(l_loop);
  llvm::PHINode* lane = b.CreatePHI(i64, 2, "lane");
  lane->addIncoming(llvm::ConstantInt::get(i64, 0), x_loop);
  llvm::Value *lin = zero, *cst = zero;
  for (std::size_t s = 0; s < synapses.size(); ++s) {
    llvm::Value* k_begin = load_i64(begins[s], x);
    llvm::Value* k_end = load_i64(begins[s], x_next);
    llvm::BasicBlock* before = b.GetInsertBlock();
    auto* k_done = llvm::BasicBlock::Create(ctx, "k.done", fn);
    llvm::PHINode* k = open_loop("k", k_begin, k_end, k_done);
    llvm::BasicBlock* k_loop = b.GetInsertBlock();
    llvm::PHINode* type_lin = b.CreatePHI(t, 2, "type.lin");
    llvm::PHINode* type_cst = b.CreatePHI(t, 2, "type.cst");
    type_lin->addIncoming(zero, before);
    type_cst->addIncoming(zero, before);
    llvm::Value* j = b.CreateAdd(b.CreateMul(k, lanes), lane);
    llvm::Value* lin_next = b.CreateFAdd(type_lin, b.CreateLoad(t, b.CreateGEP(t, g[s], j)));
    llvm::Value* cst_next = b.CreateFAdd(type_cst, b.CreateLoad(t, b.CreateGEP(t, c[s], j)));
    llvm::Value* k_next = b.CreateAdd(k, one);
    k->addIncoming(k_next, k_loop);
    type_lin->addIncoming(lin_next, k_loop);
    type_cst->addIncoming(cst_next, k_loop);
    b.CreateCondBr(b.CreateICmpSLT(k_next, k_end), k_loop, k_done);
    b.SetInsertPoint(k_done);
    llvm::PHINode* sum_lin = b.CreatePHI(t, 2, "sum.lin");
    llvm::PHINode* sum_cst = b.CreatePHI(t, 2, "sum.cst");
    sum_lin->addIncoming(zero, before);
    sum_lin->addIncoming(lin_next, k_loop);
    sum_cst->addIncoming(zero, before);
    sum_cst->addIncoming(cst_next, k_loop);
    lin = b.CreateFAdd(lin, sum_lin);
    cst = b.CreateFSub(cst, sum_cst);
  }
  llvm::Value* i = b.CreateAdd(b.CreateMul(x, lanes), lane);
  b.CreateStore(lin, b.CreateGEP(t, lin_out, i));
  b.CreateStore(cst, b.CreateGEP(t, cst_out, i));
  llvm::Value* lane_next = b.CreateAdd(lane, one);
  lane->addIncoming(lane_next, b.GetInsertBlock());
  auto* x_latch = llvm::BasicBlock::Create(ctx, "x.latch", fn);
  b.CreateCondBr(b.CreateICmpSLT(lane_next, lanes), l_loop, x_latch);
  b.SetInsertPoint(x_latch);
  x->addIncoming(x_next, x_latch);
  b.CreateCondBr(b.CreateICmpSLT(x_next, comp_end), x_loop, sums_done);

  // 3. The group's body over the block's compartments.
  b.SetInsertPoint(sums_done);
  b.CreateCall(callee(group_function), {table, b.CreateMul(comp_begin, lanes), b.CreateMul(comp_end, lanes), dt});
  b.CreateRetVoid();
  return name;
}

}  // namespace ranvier::llvm_backend

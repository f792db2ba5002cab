#include "codegen/llvm/emit_kernel.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "codegen/llvm/emit_block.h"
#include "codegen/llvm/vector_exp.h"
#include "ir/error.h"

namespace ranvier::llvm_backend {
namespace {

class GroupEmitter {
 public:
  GroupEmitter(llvm::Module& m, llvm::Type* t, std::vector<std::string>& arrays) : m_(m), ctx_(m.getContext()), t_(t), arrays_(arrays) {}

  // The body function takes every array it touches as a separate noalias pointer, so the
  // vectorizer needs no run-time alias checks; the entry function unpacks the table.
  std::string emit(const ir::KernelGroup& g, std::size_t index) {
    std::vector<std::pair<std::string, ir::Expr>> outputs;
    for (const auto& c : g.currents) outputs.emplace_back(c.name, c.expr);
    outputs.emplace_back(kVoltageTerm, g.voltage_term);
    outputs.emplace_back(kConstantTerm, g.constant_term);
    return emit_elementwise("group_" + std::to_string(index), g.new_states, std::move(outputs));
  }

  // A synapse type's kernel: the same elementwise loop, over synapses (x lanes) instead of
  // compartments; its inputs and outputs are per-synapse arrays. Gathered: the pre and post
  // voltages are read from v through the type's flat index arrays instead.
  std::string emit(const ir::SynapseKernel& k, std::size_t index, bool gathered) {
    std::vector<std::pair<std::string, ir::Expr>> outputs;
    for (const auto& o : k.outputs) outputs.emplace_back(o.name, o.expr);
    if (!gathered) return emit_elementwise("synapse_" + std::to_string(index), k.new_states, std::move(outputs));
    gathers_ = {{ir::synapse_array(ir::kSynapseVPre, k.type), ir::synapse_array(ir::kSynapsePreIndex, k.type)},
                {ir::synapse_array(ir::kSynapseVPost, k.type), ir::synapse_array(ir::kSynapsePostIndex, k.type)}};
    std::string name = emit_elementwise("synapse_gathered_" + std::to_string(index), k.new_states, std::move(outputs));
    gathers_.clear();
    return name;
  }

  // The reverse step of a group (gradients): the same loop; its cotangent arrays are read
  // and written in place (all loads of an index happen before its stores).
  std::string emit(const ir::AdjointGroup& a, const std::string& suffix) { return emit(a.outputs, suffix); }

  // Any elementwise list of outputs (array name -> value), e.g. a network's voltage write.
  std::string emit(const std::vector<NamedExpr>& named, const std::string& suffix) {
    std::vector<std::pair<std::string, ir::Expr>> outputs;
    for (const auto& o : named) outputs.emplace_back(o.name, o.expr);
    return emit_elementwise(suffix, {}, std::move(outputs));
  }

 private:
  // void ranvier_<suffix>(T** table, i64 begin, i64 end, T dt): writes every new state and
  // every output at each flat index in [begin, end).
  std::string emit_elementwise(const std::string& suffix, const std::vector<NamedExpr>& new_states,
                               std::vector<std::pair<std::string, ir::Expr>> other_outputs) {
    // Inputs read and outputs written, by array name.
    std::vector<ir::Expr> roots;
    std::vector<std::pair<std::string, ir::Expr>> outputs;
    for (const auto& s : new_states) outputs.emplace_back(s.name, s.expr);
    for (auto& o : other_outputs) outputs.push_back(std::move(o));
    for (const auto& o : outputs) roots.push_back(o.second);
    std::vector<const ir::Node*> order = ir::topological_order(roots);
    // "<state>'" leaves are the new states computed by this body, not arrays.
    std::unordered_map<std::string, const ir::Node*> updated;
    for (const auto& s : new_states) updated[s.name + ir::kUpdatedSuffix] = s.expr.node();
    std::vector<std::string> used;
    auto use = [&](const std::string& name) {
      if (std::find(used.begin(), used.end(), name) == used.end()) used.push_back(name);
    };
    for (const ir::Node* n : order) {
      if (n->op == ir::Op::Param || (n->op == ir::Op::State && !updated.count(n->name))) {
        if (auto g = gathers_.find(n->name); g != gathers_.end()) use(g->second), use(kVoltage);
        else use(n->name);
      }
      if (n->op == ir::Op::Voltage) use(kVoltage);
    }
    for (const auto& o : outputs) use(o.first);

    auto* i64 = llvm::Type::getInt64Ty(ctx_);
    auto* ptr = llvm::PointerType::getUnqual(ctx_);
    std::vector<llvm::Type*> params(used.size(), ptr);
    params.push_back(i64);
    params.push_back(i64);
    params.push_back(t_);
    const std::string body_name = "ranvier_" + suffix + "_body";
    auto* body = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), params, false),
                                        llvm::Function::InternalLinkage, body_name, m_);
    for (std::size_t i = 0; i < used.size(); ++i) body->addParamAttr(static_cast<unsigned>(i), llvm::Attribute::NoAlias);
    body->addFnAttr(llvm::Attribute::AlwaysInline);

    llvm::IRBuilder<> b(ctx_);
    auto* entry_bb = llvm::BasicBlock::Create(ctx_, "entry", body);
    auto* loop_bb = llvm::BasicBlock::Create(ctx_, "loop", body);
    auto* exit_bb = llvm::BasicBlock::Create(ctx_, "exit", body);
    b.SetInsertPoint(entry_bb);
    llvm::Value* begin = body->getArg(static_cast<unsigned>(used.size()));
    llvm::Value* end = body->getArg(static_cast<unsigned>(used.size() + 1));
    llvm::Value* dt = body->getArg(static_cast<unsigned>(used.size() + 2));
    b.CreateCondBr(b.CreateICmpSLT(begin, end), loop_bb, exit_bb);
    b.SetInsertPoint(loop_bb);
    llvm::PHINode* i = b.CreatePHI(i64, 2, "i");
    i->addIncoming(begin, entry_bb);
    auto arg_of = [&](const std::string& name) {
      return body->getArg(static_cast<unsigned>(std::find(used.begin(), used.end(), name) - used.begin()));
    };
    auto load = [&](const std::string& name) -> llvm::Value* {
      if (auto g = gathers_.find(name); g != gathers_.end()) {
        llvm::Value* at = b.CreateLoad(i64, b.CreateGEP(i64, arg_of(g->second), i), g->second);
        return b.CreateLoad(t_, b.CreateGEP(t_, arg_of(kVoltage), at), name);
      }
      return b.CreateLoad(t_, b.CreateGEP(t_, arg_of(name), i), name);
    };

    // Emitted level by level (a node's level: the longest path to it from the loads), with
    // the exps of a level interleaved stage by stage: independent chains, such as the gates
    // of different channels, then sit side by side and an out-of-order core overlaps them.
    // Every value is computed by the same operations either way (bit-identical).
    std::unordered_map<const ir::Node*, int> level;
    std::vector<std::vector<const ir::Node*>> by_level;
    for (const ir::Node* n : order) {
      int l = 0;
      if (n->op == ir::Op::State && updated.count(n->name)) {
        RANVIER_ASSERT(level.count(updated.at(n->name)) && "an updated state is used before it is computed");
        l = level.at(updated.at(n->name)) + 1;
      }
      for (const ir::Node* arg : n->args) l = std::max(l, level.at(arg) + 1);
      level[n] = l;
      if (static_cast<std::size_t>(l) >= by_level.size()) by_level.resize(static_cast<std::size_t>(l) + 1);
      by_level[static_cast<std::size_t>(l)].push_back(n);
    }
    std::unordered_map<const ir::Node*, llvm::Value*> val;
    for (const auto& nodes : by_level) {
      std::vector<const ir::Node*> exps;
      std::vector<llvm::Value*> exp_args;
      for (const ir::Node* n : nodes) {
        if (n->op == ir::Op::Exp) {
          exps.push_back(n);
          exp_args.push_back(val.at(n->args[0]));
        } else {
          val[n] = (n->op == ir::Op::State && updated.count(n->name)) ? val.at(updated.at(n->name)) : emit_node(b, n, val, load, dt);
        }
      }
      if (!exps.empty()) {
        std::vector<llvm::Value*> results = emit_exps(b, exp_args);
        for (std::size_t j = 0; j < exps.size(); ++j) val[exps[j]] = results[j];
      }
    }
    // All loads happen before any store: states are read before they are overwritten.
    for (const auto& o : outputs) b.CreateStore(val.at(o.second.node()), b.CreateGEP(t_, arg_of(o.first), i));
    llvm::Value* next = b.CreateAdd(i, llvm::ConstantInt::get(i64, 1), "i.next", true, true);
    i->addIncoming(next, b.GetInsertBlock());
    b.CreateCondBr(b.CreateICmpSLT(next, end), loop_bb, exit_bb);
    b.SetInsertPoint(exit_bb);
    b.CreateRetVoid();

    // Entry: void ranvier_group_<g>(T** table, i64 begin, i64 end, T dt)
    const std::string entry_name = "ranvier_" + suffix;
    auto* entry = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr, i64, i64, t_}, false),
                                         llvm::Function::ExternalLinkage, entry_name, m_);
    b.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", entry));
    std::vector<llvm::Value*> call_args;
    for (const auto& name : used) {
      auto it = std::find(arrays_.begin(), arrays_.end(), name);
      if (it == arrays_.end()) it = arrays_.insert(arrays_.end(), name);
      auto slot = static_cast<std::uint64_t>(it - arrays_.begin());
      call_args.push_back(b.CreateLoad(ptr, b.CreateGEP(ptr, entry->getArg(0), llvm::ConstantInt::get(i64, slot)), name + ".ptr"));
    }
    call_args.push_back(entry->getArg(1));
    call_args.push_back(entry->getArg(2));
    call_args.push_back(entry->getArg(3));
    b.CreateCall(body, call_args);
    b.CreateRetVoid();
    return entry_name;
  }

  template <typename Load>
  llvm::Value* emit_node(llvm::IRBuilder<>& b, const ir::Node* n, std::unordered_map<const ir::Node*, llvm::Value*>& val,
                         Load& load, llvm::Value* dt) {
    auto a = [&](int k) { return val.at(n->args[k]); };
    auto intrinsic = [&](llvm::Intrinsic::ID id, std::vector<llvm::Value*> args) {
      return b.CreateIntrinsic(id, {t_}, args);
    };
    switch (n->op) {
      case ir::Op::Const: return llvm::ConstantFP::get(t_, n->value);
      case ir::Op::Param:
      case ir::Op::State: return load(n->name);
      case ir::Op::Voltage: return load(kVoltage);
      case ir::Op::TimeStep: return dt;
      case ir::Op::Add: return b.CreateFAdd(a(0), a(1));
      case ir::Op::Sub: return b.CreateFSub(a(0), a(1));
      case ir::Op::Mul: return b.CreateFMul(a(0), a(1));
      case ir::Op::Div: return b.CreateFDiv(a(0), a(1));
      case ir::Op::Neg: return b.CreateFNeg(a(0));
      case ir::Op::IntPow: {
        // Binary exponentiation in JAX's order, as ir::apply.
        llvm::Value *x = a(0), *acc = nullptr;
        for (int y = static_cast<int>(n->value); y > 0;) {
          if (y & 1) acc = acc ? b.CreateFMul(acc, x) : x;
          y >>= 1;
          if (y > 0) x = b.CreateFMul(x, x);
        }
        return acc;
      }
      case ir::Op::Exp: return emit_exp(b, a(0));
      case ir::Op::Pow: return intrinsic(llvm::Intrinsic::pow, {a(0), a(1)});
      case ir::Op::Log: return intrinsic(llvm::Intrinsic::log, {a(0)});
      case ir::Op::Sqrt: return intrinsic(llvm::Intrinsic::sqrt, {a(0)});
      case ir::Op::Tanh: {
        auto callee = m_.getOrInsertFunction(t_->isFloatTy() ? "tanhf" : "tanh", llvm::FunctionType::get(t_, {t_}, false));
        return b.CreateCall(callee, {a(0)});
      }
      case ir::Op::Min:
      case ir::Op::Max: {
        // NaN-propagating like jnp.minimum / maximum; ties keep the first argument.
        llvm::Value* pick = n->op == ir::Op::Min ? b.CreateFCmpOLT(a(1), a(0)) : b.CreateFCmpOGT(a(1), a(0));
        llvm::Value* r = b.CreateSelect(pick, a(1), a(0));
        llvm::Value* nan = b.CreateFCmpUNO(a(0), a(1));
        return b.CreateSelect(nan, llvm::ConstantFP::getNaN(t_), r);
      }
      case ir::Op::Less: return b.CreateUIToFP(b.CreateFCmpOLT(a(0), a(1)), t_);
      case ir::Op::LessEq: return b.CreateUIToFP(b.CreateFCmpOLE(a(0), a(1)), t_);
      case ir::Op::Select: return b.CreateSelect(b.CreateFCmpUNE(a(0), llvm::ConstantFP::get(t_, 0.0)), a(1), a(2));
    }
    RANVIER_ASSERT(false);
  }

  llvm::Module& m_;
  llvm::LLVMContext& ctx_;
  llvm::Type* t_;
  std::vector<std::string>& arrays_;
  // While emitting a gathered synapse kernel: input array -> the index array that replaces it.
  std::map<std::string, std::string> gathers_;
};

// A network's group whose channels write v, split in two so that every synapse reads the
// written voltage (Jaxley updates all channels, then the synapses): `write` maps the voltage
// before the step to {kVoltageBefore: it, v: the written voltage} and runs on every
// compartment first; `body` is the group without its v update, its state updates reading
// kVoltageBefore and its membrane terms reading v (then the written voltage) for "v'".
struct SplitGroup {
  std::vector<NamedExpr> write;
  ir::KernelGroup body;
};

std::optional<SplitGroup> split_voltage_write(const ir::KernelGroup& g) {
  auto it = std::find_if(g.new_states.begin(), g.new_states.end(), [](const NamedExpr& s) { return s.name == ir::kVoltage; });
  if (it == g.new_states.end()) return std::nullopt;
  SplitGroup split;
  split.write = {{ir::kVoltageBefore, ir::voltage()}, {ir::kVoltage, it->expr}};
  split.body = g;
  const ir::Expr before = ir::state(ir::kVoltageBefore);
  const std::string written = std::string(ir::kVoltage) + ir::kUpdatedSuffix;
  auto read_before = [&](ir::Expr e) {
    return ir::substitute(e, [&](const ir::Node* n) { return n->op == ir::Op::Voltage ? before : ir::Expr(); });
  };
  auto read_written = [&](ir::Expr e) {
    return ir::substitute(e, [&](const ir::Node* n) {
      return n->op == ir::Op::State && n->name == written ? ir::voltage() : ir::Expr();
    });
  };
  split.body.new_states.clear();
  for (const auto& s : g.new_states)
    if (s.name != ir::kVoltage) split.body.new_states.push_back({s.name, read_before(s.expr)});
  for (auto& c : split.body.currents) c.expr = read_written(c.expr);
  split.body.voltage_term = read_written(g.voltage_term);
  split.body.constant_term = read_written(g.constant_term);
  return split;
}

}  // namespace

EmittedKernel emit_kernel(const ir::KernelIR& kernel, bool float32, bool block_functions) {
  EmittedKernel out;
  out.context = std::make_unique<llvm::LLVMContext>();
  out.module = std::make_unique<llvm::Module>("ranvier_kernel", *out.context);
  llvm::Type* t = float32 ? llvm::Type::getFloatTy(*out.context) : llvm::Type::getDoubleTy(*out.context);
  GroupEmitter emitter(*out.module, t, out.arrays);
  const bool networked = block_functions && !kernel.synapses.empty();
  for (std::size_t g = 0; g < kernel.groups.size(); ++g) {
    std::optional<SplitGroup> split = networked ? split_voltage_write(kernel.groups[g]) : std::nullopt;
    out.group_functions.push_back(emitter.emit(split ? split->body : kernel.groups[g], g));
    if (block_functions) out.voltage_write_functions.push_back(split ? emitter.emit(split->write, "voltage_write_" + std::to_string(g)) : "");
  }
  // Synapse kernels: called alone (the adjoint's runtime fills their voltage inputs), or,
  // with block functions, only from those (gathering the voltages themselves).
  if (!block_functions)
    for (std::size_t s = 0; s < kernel.synapses.size(); ++s) out.synapse_functions.push_back(emitter.emit(kernel.synapses[s], s, false));
  if (block_functions && !kernel.synapses.empty()) {
    std::vector<BlockSynapses> synapses;
    for (std::size_t s = 0; s < kernel.synapses.size(); ++s)
      synapses.push_back({kernel.synapses[s].type, emitter.emit(kernel.synapses[s], s, true)});
    for (std::size_t g = 0; g < kernel.groups.size(); ++g)
      out.block_functions.push_back(emit_block_function(*out.module, t, out.arrays, g, out.group_functions[g], synapses));
  }
  for (std::size_t g = 0; g < kernel.adjoints.size(); ++g)
    out.adjoint_functions.push_back(emitter.emit(kernel.adjoints[g], "adjoint_" + std::to_string(g)));
  for (std::size_t g = 0; g < kernel.synapse_adjoints.size(); ++g)
    out.synapse_adjoint_functions.push_back(emitter.emit(kernel.synapse_adjoints[g], "synapse_adjoint_" + std::to_string(g)));
  std::string err;
  llvm::raw_string_ostream os(err);
  if (llvm::verifyModule(*out.module, &os)) RANVIER_ASSERT(false && "emitted kernel IR does not verify");
  return out;
}

}  // namespace ranvier::llvm_backend

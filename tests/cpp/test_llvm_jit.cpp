// The ORC JIT wrapper (codegen/llvm/jit.h): compile small modules built with IRBuilder,
// call them, inspect the text it keeps, and check that code is freed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "codegen/llvm/jit.h"
#include "codegen/llvm/vector_exp.h"
#include "ir/error.h"
#include "ir/exp_reference.h"

namespace {

using ranvier::llvm_backend::CompiledCode;
using ranvier::llvm_backend::Jit;

struct ModuleInContext {
  std::unique_ptr<llvm::LLVMContext> ctx = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module = std::make_unique<llvm::Module>("test", *ctx);
};

using BodyFn = std::function<llvm::Value*(llvm::IRBuilder<>&, llvm::Value* /*x[i]*/,
                                          llvm::Function* /*f*/)>;

// void name(T* noalias y, const T* noalias x, i64 n) { for (i = 0; i < n; ++i) y[i] = body(x[i]); }
llvm::Function* make_map_loop(llvm::Module& m, const std::string& name, llvm::Type* elem,
                              const BodyFn& body, unsigned extra_double_args = 0) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::Type* ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type* i64 = llvm::Type::getInt64Ty(ctx);
  std::vector<llvm::Type*> params = {ptr, ptr, i64};
  for (unsigned i = 0; i < extra_double_args; ++i) params.push_back(llvm::Type::getDoubleTy(ctx));
  auto* fn_type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), params, false);
  auto* f = llvm::Function::Create(fn_type, llvm::Function::ExternalLinkage, name, m);
  f->addParamAttr(0, llvm::Attribute::NoAlias);
  f->addParamAttr(1, llvm::Attribute::NoAlias);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Value* y = f->getArg(0);
  llvm::Value* x = f->getArg(1);
  llvm::Value* n = f->getArg(2);

  auto* entry = llvm::BasicBlock::Create(ctx, "entry", f);
  auto* loop = llvm::BasicBlock::Create(ctx, "loop", f);
  auto* exit = llvm::BasicBlock::Create(ctx, "exit", f);
  llvm::IRBuilder<> b(entry);
  b.CreateCondBr(b.CreateICmpSGT(n, b.getInt64(0)), loop, exit);
  b.SetInsertPoint(loop);
  llvm::PHINode* i = b.CreatePHI(i64, 2, "i");
  i->addIncoming(b.getInt64(0), entry);
  llvm::Value* xi = b.CreateLoad(elem, b.CreateInBoundsGEP(elem, x, i), "xi");
  llvm::Value* yi = body(b, xi, f);
  b.CreateStore(yi, b.CreateInBoundsGEP(elem, y, i));
  llvm::Value* next = b.CreateAdd(i, b.getInt64(1), "next", /*HasNUW=*/true, /*HasNSW=*/true);
  i->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpSLT(next, n), loop, exit);
  b.SetInsertPoint(exit);
  b.CreateRetVoid();
  return f;
}

// double name() { return value; }
void make_constant_function(llvm::Module& m, const std::string& name, double value) {
  llvm::LLVMContext& ctx = m.getContext();
  auto* f = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getDoubleTy(ctx), false),
                                   llvm::Function::ExternalLinkage, name, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
  b.CreateRet(llvm::ConstantFP::get(llvm::Type::getDoubleTy(ctx), value));
}

std::unique_ptr<CompiledCode> compile(ModuleInContext mc, bool keep_text = false) {
  return Jit::instance().compile(std::move(mc.module), std::move(mc.ctx), keep_text);
}

}  // namespace

TEST(LlvmJit, HostDescription) {
  Jit& jit = Jit::instance();
  EXPECT_FALSE(jit.cpu_name().empty());
  EXPECT_FALSE(jit.triple().empty());
  EXPECT_FALSE(jit.data_layout().empty());
  EXPECT_GE(jit.vector_bits(), 128u);
  EXPECT_EQ(&Jit::instance(), &jit);
#if defined(__x86_64__)
  EXPECT_TRUE(jit.has_feature("sse2")) << jit.features();
  EXPECT_FALSE(jit.has_feature("sse4"));  // whole names only ("sse4.1", "sse4.2" exist)
#endif
}

TEST(LlvmJit, AxpyLoop) {
  ModuleInContext mc;
  llvm::Type* dbl = llvm::Type::getDoubleTy(*mc.ctx);
  make_map_loop(*mc.module, "axpy", dbl,
                [](llvm::IRBuilder<>& b, llvm::Value* xi, llvm::Function* f) {
                  return b.CreateFAdd(b.CreateFMul(f->getArg(3), xi), f->getArg(4));
                },
                /*extra_double_args=*/2);
  auto code = compile(std::move(mc), /*keep_text=*/true);
  auto* axpy = code->function<void(double*, const double*, std::int64_t, double, double)>("axpy");

  for (std::int64_t n : {0, 1, 3, 4, 7, 16, 17, 1001}) {
    std::vector<double> x(n), y(n, -1.0);
    for (std::int64_t i = 0; i < n; ++i) x[i] = static_cast<double>(i) - 5.0;
    axpy(y.data(), x.data(), n, 2.0, 0.5);
    for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(y[i], 2.0 * x[i] + 0.5) << "n=" << n << " i=" << i;
  }
  EXPECT_NE(code->ir_before.find("define void @axpy"), std::string::npos);
  EXPECT_NE(code->ir_after.find("define void @axpy"), std::string::npos);
  EXPECT_NE(code->ir_after.find("target-cpu"), std::string::npos);
  EXPECT_NE(code->assembly.find("axpy"), std::string::npos);
  EXPECT_EQ(code->symbols(), std::vector<std::string>{"axpy"});
  EXPECT_GE(code->optimize_seconds, 0.0);
  EXPECT_GT(code->codegen_seconds, 0.0);
}

TEST(LlvmJit, NoTextUnlessAsked) {
  ModuleInContext mc;
  make_constant_function(*mc.module, "one", 1.0);
  auto code = compile(std::move(mc), /*keep_text=*/false);
  EXPECT_TRUE(code->ir_before.empty());
  EXPECT_TRUE(code->ir_after.empty());
  EXPECT_TRUE(code->assembly.empty());
  EXPECT_EQ(code->function<double()>("one")(), 1.0);
}

TEST(LlvmJit, ExpLoopVectorizes) {
  ModuleInContext mc;
  llvm::Type* dbl = llvm::Type::getDoubleTy(*mc.ctx);
  make_map_loop(*mc.module, "vexp", dbl, [](llvm::IRBuilder<>& b, llvm::Value* xi, llvm::Function*) {
    return ranvier::llvm_backend::emit_exp(b, xi);
  });
  auto code = compile(std::move(mc), /*keep_text=*/true);
  auto* vexp = code->function<void(double*, const double*, std::int64_t)>("vexp");
  std::printf("[llvm jit] exp loop on %s: optimize %.1f ms, codegen + link %.1f ms\n",
              Jit::instance().cpu_name().c_str(), 1e3 * code->optimize_seconds,
              1e3 * code->codegen_seconds);

  const std::int64_t n = 1003;
  std::vector<double> x(n), y(n);
  for (std::int64_t i = 0; i < n; ++i) x[i] = -30.0 + 0.0637 * static_cast<double>(i);
  vexp(y.data(), x.data(), n);
  for (std::int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(y[i], ranvier::exp_reference(x[i])) << "x=" << x[i];
    ASSERT_NEAR(y[i], std::exp(x[i]), 1e-15 * std::exp(x[i]));
  }

  // No libm call survives, and the exp uses the fma intrinsic (a true fma, not fmuladd).
  EXPECT_EQ(code->ir_after.find("@exp("), std::string::npos);
  EXPECT_EQ(code->ir_after.find("fmuladd"), std::string::npos);
  EXPECT_NE(code->ir_after.find("@llvm.fma."), std::string::npos);
  Jit& jit = Jit::instance();
  if (jit.has_feature("avx2") && jit.has_feature("fma")) {
    // Vectorized for the host: packed-double FMAs of 256 bits (ymm), or 512 (zmm) where the
    // CPU's tuning prefers them (LLVM does on znver4; on Intel AVX-512 it stays at 256).
    const bool wide = jit.vector_bits() >= 512;
    EXPECT_NE(code->ir_after.find(wide ? "<8 x double>" : "<4 x double>"), std::string::npos) << jit.vector_bits() << " bits";
    EXPECT_NE(code->assembly.find("vfmadd"), std::string::npos);
    EXPECT_NE(code->assembly.find(wide ? "pd\t%zmm" : "pd\t%ymm"), std::string::npos) << code->assembly;
    EXPECT_EQ(code->assembly.find("call"), std::string::npos) << code->assembly;
  } else {
    GTEST_SKIP() << "host " << jit.cpu_name() << " has no AVX2+FMA; vector checks skipped";
  }
}

TEST(LlvmJit, CallsIntoLibm) {
  // Process symbols (libm here) resolve from JIT code.
  ModuleInContext mc;
  llvm::Type* dbl = llvm::Type::getDoubleTy(*mc.ctx);
  llvm::FunctionCallee cosf = mc.module->getOrInsertFunction(
      "cos", llvm::FunctionType::get(dbl, {dbl}, false));
  make_map_loop(*mc.module, "vcos", dbl, [&](llvm::IRBuilder<>& b, llvm::Value* xi, llvm::Function*) {
    return b.CreateCall(cosf, {xi});
  });
  auto code = compile(std::move(mc));
  std::vector<double> x = {0.0, 0.5, 1.0, 2.0, 3.0}, y(5);
  code->function<void(double*, const double*, std::int64_t)>("vcos")(y.data(), x.data(), 5);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], std::cos(x[i]), 1e-15);
}

TEST(LlvmJit, ModulesAreIndependentAndFreed) {
  Jit& jit = Jit::instance();
  const std::size_t before = jit.live_modules();
  std::unique_ptr<CompiledCode> a, b;
  {
    ModuleInContext mc;
    make_constant_function(*mc.module, "value", 1.0);
    a = compile(std::move(mc));
  }
  {
    ModuleInContext mc;
    make_constant_function(*mc.module, "value", 2.0);  // same name, another module
    b = compile(std::move(mc));
  }
  EXPECT_EQ(jit.live_modules(), before + 2);
  auto* fa = a->function<double()>("value");
  auto* fb = b->function<double()>("value");
  EXPECT_NE(reinterpret_cast<void*>(fa), reinterpret_cast<void*>(fb));
  EXPECT_EQ(fa(), 1.0);
  EXPECT_EQ(fb(), 2.0);
  a.reset();  // frees a's code (its JITDylib and everything tracked in it)
  EXPECT_EQ(jit.live_modules(), before + 1);
  EXPECT_EQ(fb(), 2.0);
  b.reset();
  EXPECT_EQ(jit.live_modules(), before);

  // Many compile/free cycles leave nothing behind.
  for (int i = 0; i < 50; ++i) {
    ModuleInContext mc;
    make_constant_function(*mc.module, "value", i);
    auto code = compile(std::move(mc));
    ASSERT_EQ(code->function<double()>("value")(), static_cast<double>(i));
  }
  EXPECT_EQ(jit.live_modules(), before);
}

TEST(LlvmJit, UnknownSymbolIsAnError) {
  ModuleInContext mc;
  make_constant_function(*mc.module, "value", 1.0);
  auto code = compile(std::move(mc));
  EXPECT_FALSE(code->contains("nope"));
  try {
    code->lookup("nope");
    FAIL() << "expected ranvier::Error";
  } catch (const ranvier::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("value"), std::string::npos) << e.what();
  }
}

TEST(LlvmJit, UnresolvedExternalIsAnErrorAndLeavesNothing) {
  Jit& jit = Jit::instance();
  const std::size_t before = jit.live_modules();
  ModuleInContext mc;
  llvm::Type* dbl = llvm::Type::getDoubleTy(*mc.ctx);
  llvm::FunctionCallee missing = mc.module->getOrInsertFunction(
      "ranvier_no_such_function_anywhere", llvm::FunctionType::get(dbl, {dbl}, false));
  make_map_loop(*mc.module, "calls_missing", dbl, [&](llvm::IRBuilder<>& b, llvm::Value* xi, llvm::Function*) {
    return b.CreateCall(missing, {xi});
  });
  EXPECT_THROW(compile(std::move(mc)), ranvier::Error);
  EXPECT_EQ(jit.live_modules(), before);
}

TEST(LlvmJit, InvalidIrIsAnInternalError) {
  ModuleInContext mc;
  auto* f = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getDoubleTy(*mc.ctx), false),
      llvm::Function::ExternalLinkage, "broken", *mc.module);
  llvm::BasicBlock::Create(*mc.ctx, "entry", f);  // no terminator
  try {
    compile(std::move(mc));
    FAIL() << "expected an internal error";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("internal error"), std::string::npos) << e.what();
  }
}

TEST(LlvmJit, ConcurrentCompiles) {
  constexpr int kThreads = 4;
  std::vector<double> results(kThreads, 0.0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &results] {
      ModuleInContext mc;
      make_constant_function(*mc.module, "value", 10.0 + t);
      auto code = compile(std::move(mc));
      results[t] = code->function<double()>("value")();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(results[t], 10.0 + t);
}

#include "codegen/llvm/jit.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <type_traits>
#include <utility>

#include <llvm/ADT/SmallString.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/Analysis/TargetTransformInfo.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include "ir/error.h"

namespace ranvier::llvm_backend {

namespace {

[[noreturn]] void internal_error(const std::string& what) {
  throw std::logic_error("ranvier internal error: " + what);
}

// Every llvm::Error / llvm::Expected becomes a ranvier::Error naming what was attempted.
void check(llvm::Error err, const char* what) {
  if (err) fail("LLVM JIT: {} failed: {}", what, llvm::toString(std::move(err)));
}

template <typename T>
T check(llvm::Expected<T> value, const char* what) {
  if (!value) fail("LLVM JIT: {} failed: {}", what, llvm::toString(value.takeError()));
  if constexpr (std::is_reference_v<T>)
    return *value;
  else
    return std::move(*value);
}

std::string print(const llvm::Module& m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  m.print(os, nullptr);
  os.flush();
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

struct Jit::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  // The host TargetMachine: created by LLJIT's compile-function creator from the very
  // JITTargetMachineBuilder LLJIT uses, so the optimizer and the code generator share it.
  std::unique_ptr<llvm::TargetMachine> tm;
  std::string cpu, features, triple, data_layout;
  unsigned vector_bits = 0;
  // Serializes compile() and release(): the shared TargetMachine is not thread-safe.
  mutable std::mutex mutex;
  std::set<std::string> live;
  std::uint64_t counter = 0;
  // Set while compile() runs: errors the session reports then also come back to compile()
  // through an llvm::Expected, so the session's own report would only repeat them.
  std::atomic<bool> compiling{false};
};

Jit& Jit::instance() {
  static Jit* jit = new Jit();  // intentionally leaked, see jit.h
  return *jit;
}

Jit::Jit() : impl_(std::make_unique<Impl>()) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::InitializeNativeTargetAsmParser();

  auto jtmb = check(llvm::orc::JITTargetMachineBuilder::detectHost(), "detecting the host target");
  jtmb.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);

  Impl* impl = impl_.get();
  llvm::orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(std::move(jtmb));
  builder.setCompileFunctionCreator(
      [impl](llvm::orc::JITTargetMachineBuilder final_jtmb)
          -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
        auto tm = final_jtmb.createTargetMachine();
        if (!tm) return tm.takeError();
        impl->tm = std::move(*tm);
        return std::make_unique<llvm::orc::SimpleCompiler>(*impl->tm);
      });
  impl->jit = check(builder.create(), "creating the ORC LLJIT");
  RANVIER_ASSERT(impl->tm != nullptr);
  impl->jit->getExecutionSession().setErrorReporter([impl](llvm::Error err) {
    const std::string message = llvm::toString(std::move(err));
    if (!impl->compiling.load()) std::fprintf(stderr, "ranvier: LLVM JIT session error: %s\n", message.c_str());
  });

  llvm::TargetMachine& tm = *impl->tm;
  impl->cpu = tm.getTargetCPU().str();
  impl->features = tm.getTargetFeatureString().str();
  impl->triple = tm.getTargetTriple().str();
  impl->data_layout = tm.createDataLayout().getStringRepresentation();
  RANVIER_ASSERT(impl->data_layout == impl->jit->getDataLayout().getStringRepresentation());

  // The vector register width the vectorizer will use, asked from the target's TTI.
  llvm::LLVMContext ctx;
  llvm::Module m("ranvier.probe", ctx);
  m.setDataLayout(tm.createDataLayout());
  auto* f = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false),
                                   llvm::Function::ExternalLinkage, "probe", m);
  llvm::TargetTransformInfo tti = tm.getTargetTransformInfo(*f);
  impl->vector_bits = static_cast<unsigned>(
      tti.getRegisterBitWidth(llvm::TargetTransformInfo::RGK_FixedWidthVector).getFixedValue());
}

Jit::~Jit() = default;

std::string Jit::cpu_name() const { return impl_->cpu; }
std::string Jit::features() const { return impl_->features; }
std::string Jit::triple() const { return impl_->triple; }
std::string Jit::data_layout() const { return impl_->data_layout; }
unsigned Jit::vector_bits() const { return impl_->vector_bits; }
llvm::TargetMachine& Jit::target_machine() const { return *impl_->tm; }

bool Jit::has_feature(const std::string& name) const {
  const std::string& f = impl_->features;
  const std::string want = "+" + name;
  std::size_t pos = 0;
  while ((pos = f.find(want, pos)) != std::string::npos) {
    const std::size_t end = pos + want.size();
    if ((pos == 0 || f[pos - 1] == ',') && (end == f.size() || f[end] == ',')) return true;
    pos = end;
  }
  return false;
}

std::size_t Jit::live_modules() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  for (const std::string& name : impl_->live)
    RANVIER_ASSERT(impl_->jit->getExecutionSession().getJITDylibByName(name) != nullptr);
  return impl_->live.size();
}

namespace {

// O3 with the host TargetMachine: its TargetTransformInfo (vector widths, costs) and a
// TargetLibraryInfo for its triple, with loop vectorization on and SLP vectorization off: the
// loop vectorizer already widens every kernel over compartments and lanes, and SLP only
// repacks the scalar remainder loop into 2-lane pairs, whose shuffles lengthen the dependency
// chain that a single compartment's step is (one HH compartment, B = 1: ~230 -> ~180 ns per
// step, 2026-11-26; throughput cases unchanged within noise).
void optimize(llvm::Module& m, llvm::TargetMachine& tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;

  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = true;
  pto.SLPVectorization = false;
  pto.LoopInterleaving = true;
  pto.LoopUnrolling = true;
  llvm::PassBuilder pb(&tm, pto);

  llvm::TargetLibraryInfoImpl tlii(llvm::Triple(m.getTargetTriple()));
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);

  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(m, mam);
}

std::string emit_assembly(const llvm::Module& m, llvm::TargetMachine& tm) {
  std::unique_ptr<llvm::Module> clone = llvm::CloneModule(m);  // codegen mutates the IR
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
    fail("LLVM JIT: target {} cannot emit assembly", tm.getTargetTriple().str());
  pm.run(*clone);
  return std::string(buffer.str());
}

}  // namespace

std::unique_ptr<CompiledCode> Jit::compile(std::unique_ptr<llvm::Module> module,
                                           std::unique_ptr<llvm::LLVMContext> context,
                                           bool keep_text) {
  RANVIER_ASSERT(module != nullptr && context != nullptr);
  RANVIER_ASSERT(&module->getContext() == context.get());
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> lock(impl.mutex);
  impl.compiling.store(true);
  struct ClearFlag {
    std::atomic<bool>& flag;
    ~ClearFlag() { flag.store(false); }
  } clear_flag{impl.compiling};
  llvm::TargetMachine& tm = *impl.tm;
  auto code = std::unique_ptr<CompiledCode>(new CompiledCode());
  code->jit_ = this;

  // The module is made for this host: data layout, triple, and CPU attributes on every
  // function definition that does not name its own.
  module->setDataLayout(tm.createDataLayout());
  module->setTargetTriple(tm.getTargetTriple().str());
  for (llvm::Function& f : *module) {
    if (f.isDeclaration()) continue;
    if (!f.hasFnAttribute("target-cpu")) f.addFnAttr("target-cpu", impl.cpu);
    if (!f.hasFnAttribute("target-features")) f.addFnAttr("target-features", impl.features);
  }
  if (keep_text) code->ir_before = print(*module);

  {
    std::string message;
    llvm::raw_string_ostream os(message);
    if (llvm::verifyModule(*module, &os)) {
      os.flush();
      internal_error("invalid LLVM IR in module '" + module->getName().str() + "': " + message);
    }
  }

  auto start = std::chrono::steady_clock::now();
  optimize(*module, tm);
  code->optimize_seconds = seconds_since(start);
  if (keep_text) {
    code->ir_after = print(*module);
    code->assembly = emit_assembly(*module, tm);
  }

  // Names of every definition the module exports (after optimization).
  std::vector<std::string> names;
  for (const llvm::GlobalValue& g : module->global_values()) {
    if (g.isDeclarationForLinker() || g.hasLocalLinkage()) continue;
    if (!g.hasName() || g.getName().starts_with("llvm.")) continue;
    names.push_back(g.getName().str());
  }

  // One JITDylib per module: modules are independent, and removing it frees everything.
  start = std::chrono::steady_clock::now();
  llvm::orc::ExecutionSession& es = impl.jit->getExecutionSession();
  const std::string dylib_name = "ranvier.module." + std::to_string(impl.counter++);
  llvm::orc::JITDylib& dylib = check(impl.jit->createJITDylib(dylib_name), "creating a JITDylib");
  code->dylib_ = &dylib;
  impl.live.insert(dylib_name);
  // If anything below throws, the dylib is removed here, under the lock we hold.
  auto add_and_link = [&] {
    check(impl.jit->addIRModule(dylib, llvm::orc::ThreadSafeModule(std::move(module), std::move(context))),
          "adding the module to the JIT");
    if (names.empty()) return;
    llvm::orc::SymbolLookupSet lookup_set;
    std::vector<llvm::orc::SymbolStringPtr> interned;
    for (const std::string& name : names) {
      interned.push_back(impl.jit->mangleAndIntern(name));
      lookup_set.add(interned.back());
    }
    llvm::orc::SymbolMap resolved = check(
        es.lookup(llvm::orc::makeJITDylibSearchOrder(&dylib, llvm::orc::JITDylibLookupFlags::MatchAllSymbols),
                  std::move(lookup_set)),
        "compiling and linking the module");
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto it = resolved.find(interned[i]);
      RANVIER_ASSERT(it != resolved.end());
      code->symbols_.emplace(names[i], it->second.getAddress().toPtr<void*>());
    }
  };
  try {
    add_and_link();
  } catch (...) {
    release_locked(*code);
    code->jit_ = nullptr;
    throw;
  }
  code->codegen_seconds = seconds_since(start);
  return code;
}

void Jit::release_locked(CompiledCode& code) noexcept {
  if (code.dylib_ == nullptr) return;
  const std::string name = code.dylib_->getName();
  if (llvm::Error err = impl_->jit->getExecutionSession().removeJITDylib(*code.dylib_)) {
    // Destructors cannot throw: report and go on (the code stays mapped, nothing dangles).
    std::fprintf(stderr, "ranvier: LLVM JIT: freeing %s failed: %s\n", name.c_str(),
                 llvm::toString(std::move(err)).c_str());
  }
  impl_->live.erase(name);
  code.dylib_ = nullptr;
}

void Jit::release(CompiledCode& code) noexcept {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  release_locked(code);
}

CompiledCode::~CompiledCode() {
  if (jit_ != nullptr && dylib_ != nullptr) jit_->release(*this);
}

void* CompiledCode::lookup(const std::string& name) const {
  auto it = symbols_.find(name);
  if (it == symbols_.end()) {
    std::string known;
    for (const std::string& s : symbols()) known += (known.empty() ? "" : ", ") + s;
    fail("compiled code has no symbol '{}' (it defines: {})", name, known.empty() ? "nothing" : known);
  }
  return it->second;
}

std::vector<std::string> CompiledCode::symbols() const {
  std::vector<std::string> out;
  out.reserve(symbols_.size());
  for (const auto& [name, address] : symbols_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ranvier::llvm_backend

#pragma once
// The LLVM JIT: one ORC LLJIT per process, set up for the host CPU. The host TargetMachine
// (CPU name and features) is the one the optimizer uses (O3 pipeline with the target's
// TargetTransformInfo and TargetLibraryInfo, so loops vectorize for the host) and the one
// that generates the machine code.
//
// This header includes no LLVM header: the rest of the project can use it as is.
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
namespace orc {
class JITDylib;
}  // namespace orc
}  // namespace llvm

namespace ranvier::llvm_backend {

class Jit;

// The machine code of one compiled module. Its symbols stay valid while this object lives;
// destroying it frees the code and data (its JITDylib and all resources tracked in it are
// removed from the JIT).
class CompiledCode {
 public:
  ~CompiledCode();
  CompiledCode(const CompiledCode&) = delete;
  CompiledCode& operator=(const CompiledCode&) = delete;

  // Address of a symbol defined (with external linkage) by the module; throws
  // ranvier::Error naming the symbol if the module does not define it.
  void* lookup(const std::string& name) const;
  // The address as a function pointer, e.g. function<void(double*, long)>("step").
  template <typename Signature>
  Signature* function(const std::string& name) const {
    return reinterpret_cast<Signature*>(lookup(name));
  }
  bool contains(const std::string& name) const { return symbols_.count(name) != 0; }
  // Names of all symbols that lookup() can find, sorted.
  std::vector<std::string> symbols() const;

  // Filled only when compile() was asked to keep text: the IR as given (after the data
  // layout and triple were set), the IR after optimization, and the host assembly.
  std::string ir_before, ir_after, assembly;
  // Wall-clock seconds spent optimizing, and generating + linking machine code.
  double optimize_seconds = 0.0, codegen_seconds = 0.0;

 private:
  friend class Jit;
  CompiledCode() = default;
  Jit* jit_ = nullptr;
  llvm::orc::JITDylib* dylib_ = nullptr;
  std::unordered_map<std::string, void*> symbols_;
};

class Jit {
 public:
  // The process-wide JIT, created on first use (thread-safe) and never destroyed, so that
  // CompiledCode objects may outlive static destruction order.
  static Jit& instance();

  // Optimizes (O3, host CPU) and compiles a module whose context is ctx; takes ownership of
  // both. The module's data layout and target triple are set to the host's first. Every
  // externally visible definition is resolved before this returns (compilation is eager),
  // so lookups on the result never compile. Modules are independent: two live modules may
  // define the same symbol names. Invalid IR is an internal error (std::logic_error with
  // the verifier's message). Thread-safe (compilations are serialized).
  std::unique_ptr<CompiledCode> compile(std::unique_ptr<llvm::Module> module,
                                        std::unique_ptr<llvm::LLVMContext> context,
                                        bool keep_text = false);

  std::string cpu_name() const;     // e.g. "znver3"
  std::string features() const;     // e.g. "+avx2,+fma,..."
  std::string triple() const;       // e.g. "x86_64-pc-linux-gnu"
  std::string data_layout() const;  // the data layout string modules get
  bool has_feature(const std::string& name) const;  // has_feature("fma"), ("avx512f")
  // Width in bits of the vector registers the vectorizer targets on this host (e.g. 256).
  unsigned vector_bits() const;
  // The host TargetMachine (for emitters that want to query it); owned by the JIT.
  llvm::TargetMachine& target_machine() const;
  // Number of compiled modules currently alive (for tests and diagnostics).
  std::size_t live_modules() const;

 private:
  friend class CompiledCode;
  Jit();
  ~Jit();
  void release(CompiledCode& code) noexcept;
  void release_locked(CompiledCode& code) noexcept;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ranvier::llvm_backend

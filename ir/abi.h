#pragma once
// The ABI between generated code and the runtime: what a backend hands the runtime after
// compiling a lowered program. Kernels take one pointer table (one entry per array, named
// in `arrays`, laid out node-major with the batch lanes innermost) and a range; the runtime
// fills the table and calls them. Backends produce these structs, the runtime consumes
// them, and neither includes the other.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ranvier::ir {

// Arrays a kernel reads or writes besides states, parameters and the names in ir/kernel.h.
inline constexpr const char* kVoltage = "v";                     // mV, per node
inline constexpr const char* kVoltageTerm = "__voltage_term";    // 1/ms, per compartment
inline constexpr const char* kConstantTerm = "__constant_term";  // mV/ms, per compartment
// Networks with channels that write v (Fire, ...): the voltage before the step, per node,
// saved by the voltage-write functions for the group bodies' state updates.
inline constexpr const char* kVoltageBefore = "__v_before";      // mV

// A compiled group kernel: void f(T** arrays, int64 begin, int64 end, T dt), elementwise over
// compartment-lanes [begin, end).
using GroupFnF64 = void (*)(double** arrays, std::int64_t begin, std::int64_t end, double dt);
using GroupFnF32 = void (*)(float** arrays, std::int64_t begin, std::int64_t end, float dt);
// A compiled block function: synapses onto compartments [comp_begin, comp_end), their sums,
// and the group's body, for B lanes.
using BlockFnF64 = void (*)(double** arrays, std::int64_t comp_begin, std::int64_t comp_end, double dt, std::int64_t B);
using BlockFnF32 = void (*)(float** arrays, std::int64_t comp_begin, std::int64_t comp_end, float dt, std::int64_t B);

// The forward step's kernels (the batched time loop runs them).
struct KernelBinding {
  std::vector<std::string> arrays;  // names of the pointer-table entries
  std::vector<void*> groups;        // one function per kernel group
  std::vector<void*> blocks;        // networks: one block function per group (required with synapses)
  // Networks: per group, a GroupFn that saves v into kVoltageBefore and writes the voltage of
  // its channels (Fire, ...) into v, run on every compartment before any block function (so
  // every synapse reads the written voltage); nullptr for groups without such channels.
  std::vector<void*> voltage_writes;
  bool float32 = false;
  std::shared_ptr<const void> owner;  // keeps the machine code alive as long as the binding
};

// The forward and reverse kernels gradients run (double precision, B = 1): per kernel group
// its body and its adjoint, per synapse type its step and its adjoint.
struct AdjointBinding {
  std::vector<std::string> arrays;  // names of the pointer-table entries
  std::vector<GroupFnF64> forward, adjoint;
  std::vector<GroupFnF64> synapse_forward, synapse_adjoint;
  std::shared_ptr<const void> owner;
};

}  // namespace ranvier::ir

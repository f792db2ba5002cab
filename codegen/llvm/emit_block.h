#pragma once
// The block function of a group in a network: one compiled function that, for a range of the
// group's compartments, updates every synapse onto them, sums their terms into each
// compartment, and runs the group's body, so that the runtime makes one call per group and
// block of cells:
//   void ranvier_block_<g>(T** arrays, int64 comp_begin, int64 comp_end, T dt, int64 B)
// 1. Per synapse type, its gathered kernel over the stored synapses onto [comp_begin,
//    comp_end) (a contiguous range: the runtime stores synapses in postsynaptic order),
//    reading v through the flat index arrays, with the voltages before the step.
// 2. Per compartment and lane, the type's terms summed in synapse order, type after type,
//    into kSynapseLinear / kSynapseConstantSum, in the reference interpreter's order (the
//    result is bit-identical to its scatter-add).
// 3. The group's body over the same compartments, which reads those sums.
// Steps 1 and 3 stay vectorizable loops of their own (over synapse-lanes and
// compartment-lanes); only the sums, whose trip counts vary per compartment, are scalar.
#include <string>
#include <vector>

namespace llvm {
class Module;
class Type;
}  // namespace llvm

namespace ranvier::llvm_backend {

struct BlockSynapses {
  std::string type;      // synapse type name (suffix of its arrays)
  std::string function;  // its gathered kernel: void f(T** arrays, int64 begin, int64 end, T dt)
};

// Emits the block function of group `group` (whose body is the function `group_function`)
// into `module`, adding the arrays it reads to `arrays`; returns its name.
std::string emit_block_function(llvm::Module& module, llvm::Type* t, std::vector<std::string>& arrays, std::size_t group,
                                const std::string& group_function, const std::vector<BlockSynapses>& synapses);

}  // namespace ranvier::llvm_backend

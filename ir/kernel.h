#pragma once
// The kernel IR: what the passes make of a model's mechanisms for code generation. One fused
// body per compartment group (compartments with the same set of mechanisms): the new value of
// every state, the linearised membrane terms and the membrane currents, all as expressions
// of the state before the step, v, dt and parameters.
#include <string>
#include <utility>
#include <vector>

#include "ir/expr.h"
#include "ir/mechanism.h"

namespace ranvier::ir {

// Names of the per-compartment inputs a fused body reads besides mechanism parameters.
inline constexpr const char* kExternalCurrent = "__i_ext";  // uA/cm^2, the stimulus of this step
inline constexpr const char* kCapacitance = "capacitance";  // uF/cm^2
// A State leaf named "<state>'" in a current is the state's value after this step's update.
inline constexpr const char* kUpdatedSuffix = "'";

struct KernelGroup {
  std::vector<std::string> mechanisms;      // in insertion order
  std::vector<std::pair<int, int>> runs;    // [begin, end) ranges of consecutive compartments
  std::vector<NamedExpr> new_states;        // state -> value after the step
  std::vector<NamedExpr> currents;          // current name -> membrane current (mA/cm^2)
  std::vector<NamedExpr> mechanism_currents;  // mechanism name -> its current with updated states
  // Linearised membrane equation: dv/dt = -voltage_term * v + constant_term + axial terms.
  Expr voltage_term;   // 1/ms
  Expr constant_term;  // mV/ms (includes the external current)
  // Partial results kept for printing after the linearise pass.
  Expr conductance;    // sum over mechanisms of dI/dv (mS/cm^2 / 1000)
  Expr constant;       // sum over mechanisms of -(I - g v)
};

// A synapse type's step, elementwise over its synapses (networks). Leaves: the type's params
// and states (per-synapse arrays), dt, and per-synapse gathered inputs named
// "<input>@<type>" (kSynapseVPre, kSynapseVPost, kSynapseAreaPost): per-synapse copies of
// the voltages and areas of each synapse's compartments, which the runtime fills (the
// compiled forward step's block functions read the voltages through index arrays instead).
inline constexpr const char* kSynapseVPre = "__v_pre";          // mV
inline constexpr const char* kSynapseVPost = "__v_post";        // mV
inline constexpr const char* kSynapseAreaPost = "__area_post";  // um^2
inline constexpr const char* kSynapseConductance = "__syn_g";   // output: 1/ms-like, into the post diagonal
inline constexpr const char* kSynapseConstant = "__syn_c";      // output: uA/cm^2, subtracted from the post constant
// Per compartment, the scatter-added synaptic terms a fused group body reads when the model
// has synapses (uA/cm^2 per mV and uA/cm^2, not yet divided by the capacitance).
inline constexpr const char* kSynapseLinear = "__syn_lin";
inline constexpr const char* kSynapseConstantSum = "__syn_cst";
inline std::string synapse_array(const std::string& input, const std::string& type) { return input + "@" + type; }
// For compiled block functions (codegen/llvm/emit_block.h), int64 arrays per synapse type:
// the flat voltage index (node * B + lane) of each synapse-lane's pre and post compartment,
// which the kernel gathers v through instead of reading kSynapseVPre / kSynapseVPost; and per
// compartment x, where the synapses onto it begin in the type's (postsynaptic) order (x + 1:
// where they end).
inline constexpr const char* kSynapsePreIndex = "__pre_index";
inline constexpr const char* kSynapsePostIndex = "__post_index";
inline constexpr const char* kSynapseBegin = "__syn_begin";

struct SynapseKernel {
  std::string type;                  // the synapse type's name
  std::vector<NamedExpr> new_states;  // state -> value after the step
  std::vector<NamedExpr> outputs;     // "i_<type>" (nA), and the linearised terms under
                                      // synapse_array(kSynapseConductance / kSynapseConstant, type)
};

// The reverse-mode adjoint of one group's body (passes/derive_adjoint.h): elementwise over the
// group's compartments, it reads the body's inputs and the cotangents of its outputs and
// writes the cotangents of its inputs. Cotangent arrays are named cotangent_array(name); an
// output that shares its name with an input cotangent updates that array in place.
inline constexpr const char* kCotangentPrefix = "__g:";
inline std::string cotangent_array(const std::string& name) { return kCotangentPrefix + name; }

struct AdjointGroup {
  std::vector<NamedExpr> outputs;  // cotangent array -> its value after the reverse step
};

enum class Linearization {
  FiniteDifference,  // Jaxley: (I(v + 1e-3) - I(v)) / 1e-3
  Secant,            // (I(v + 1e-3) - I(v)) / ((v + 1e-3) - v), for float32
  Symbolic,          // exact dI/dv
};

struct KernelIR {
  std::vector<KernelGroup> groups;
  std::vector<SynapseKernel> synapses;     // one per synapse type, in the model's order
  std::vector<AdjointGroup> adjoints;      // one per group after derive_adjoint (gradients only)
  std::vector<AdjointGroup> synapse_adjoints;  // one per synapse kernel after derive_adjoint
  std::vector<std::string> state_names;    // every mechanism state, in first-declaration order
  std::vector<std::string> current_names;
  Linearization linearization = Linearization::FiniteDifference;
  std::string print() const;
  std::string print_adjoints() const;  // the adjoint sections of print() alone
};

}  // namespace ranvier::ir

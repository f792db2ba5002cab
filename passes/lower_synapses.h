#pragma once
// Lowers every synapse type of a network to a SynapseKernel: the state update, the current
// with the updated states, and its linearisation exactly as Jaxley's _synapse_currents does
// it: the current at (v_pre, v_post) and at (v_pre + 1e-3, v_post + 1e-3) (both perturbed),
// each converted nA -> uA/cm^2 with the postsynaptic area, g = (d1 - d0) / 1e-3 and
// c = d0 - g v_post. With the symbolic mode, g is the exact d/dh of the converted current
// at (v_pre + h, v_post + h), h = 0. The runtime scatter-adds g and c per type into the
// postsynaptic compartments (kSynapseLinear, kSynapseConstantSum), which linearize adds to
// the membrane terms.
#include "ir/kernel.h"
#include "ir/model.h"

namespace ranvier::passes {

ir::KernelIR lower_synapses(const ir::Model& model, ir::KernelIR k);

}  // namespace ranvier::passes

#pragma once
// The built-in synapse types, with Jaxley's names, defaults, units and operation order
// (jaxley/synapses/*.py, SEMANTICS.md §3.5). Parameters and states are prefixed with the
// type's name, e.g. "IonotropicSynapse_gS". Conductances in uS, voltages in mV, currents nA.
#include <string>
#include <vector>

#include "ir/synapse.h"

namespace ranvier::synapses {

SynapseType IonotropicSynapse();       // Abbott & Marder 1998; state _s; current i_IonotropicSynapse
SynapseType TanhRateSynapse();         // -gS tanh((v_pre - x_offset) slope); no state
SynapseType TanhConductanceSynapse();  // tanh((v_pre - x_offset) slope) gS (v_post - e_syn); no state

// A built-in by name; throws ranvier::KeyError for an unknown name.
SynapseType by_name(const std::string& name);
std::vector<std::string> builtin_names();

}  // namespace ranvier::synapses

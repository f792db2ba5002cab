#pragma once
// The built-in mechanisms, with Jaxley's names, defaults, units and quirks (SEMANTICS.md §3).
#include <string>
#include <vector>

#include "ir/mechanism.h"

namespace ranvier::channels {

Mechanism HH();    // Hodgkin-Huxley (Sterratt et al.), current i_HH
Mechanism Leak();  // passive leak, current i_Leak
Mechanism Na();    // Pospischil 2008 sodium, i_Na
Mechanism K();     // Pospischil delayed rectifier, i_K
Mechanism Km();    // Pospischil slow M-type potassium, i_K
Mechanism CaL();   // Pospischil high-threshold calcium, i_Ca
Mechanism CaT();   // Pospischil low-threshold calcium, i_Ca
// Simplified models that write the voltage (Jaxley 0.14 channels/non_capacitive), zero current:
Mechanism Fire();        // threshold reset (with Leak: LIF), state Fire_spikes
Mechanism Izhikevich();  // Izhikevich (2003), state Izhikevich_u
Mechanism Rate();        // v relaxes to 0 with Rate_tau
Mechanism AdEx();        // adaptive exponential integrate-and-fire, states AdEx_w, AdEx_spikes

// A built-in by name ("HH", "Leak", ...); throws ranvier::KeyError for an unknown name.
Mechanism by_name(const std::string& name);
std::vector<std::string> builtin_names();

}  // namespace ranvier::channels

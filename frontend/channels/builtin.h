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

// A built-in by name ("HH", "Leak", ...); throws ranvier::KeyError for an unknown name.
Mechanism by_name(const std::string& name);
std::vector<std::string> builtin_names();

}  // namespace ranvier::channels

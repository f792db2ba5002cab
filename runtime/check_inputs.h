#pragma once
// Checks of one simulation's inputs that runtime/prepare.cpp runs before anything is run, so
// that a NaN or inf never enters silently: every error names the input, the place and the value.
#include <vector>

#include "ir/model.h"
#include "runtime/options.h"

namespace ranvier::runtime {

// Every sample of every stimulus and clamp row is finite. The first `n_model_stimuli` stimuli
// (and `n_model_clamps` clamps) are the module's own, the rest data_stimuli / data_clamps.
void check_externals_finite(const std::vector<ir::StimulusRow>& stimuli, std::size_t n_model_stimuli,
                            const std::vector<ir::ClampRow>& clamps, std::size_t n_model_clamps);

// all_states: only names the model has ("v", mechanism states, membrane currents, synapse
// states and currents), each finite where it is defined (v everywhere; a mechanism's states and
// current where the mechanism is inserted; synapse entries at every synapse).
void check_all_states(const ir::Model& model, const States& states);

// Quantities derived from geometry (area um^2, axial conductances, resistive loads) are finite
// and positive: a length of 1e-300 um passes "positive" yet makes them inf or NaN.
void check_derived_geometry(const ir::Model& model, const std::vector<std::vector<double>>& columns,
                            const std::vector<double>& axial);

}  // namespace ranvier::runtime

#include "runtime/check_inputs.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ir/error.h"

namespace ranvier::runtime {
namespace {

// Index of the first non-finite value, or -1.
long long first_nonfinite(const std::vector<double>& x) {
  for (std::size_t k = 0; k < x.size(); ++k)
    if (!std::isfinite(x[k])) return static_cast<long long>(k);
  return -1;
}

int column(const ir::Model& model, const char* name) {
  const int c = model.column_index(name);
  RANVIER_ASSERT(c >= 0);
  return c;
}

}  // namespace

void check_externals_finite(const std::vector<ir::StimulusRow>& stimuli, std::size_t n_model_stimuli,
                            const std::vector<ir::ClampRow>& clamps, std::size_t n_model_clamps) {
  for (std::size_t i = 0; i < stimuli.size(); ++i)
    if (const long long k = first_nonfinite(stimuli[i].current); k >= 0) {
      const std::string which = i < n_model_stimuli ? fmt::format("stimulus {} of the module", i)
                                                    : fmt::format("data_stimuli[{}]", i - n_model_stimuli);
      fail("{} (compartment {}) is {} at sample {}; currents must be finite (nA)", which, stimuli[i].comp,
           stimuli[i].current[static_cast<std::size_t>(k)], k);
    }
  for (std::size_t i = 0; i < clamps.size(); ++i)
    if (const long long k = first_nonfinite(clamps[i].values); k >= 0) {
      const std::string which = i < n_model_clamps ? fmt::format("clamp {} of the module", i)
                                                   : fmt::format("data_clamps[{}]", i - n_model_clamps);
      fail("{} ('{}' at compartment {}) is {} at sample {}; clamped values must be finite", which, clamps[i].state, clamps[i].comp,
           clamps[i].values[static_cast<std::size_t>(k)], k);
    }
}

void check_all_states(const ir::Model& model, const States& states) {
  // name -> nodes (or synapses) where it must be finite
  std::map<std::string, std::set<int>> where;
  for (int n = 0; n < model.n_nodes(); ++n) where["v"].insert(n);
  for (std::size_t m = 0; m < model.mechanisms.size(); ++m) {
    const auto& mech = model.mechanisms[m];
    for (const auto& s : mech.states) where[s.name].insert(model.mechanism_comps[m].begin(), model.mechanism_comps[m].end());
    where[mech.current_name].insert(model.mechanism_comps[m].begin(), model.mechanism_comps[m].end());
  }
  for (const auto& c : model.current_names) where[c];  // a current no compartment carries may be anything
  for (const auto& g : model.synapses) {
    std::vector<std::string> names;
    for (const auto& st : g.type.states) names.push_back(st.name);
    names.push_back(g.type.current_name());
    for (const auto& name : names)
      for (int e = 0; e < g.size(); ++e) where[name].insert(e);
  }
  for (std::size_t i = 0; i < states.names.size(); ++i) {
    const std::string& name = states.names[i];
    auto it = where.find(name);
    if (it == where.end()) {
      std::vector<std::string> known;
      for (const auto& [k, _] : where) known.push_back(k);
      fail_key("all_states has an entry '{}' that is not a state of this model (its states are {})", name, fmt::join(known, ", "));
    }
    const auto& values = states.values[i];
    for (int n : it->second)
      if (n < static_cast<int>(values.size()) && !std::isfinite(values[static_cast<std::size_t>(n)]))
        fail("all_states['{}'] is {} at node {}; initial states must be finite", name, values[static_cast<std::size_t>(n)], n);
  }
}

void check_derived_geometry(const ir::Model& model, const std::vector<std::vector<double>>& columns,
                            const std::vector<double>& axial) {
  const auto& length = columns[static_cast<std::size_t>(column(model, "length"))];  // um
  const auto& radius = columns[static_cast<std::size_t>(column(model, "radius"))];  // um
  for (const char* name : {"area", "volume", "resistive_load_in", "resistive_load_out"}) {
    const auto& x = columns[static_cast<std::size_t>(column(model, name))];
    for (int c = 0; c < model.n_comp; ++c)
      if (!(x[static_cast<std::size_t>(c)] > 0.0) || !std::isfinite(x[static_cast<std::size_t>(c)]))
        fail("compartment {} has {} = {} from length = {} um and radius = {} um; choose a length and radius whose {} is positive "
             "and finite",
             c, name, x[static_cast<std::size_t>(c)], length[static_cast<std::size_t>(c)], radius[static_cast<std::size_t>(c)], name);
  }
  for (std::size_t e = 0; e < axial.size(); ++e)
    if (!std::isfinite(axial[e]) || !(axial[e] > 0.0)) {
      const auto& edge = model.edges[e];
      const int comp = edge.sink < model.n_comp ? edge.sink : edge.source;
      fail("the axial conductance between nodes {} and {} is {} (compartment {}: length = {} um, radius = {} um, "
           "axial_resistivity = {} ohm cm); geometry must give a positive, finite conductance",
           edge.source, edge.sink, axial[e], comp, length[static_cast<std::size_t>(comp)], radius[static_cast<std::size_t>(comp)],
           columns[static_cast<std::size_t>(column(model, "axial_resistivity"))][static_cast<std::size_t>(comp)]);
    }
}

}  // namespace ranvier::runtime

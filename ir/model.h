#pragma once
// The model IR: what the frontend lowers a module to, and what the passes, the reference
// interpreter and the backends consume. It holds the tree of nodes (compartments followed by
// branchpoints) with Jaxley's directed coupling edges, the mechanism instances, the node
// table of parameter and state values, the externals and the recordings.
//
// Structure (topology, mechanisms and where they are inserted, which nodes are stimulated,
// clamped and recorded) is what a backend compiles in. Values (the node table, stimulus and
// clamp arrays) are runtime inputs: changing them never recompiles.
#include <string>
#include <vector>

#include "ir/mechanism.h"
#include "ir/synapse.h"

namespace ranvier::ir {

// Jaxley's `_comp_edges` types; the conductance of an edge appears in the row of its sink.
enum class EdgeType : int {
  CompToComp = 0,     // neighbouring compartments of one branch (both directions)
  BranchpointToParent = 1,  // branchpoint -> last compartment of the parent branch
  BranchpointToChild = 2,   // branchpoint -> first compartment of a child branch
  ParentToBranchpoint = 3,  // last compartment of the parent -> branchpoint
  ChildToBranchpoint = 4,   // first compartment of a child -> branchpoint
};

struct Edge {
  int source;
  int sink;
  EdgeType type;
  // Which half-compartment load of the compartment end of the edge is used (Jaxley's
  // "ordered"): for CompToComp edges 1 = source is proximal to sink.
  int ordered;
};

struct StimulusRow {
  int comp;
  std::vector<double> current;  // nA, one value per time step
};

struct ClampRow {
  std::string state;  // "v" or any state of a mechanism at this compartment
  int comp;
  std::vector<double> values;  // per time step, in the state's unit
};

struct Recording {
  // The compartment; for a synapse state or current, the synapse's index within its type.
  int comp;
  // "v" (mV), a mechanism state, a current name such as "i_HH" (mA/cm^2), a synapse state
  // or a synapse current such as "i_IonotropicSynapse" (nA).
  std::string state;
};

// A trainable parameter (Jaxley's `make_trainable`): parameter value i is shared by the
// compartments groups[i]; `key` is a parameter or an initial state. For a synapse parameter
// or state, groups hold synapse indices within the synapse's type.
struct Trainable {
  std::string key;
  std::vector<std::vector<int>> groups;
  std::vector<double> init;  // one value per group
};

// Geometry and passive-property columns every compartment has, in this order.
inline const std::vector<std::string>& geometry_columns() {
  static const std::vector<std::string> names = {
      "length",             // um
      "radius",             // um
      "axial_resistivity",  // ohm cm
      "capacitance",        // uF/cm^2
      "area",               // um^2
      "volume",             // um^3
      "resistive_load_in",  // 1/um, proximal half-compartment: integral of dl/(pi r^2)
      "resistive_load_out", // 1/um, distal half-compartment
  };
  return names;
}

struct Model {
  int n_comp = 0;  // compartments are nodes [0, n_comp)
  int n_bp = 0;    // branchpoints are nodes [n_comp, n_comp + n_bp)
  std::vector<int> parents;           // per branch, -1 for the root
  std::vector<int> ncomp_per_branch;  // per branch
  std::vector<Edge> edges;            // in Jaxley's order

  std::vector<Mechanism> mechanisms;              // in insertion order
  std::vector<std::vector<int>> mechanism_comps;  // sorted compartments of each mechanism
  std::vector<std::string> current_names;         // membrane current names, first-insertion order

  // The node table: one column per name, one value per compartment (NaN where a mechanism's
  // parameter or state does not exist). Holds geometry, "v" and all mechanism params/states.
  std::vector<std::string> column_names;
  std::vector<std::vector<double>> columns;

  // Synapses (networks only), one group per type in order of first connection. Several cells
  // are several roots of `parents` (a forest); synapses never couple voltages axially.
  std::vector<SynapseGroup> synapses;

  std::vector<StimulusRow> stimuli;
  std::vector<ClampRow> clamps;
  std::vector<Recording> recordings;
  std::vector<Trainable> trainables;

  // DHS schedule width requested for this module (Jaxley's allowed_nodes_per_level).
  int allowed_nodes_per_level = 1;

  int n_nodes() const { return n_comp + n_bp; }
  int n_branches() const { return static_cast<int>(parents.size()); }
  // Index of a column, or -1.
  int column_index(const std::string& name) const;
  const std::vector<double>& column(const std::string& name) const;  // throws KeyError
  bool is_parameter(const std::string& name) const;  // geometry or a mechanism parameter
  bool is_state(const std::string& name) const;      // "v" or a mechanism state
  bool is_current(const std::string& name) const;    // a membrane current name
  // Index into `synapses` of the type that declares synapse param/state `name`, or whose
  // current is `name` ("i_<type>"); -1 if none.
  int synapse_group_of(const std::string& name) const;

  // Stable text of the whole IR (structure and values).
  std::string print() const;
};

}  // namespace ranvier::ir

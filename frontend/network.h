#pragma once
// Networks: cells side by side (a forest: each cell keeps its own tree and root, and no axial
// current flows between cells) coupled only by synapses. Mirrors Jaxley's `jx.Network`:
// compartments are numbered cell after cell, `net.cell(i)` selects a cell and
// `net.cell(i).branch(j).comp(k)` is local to it. Synapses are added with the functions of
// frontend/connect.h and edited through SynapseView (Jaxley's `net.IonotropicSynapse.edge(i)`).
#include <optional>
#include <string>
#include <vector>

#include "frontend/module.h"

namespace ranvier {

class Network : public Module {
 public:
  explicit Network(const std::vector<Cell>& cells);

  // All synapses of one type (Jaxley's `net.IonotropicSynapse`); throws KeyError if none.
  SynapseView synapses(const std::string& type);
  // Number of synapses of every type together.
  int n_synapses() const;
};

// A selection of synapses of one type. edge(i) narrows to the i-th synapse of the view.
class SynapseView {
 public:
  SynapseView(Module* module, int group, std::vector<int> edges, bool edge_selected);

  SynapseView edge(const Index& i) const;
  // Sets a parameter or an initial state of every synapse in the view.
  const SynapseView& set(const std::string& key, double value) const;
  // Records a synapse state or the synapse current "i_<type>" (nA) of every synapse in the view.
  const SynapseView& record(const std::string& state) const;
  // One trainable value shared by the whole type, or one per synapse after edge().
  const SynapseView& make_trainable(const std::string& key, std::optional<double> init = std::nullopt) const;

  const std::string& type() const;
  const std::vector<int>& edges() const { return edges_; }  // indices within the type

 private:
  const ir::SynapseGroup& group() const;
  int column(const std::string& key, const char* what) const;

  Module* module_;
  int group_;
  std::vector<int> edges_;
  bool edge_selected_;
};

}  // namespace ranvier

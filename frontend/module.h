#pragma once
// Modules and views: the part of Ranvier a user builds models with. Compartment, Branch and
// Cell follow Jaxley's classes, defaults and units; a View selects compartments
// (`cell.branch(1).comp(0)`, `loc(0.5)`, "all") and everything that modifies a model
// (set, insert, stimulate, clamp, record, make_trainable) acts on a view.
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/mechanism.h"
#include "ir/model.h"
#include "ir/synapse.h"

namespace ranvier {
namespace swc {
struct Morphology;
}  // namespace swc

// A set of cell / branch / compartment / edge indices, or "all" (Jaxley's `_reformat_index`:
// an integer, a list of integers, or "all").
struct Index {
  Index(int v);                      // NOLINT(google-explicit-constructor)
  Index(const char* s);              // NOLINT: only "all"
  Index(const std::string& s);       // NOLINT: only "all"
  Index(std::vector<int> values);    // NOLINT(google-explicit-constructor)
  bool all() const { return all_; }
  const std::vector<int>& values() const { return values_; }  // empty for "all"
  bool contains(int i) const;
  std::string str() const;  // as written in a call: "3", "[0, 2]", "all"

 private:
  bool all_ = false;
  std::vector<int> values_;
};

// Jaxley's scope: whether cell()/branch()/comp() indices are local (counted within the view:
// branch i of every cell in view, comp k of every branch in view) or global (the module's
// cell, branch and compartment numbers).
enum class Scope { Local, Global };

class Module;
class SynapseView;

using ir::Trainable;

// Jaxley's index columns of the nodes table, one entry per compartment of a view in view order.
struct IndexColumns {
  std::vector<int> global_cell, global_branch, global_comp;
  std::vector<int> local_cell, local_branch, local_comp;
  std::vector<int> controlled_by_param;
};

// A selection of compartments, in Jaxley's order, with Jaxley's rules (jaxley/modules/base.py):
// the local index of a compartment is its dense rank among the compartments in view (cells
// ranked in the view, branches within their cell, compartments within their branch), so
// `net.branch(1)` is branch 1 of every cell and `cell.basal.branch(0)` the first basal branch.
class View {
 public:
  // Rows are global compartment indices, unique; `controller` as in Jaxley's
  // `controlled_by_param` (which compartments share one trainable parameter).
  enum class Controller { Shared, Cell, Branch, Comp, Row };
  View(Module* module, std::vector<int> comps, Controller controller = Controller::Shared, Scope scope = Scope::Local);

  View cell(const Index& i) const;
  View branch(const Index& i) const;
  View comp(const Index& j) const;
  // The compartment at relative position x in [0, 1] of every branch in view (np.digitize as
  // Jaxley), restricted to the view; several positions select the union.
  View loc(double x) const;
  View loc(const std::vector<double>& xs) const;
  // loc("all"): every compartment of every branch in view.
  View loc_all() const;
  // Jaxley's `select(nodes=...)`: the given global compartment indices (each in view, no
  // repeats) in the given order; make_trainable then creates one parameter per compartment.
  View select(const std::vector<int>& nodes) const;
  // The compartments of the view that belong to a named group (`cell.soma`), view order kept.
  View group(const std::string& name) const;
  // The same selection with another scope (Jaxley's `view.scope("global")`).
  View scope(Scope s) const;
  Scope scope() const { return scope_; }
  Controller controller() const { return controller_; }
  IndexColumns index_columns() const;

  // Modifications (return the view so calls can be chained like in Python).
  const View& set(const std::string& key, double value) const;
  // One value per compartment of the view at which `key` is defined, in view order.
  const View& set_values(const std::string& key, const std::vector<double>& values) const;
  const View& insert(const Mechanism& mechanism) const;
  // Same current (nA, one value per time step) into every compartment of the view.
  const View& stimulate(const std::vector<double>& current) const;
  // One current per compartment of the view, shape (n_comps, T).
  const View& stimulate(const std::vector<std::vector<double>>& currents) const;
  const View& clamp(const std::string& state, const std::vector<double>& values) const;
  const View& clamp(const std::string& state, const std::vector<std::vector<double>>& values) const;
  const View& record(const std::string& state = "v") const;
  // One trainable parameter per group defined by the last indexing call.
  const View& make_trainable(const std::string& key, std::optional<double> init = std::nullopt) const;
  // Jaxley's `set_ncomp`: re-discretise the one branch this view selects into `ncomp`
  // compartments of equal length (frontend/set_ncomp.cpp). SWC branches take their new radii,
  // areas, volumes and resistive loads from the traced points (min_radius clips radii);
  // other branches stay cylinders of the branch's radius. Changes compartment indices, so
  // the module must have no stimuli, clamps, recordings or trainables yet.
  const View& set_ncomp(int ncomp, std::optional<double> min_radius = std::nullopt) const;

  const std::vector<int>& comps() const { return comps_; }
  Module& module() const { return *module_; }

 private:
  // Compartment groups for make_trainable: rows grouped by controlled_by_param (ascending key,
  // view order within a group), as Jaxley's groupby.
  std::vector<std::vector<int>> trainable_groups() const;
  // Jaxley's `_at_nodes`: the rows whose (scope) index of `level` is in `idx`.
  View at_nodes(Controller level, const Index& idx, const char* what) const;
  // Global compartment index of position x on branch b (np.digitize as Jaxley's loc).
  int comp_at(int b, double x) const;
  View at_comps(const std::vector<int>& comps, const char* what) const;

  Module* module_;
  std::vector<int> comps_;  // global compartment indices in view order, unique
  Controller controller_;
  Scope scope_;
};

class Module {
 public:
  virtual ~Module() = default;

  // Views (Jaxley's Module methods of the same names; the module is a view of everything).
  View view();
  View cell(const Index& i) { return view().cell(i); }
  View branch(const Index& i) { return view().branch(i); }
  View comp(const Index& j) { return view().comp(j); }
  View loc(double x) { return view().loc(x); }
  View select(const std::vector<int>& nodes) { return view().select(nodes); }
  View scope(Scope s) { return view().scope(s); }
  // A named group of compartments (e.g. "soma", "apical" from an SWC file).
  View group(const std::string& name) { return view().group(name); }
  // Jaxley's `set_scope`: the scope of the views made from this module from now on.
  void set_scope(Scope s) { scope_ = s; }
  // The compartments of a group (throws KeyError if there is none of that name).
  const std::vector<int>& group_comps(const std::string& name) const;

  // Module-level versions of the view operations.
  Module& set(const std::string& key, double value);
  Module& insert(const Mechanism& mechanism);
  Module& stimulate(const std::vector<double>& current);
  Module& clamp(const std::string& state, const std::vector<double>& values);
  Module& record(const std::string& state = "v");
  Module& make_trainable(const std::string& key, std::optional<double> init = std::nullopt);

  // Overwrite every mechanism state with its steady state at the compartment's voltage.
  void init_states(double delta_t = 0.025);

  void delete_recordings() { recordings_.clear(); }
  void delete_stimuli() { stimuli_.clear(); }
  // All clamps, or only those of one state.
  void delete_clamps(const std::optional<std::string>& state = std::nullopt);
  void delete_trainables() { trainables_.clear(); }
  // Jaxley's `add_to_group`: adds compartments (global indices) to the group `name`, creating
  // it if needed (frontend/sharing.cpp). The name may not be a channel's or a column's.
  void add_to_group(const std::string& name, const std::vector<int>& comps);
  // A trainable parameter with explicit sharing (Jaxley's make_trainable after the user wrote
  // `controlled_by_param`): one value per group; a group lists global compartment indices for
  // a node-table key, or indices within the synapse type for a synapse key (frontend/sharing.cpp).
  void add_trainable(const std::string& key, const std::vector<std::vector<int>>& groups, const std::vector<double>& init);

  // Jaxley's `_init_morph_jaxley_dhs_solve(allowed_nodes_per_level=k)`.
  void set_allowed_nodes_per_level(int k);
  int allowed_nodes_per_level() const { return allowed_nodes_per_level_; }

  // Structure.
  int n_comp() const { return static_cast<int>(branch_of_comp_.size()); }
  int n_branches() const { return static_cast<int>(parents_.size()); }
  const std::vector<int>& parents() const { return parents_; }
  const std::vector<int>& ncomp_per_branch() const { return ncomp_; }
  int first_comp(int branch) const { return first_comp_[branch]; }
  int branch_of(int comp) const { return branch_of_comp_[comp]; }
  int n_cells() const { return static_cast<int>(cell_first_branch_.size()) - 1; }
  int first_branch_of_cell(int cell) const { return cell_first_branch_[cell]; }
  int n_branches_of_cell(int cell) const { return cell_first_branch_[cell + 1] - cell_first_branch_[cell]; }
  int cell_of_branch(int branch) const;
  int cell_of(int comp) const { return cell_of_branch(branch_of_comp_[comp]); }

  // Synapses (networks), one group per type in order of first connection.
  const std::vector<ir::SynapseGroup>& synapse_groups() const { return synapses_; }
  // Every synapse in order of creation (Jaxley's global edge index): (type group, index within type).
  const std::vector<std::pair<int, int>>& edge_order() const { return edge_order_; }
  // Appends one synapse of `type` per (pre[i], post[i]) pair of global compartment indices,
  // with the type's default parameters and states (what jx.connect does to `net.edges`).
  void add_synapses(const SynapseType& type, const std::vector<int>& pre, const std::vector<int>& post);

  // The node table.
  const std::vector<std::string>& column_names() const { return column_names_; }
  const std::vector<double>& column(const std::string& name) const;  // throws KeyError
  bool has_column(const std::string& name) const { return column_index(name) >= 0; }
  const std::vector<Mechanism>& mechanisms() const { return mechanisms_; }
  // Whether mechanism `m` (index into mechanisms()) is inserted at compartment `comp`.
  bool has_mechanism(std::size_t m, int comp) const { return mechanism_at_[m][comp] != 0; }
  const std::vector<ir::StimulusRow>& stimuli() const { return stimuli_; }
  const std::vector<ir::ClampRow>& clamps() const { return clamps_; }
  const std::vector<ir::Recording>& recordings() const { return recordings_; }
  const std::vector<Trainable>& trainables() const { return trainables_; }
  std::vector<std::string> group_names() const;
  // Put the groups in the order of `names` (groups not named there follow in their order),
  // adding the named ones that do not exist as empty groups (Jaxley keeps a group whose
  // compartments were all deleted by morph_delete).
  void order_groups(const std::vector<std::string>& names);

  // Path distance (um) along the cable from the centre of compartment `from` to the centre of
  // every compartment (half lengths of both ends plus the lengths in between; siblings meet at
  // their branchpoint, as Jaxley's distance_pathwise); -1 for compartments of other cells.
  std::vector<double> path_distance(int from) const;

  // Lower to the model IR (validates the model; throws ranvier::Error on bad input).
  ir::Model lower() const;

  // Points (x, y, z, r in um) of branch `b`, from its loc-0 to its loc-1 end: the traced points
  // of SWC branches, or what set_xyzr stored (Jaxley's computed endpoints, r = NaN); empty when
  // none are known. Only has_traced_xyzr() branches use them for their geometry.
  const std::vector<std::array<double, 4>>& xyzr(int b) const { return xyzr_[b]; }
  // Jaxley's `module.xyzr[b] = points` (frontend/geometry.cpp): coordinates for plotting and
  // distances; with every radius finite, set_ncomp also takes the branch's geometry from them.
  void set_xyzr(int b, std::vector<std::array<double, 4>> points);
  // Jaxley's `xyzr_is_available`: the branch has points and none of their radii is NaN.
  bool has_traced_xyzr(int b) const;
  // Compartment centres (um) of `comps`, the x, y, z columns of Jaxley's nodes table (created,
  // NaN elsewhere, when the module has none yet).
  void set_coordinates(const std::vector<int>& comps, const std::vector<std::array<double, 3>>& xyz);
  // Re-discretise branch `b` (see View::set_ncomp).
  void set_branch_ncomp(int b, int ncomp, std::optional<double> min_radius = std::nullopt);
  // Replace the cylinder geometry by an SWC reconstruction's (frustum) geometry and groups;
  // the morphology must have this module's branch structure (used by read_swc).
  void adopt_geometry(const swc::Morphology& morphology);

 protected:
  Module() = default;
  // Builders used by the constructors of Compartment, Branch, Cell and by read_swc.
  void init_single_compartment();
  // Concatenate `branches` (each a one-branch module) into a tree with `parents`.
  void init_tree(const std::vector<const Module*>& branches, const std::vector<int>& parents);
  // Concatenate whole cells into a forest without axial coupling between them (Network).
  void init_forest(const std::vector<const Module*>& cells);
  // Turn the chain built by init_tree into a single branch.
  void merge_into_one_branch();
  void set_column(const std::string& name, std::vector<double> values);
  void add_group(const std::string& name, const std::vector<int>& comps);
  // True for SWC cells: setting radius or length then replaces the frustum geometry by a cylinder.
  bool frustum_geometry_ = false;
  std::vector<ir::SynapseGroup> synapses_;
  std::vector<std::pair<int, int>> edge_order_;  // see edge_order()

 private:
  friend class View;
  friend class SynapseView;
  // Columns, mechanisms and groups of `parts` placed one after another (compartment offsets
  // are the running sums of the parts' compartment counts).
  void merge_parts(const std::vector<const Module*>& parts);
  int column_index(const std::string& name) const;
  std::vector<double>& column_or_create(const std::string& name);
  void recompute_cylinder(const std::vector<int>& comps);
  void check_state_at(const std::string& state, int comp, const char* what) const;
  void check_length(std::size_t length, const char* what) const;

  void check_set_ncomp_allowed(int b) const;
  std::vector<int> parents_;
  std::vector<std::vector<std::array<double, 4>>> xyzr_;  // per branch, see xyzr()
  std::vector<int> ncomp_;
  std::vector<int> first_comp_;
  std::vector<int> branch_of_comp_;
  std::vector<int> cell_first_branch_{0, 1};  // first branch of every cell, then n_branches
  std::vector<std::string> column_names_;
  std::vector<std::vector<double>> columns_;
  std::vector<Mechanism> mechanisms_;
  std::vector<std::vector<char>> mechanism_at_;
  std::vector<std::string> current_names_;
  std::vector<std::pair<std::string, std::vector<int>>> groups_;
  std::vector<ir::StimulusRow> stimuli_;
  std::vector<ir::ClampRow> clamps_;
  std::vector<ir::Recording> recordings_;
  std::vector<Trainable> trainables_;
  int allowed_nodes_per_level_ = 1;
  Scope scope_ = Scope::Local;
};

// One compartment: length 10 um, radius 1 um, axial resistivity 5000 ohm cm, capacitance
// 1 uF/cm^2, v -70 mV (Jaxley's defaults, not NEURON's).
class Compartment : public Module {
 public:
  Compartment();
};

// An unbranched chain of compartments; comp 0 is the proximal (loc 0) end.
class Branch : public Module {
 public:
  explicit Branch(const Compartment& compartment = Compartment(), int ncomp = 1);
  explicit Branch(const std::vector<Compartment>& compartments);
};

// A tree of branches; parents[0] == -1. A child's comp 0 attaches to its parent's last comp.
class Cell : public Module {
 public:
  Cell(const Branch& branch, const std::vector<int>& parents);
  Cell(const std::vector<Branch>& branches, const std::vector<int>& parents);
  explicit Cell(const Branch& branch = Branch()) : Cell(branch, {-1}) {}
};

}  // namespace ranvier

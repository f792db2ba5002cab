#include "frontend/module.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ir/error.h"
#include "ir/memory.h"
#include "ir/evaluate.h"

namespace ranvier {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Cylinder formulas with Jaxley's operation order (utils/morph_attributes.py).
double cylinder_area(double length, double radius) { return 2.0 * std::numbers::pi * radius * length; }  // um^2
double cylinder_volume(double length, double radius) { return length * (radius * radius) * std::numbers::pi; }  // um^3
double cylinder_resistive_load(double length, double radius) {  // 1/um
  return length / (radius * radius) / std::numbers::pi;
}

void check_settable_value(const std::string& key, double value) {
  if (!std::isfinite(value)) fail("cannot set '{}' to {}: the value must be finite", key, value);
  if ((key == "radius" || key == "length" || key == "axial_resistivity" || key == "capacitance" || key == "area" ||
       key == "volume" || key == "resistive_load_in" || key == "resistive_load_out") && value <= 0.0)
    fail("cannot set '{}' to {}: it must be positive", key, value);
}

}  // namespace

// ----------------------------------------------------------------------------------------
// Index

Index::Index(int v) : values_{v} {
  if (v < 0) fail("index {} is negative; use a non-negative index or \"all\"", v);
}
Index::Index(const char* s) : Index(std::string(s)) {}
Index::Index(const std::string& s) : all_(true) {
  if (s != "all") fail("index '{}' is not understood; use an integer or \"all\"", s);
}
Index::Index(std::vector<int> values) : values_(std::move(values)) {
  for (int v : values_)
    if (v < 0) fail("index {} is negative; use non-negative indices or \"all\"", v);
}

bool Index::contains(int i) const { return all_ || std::find(values_.begin(), values_.end(), i) != values_.end(); }

std::string Index::str() const {
  if (all_) return "all";
  if (values_.size() == 1) return std::to_string(values_[0]);
  return fmt::format("[{}]", fmt::join(values_, ", "));
}

// ----------------------------------------------------------------------------------------
// View: selection

View::View(Module* module, std::vector<int> comps, Controller controller, Scope scope)
    : module_(module), comps_(std::move(comps)), controller_(controller), scope_(scope) {}

IndexColumns View::index_columns() const {
  const Module& m = *module_;
  const std::size_t n = comps_.size();
  IndexColumns t;
  for (int c : comps_) {
    t.global_comp.push_back(c);
    t.global_branch.push_back(m.branch_of(c));
    t.global_cell.push_back(m.cell_of(c));
  }
  // Dense ranks (Jaxley's _update_local_indices): cells among the cells in view, branches
  // among the view's branches of the same cell, compartments among the view's compartments
  // of the same branch. A branch belongs to one cell and a compartment to one branch, so
  // ranking by the global index within the parent is the same as ranking by value.
  auto rank_within = [n](const std::vector<int>& key, const std::vector<int>& parent) {
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return std::pair(parent[a], key[a]) < std::pair(parent[b], key[b]); });
    std::vector<int> rank(n);
    int r = -1;
    for (std::size_t k = 0; k < n; ++k) {
      const int i = order[k];
      if (k == 0 || parent[i] != parent[order[k - 1]]) r = -1;
      if (k == 0 || parent[i] != parent[order[k - 1]] || key[i] != key[order[k - 1]]) ++r;
      rank[i] = r;
    }
    return rank;
  };
  const std::vector<int> none(n, 0);
  t.local_cell = rank_within(t.global_cell, none);
  t.local_branch = rank_within(t.global_branch, t.global_cell);
  t.local_comp = rank_within(t.global_comp, t.global_branch);
  switch (controller_) {
    case Controller::Shared: t.controlled_by_param = none; break;
    case Controller::Cell: t.controlled_by_param = t.global_cell; break;
    case Controller::Branch: t.controlled_by_param = t.global_branch; break;
    case Controller::Comp: t.controlled_by_param = t.global_comp; break;
    case Controller::Row:
      t.controlled_by_param.resize(n);
      std::iota(t.controlled_by_param.begin(), t.controlled_by_param.end(), 0);
      break;
  }
  return t;
}

View View::at_nodes(Controller level, const Index& idx, const char* what) const {
  const IndexColumns t = index_columns();
  const bool local = scope_ == Scope::Local;
  const std::vector<int>& key = level == Controller::Cell     ? (local ? t.local_cell : t.global_cell)
                                : level == Controller::Branch ? (local ? t.local_branch : t.global_branch)
                                                              : (local ? t.local_comp : t.global_comp);
  // Every index asked for must exist in the view (Jaxley silently drops those that do not
  // as long as one exists; a typo should not pass unnoticed).
  for (int v : idx.values())
    if (std::find(key.begin(), key.end(), v) == key.end()) {
      const char* noun = level == Controller::Cell ? "cell" : level == Controller::Branch ? "branch" : "compartment";
      if (!local)
        fail("{}({}) does not exist in this view (global scope): its global {} indices run from {} to {}", what, v, noun,
             *std::min_element(key.begin(), key.end()), *std::max_element(key.begin(), key.end()));
      const char* parent = level == Controller::Cell ? "network" : level == Controller::Branch ? "cell" : "branch";
      const int most = *std::max_element(key.begin(), key.end()) + 1;
      const char* plural = level == Controller::Branch ? "(es)" : "(s)";
      if (level == Controller::Branch && std::all_of(t.global_cell.begin(), t.global_cell.end(), [&](int c) { return c == t.global_cell[0]; }))
        fail("{}({}) does not exist: cell {} has {} branch(es) in this view (local indices 0..{})", what, v, t.global_cell[0], most,
             most - 1);
      fail("{}({}) does not exist: this view has at most {} {}{} per {} (local indices 0..{})", what, v, most, noun, plural, parent,
           most - 1);
    }
  std::vector<int> comps;
  for (std::size_t r = 0; r < comps_.size(); ++r)
    if (idx.contains(key[r])) comps.push_back(comps_[r]);
  return View(module_, std::move(comps), level, scope_);
}

View View::cell(const Index& i) const { return at_nodes(Controller::Cell, i, "cell"); }
View View::branch(const Index& i) const { return at_nodes(Controller::Branch, i, "branch"); }
View View::comp(const Index& j) const { return at_nodes(Controller::Comp, j, "comp"); }

int View::comp_at(int b, double x) const {
  // np.digitize(x, np.linspace(0, 1 + 1e-10, ncomp + 1)) - 1
  const Module& m = *module_;
  const int n = m.ncomp_per_branch()[b];
  const double stop = 1.0 + 1e-10, step = stop / n;
  int idx = -1;
  for (int k = 0; k <= n; ++k) {
    const double edge = (k == n) ? stop : k * step;
    if (edge <= x) idx = k;
  }
  return m.first_comp(b) + std::min(idx, n - 1);
}

// The rows of the view whose compartment is in `comps` (global scope, view order kept).
View View::at_comps(const std::vector<int>& comps, const char* what) const {
  std::vector<int> kept;
  for (int c : comps_)
    if (std::find(comps.begin(), comps.end(), c) != comps.end()) kept.push_back(c);
  if (kept.empty()) fail("{} selects no compartment of this view", what);
  return View(module_, std::move(kept), Controller::Comp, scope_);
}

View View::loc(double x) const { return loc(std::vector<double>{x}); }

View View::loc(const std::vector<double>& xs) const {
  const std::string what = fmt::format("loc({})", xs.size() == 1 ? fmt::format("{}", xs[0]) : fmt::format("[{}]", fmt::join(xs, ", ")));
  for (double x : xs)
    if (!(x >= 0.0 && x <= 1.0)) fail("{} is outside [0, 1]: positions along a branch run from 0 to 1", what);
  if (xs.empty()) fail("loc([]): give at least one position");
  std::vector<int> comps, seen;
  for (int c : comps_) {
    const int b = module_->branch_of(c);
    if (std::find(seen.begin(), seen.end(), b) != seen.end()) continue;
    seen.push_back(b);
    for (double x : xs) comps.push_back(comp_at(b, x));
  }
  return at_comps(comps, what.c_str());
}

View View::loc_all() const {
  // Jaxley evaluates loc at linspace(0, 1, ncomp) of each branch, which hits every compartment.
  return at_comps(comps_, "loc(\"all\")");
}

View View::select(const std::vector<int>& nodes) const {
  std::vector<int> sorted = nodes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    fail("select(nodes=...): compartment {} is given twice; give each compartment once",
         *std::adjacent_find(sorted.begin(), sorted.end()));
  for (int c : nodes)
    if (std::find(comps_.begin(), comps_.end(), c) == comps_.end())
      fail("select(nodes=...): compartment {} is not in this view (the module has {} compartments; a view selects "
           "only among its own)", c, module_->n_comp());
  if (nodes.empty()) fail("select(nodes=[]): nothing in view");
  return View(module_, nodes, Controller::Row, scope_);
}

View View::group(const std::string& name) const {
  const std::vector<int>& members = module_->group_comps(name);
  std::vector<int> kept;
  for (int c : comps_)
    if (std::binary_search(members.begin(), members.end(), c)) kept.push_back(c);
  if (kept.empty()) fail("group '{}' has no compartment in this view", name);
  return View(module_, std::move(kept), Controller::Shared, scope_);
}

View View::scope(Scope s) const {
  View v = *this;
  v.scope_ = s;
  return v;
}

// ----------------------------------------------------------------------------------------
// View: modifications

const View& View::set(const std::string& key, double value) const {
  Module& m = *module_;
  int col = m.column_index(key);
  if (col < 0) fail_key("cannot set '{}': no such parameter or state in this module (columns: {})", key, fmt::join(m.column_names_, ", "));
  check_settable_value(key, value);
  std::vector<int> rows;
  for (int c : comps_)
    if (!std::isnan(m.columns_[col][c])) rows.push_back(c);
  if (rows.empty()) fail("cannot set '{}': it is not defined at any compartment of this view (insert its mechanism there first)", key);
  for (int c : rows) m.columns_[col][c] = value;
  if (key == "radius" || key == "length") m.recompute_cylinder(rows);
  return *this;
}

namespace {

// Same names, same equations (expressions are hash-consed: == is structural); the default
// values may differ (a second instance with other defaults writes them at its view, as Jaxley's
// insert does).
bool same_structure(const Mechanism& a, const Mechanism& b) {
  auto names = [](const std::vector<NamedValue>& v) {
    std::vector<std::string> out;
    for (const auto& x : v) out.push_back(x.name);
    return out;
  };
  auto same_exprs = [](const std::vector<NamedExpr>& x, const std::vector<NamedExpr>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i].name != y[i].name || !(x[i].expr == y[i].expr)) return false;
    return true;
  };
  return names(a.params) == names(b.params) && names(a.states) == names(b.states) && same_exprs(a.update, b.update) &&
         a.current == b.current && a.current_name == b.current_name && same_exprs(a.init, b.init);
}

void check_defaults_finite(const Mechanism& mechanism) {
  for (const auto* list : {&mechanism.params, &mechanism.states})
    for (const auto& x : *list)
      if (!std::isfinite(x.value))
        fail("insert '{}': the default of {} '{}' is {}; it must be finite", mechanism.name, list == &mechanism.params ? "parameter" : "state",
             x.name, x.value);
}

}  // namespace

const View& View::set_values(const std::string& key, const std::vector<double>& values) const {
  Module& m = *module_;
  const int col = m.column_index(key);
  if (col < 0) fail_key("cannot set '{}': no such parameter or state in this module (columns: {})", key, fmt::join(m.column_names_, ", "));
  // Like Jaxley, the values go to the compartments of the view at which the key is defined.
  std::vector<int> rows;
  for (int c : comps_)
    if (!std::isnan(m.columns_[col][c])) rows.push_back(c);
  if (values.size() != rows.size())
    fail("cannot set '{}': got {} value(s) for the {} compartment(s) of this view at which it is defined", key, values.size(),
         rows.size());
  for (double v : values) check_settable_value(key, v);
  for (std::size_t r = 0; r < rows.size(); ++r) m.columns_[col][rows[r]] = values[r];
  if (key == "radius" || key == "length") m.recompute_cylinder(rows);
  return *this;
}

const View& View::insert(const Mechanism& mechanism) const {
  mechanism.validate();
  check_defaults_finite(mechanism);
  Module& m = *module_;
  auto it = std::find_if(m.mechanisms_.begin(), m.mechanisms_.end(), [&](const Mechanism& x) { return x.name == mechanism.name; });
  if (it != m.mechanisms_.end() && !same_structure(*it, mechanism))
    fail("insert: a different mechanism named '{}' is already inserted in this module (its parameters, states or equations "
         "differ); give the new one another name",
         mechanism.name);
  std::size_t idx;
  if (it == m.mechanisms_.end()) {
    for (const auto& g : m.groups_)
      if (g.first == mechanism.name) fail("cannot insert '{}': a group has the same name", mechanism.name);
    m.mechanisms_.push_back(mechanism);
    m.mechanism_at_.emplace_back(m.n_comp(), 0);
    idx = m.mechanisms_.size() - 1;
    if (std::find(m.current_names_.begin(), m.current_names_.end(), mechanism.current_name) == m.current_names_.end())
      m.current_names_.push_back(mechanism.current_name);
  } else {
    idx = static_cast<std::size_t>(it - m.mechanisms_.begin());
  }
  const Mechanism& mech = mechanism;  // this instance's defaults (the structure is the stored one's)
  for (int c : comps_) m.mechanism_at_[idx][c] = 1;
  for (const auto& p : mech.params) {
    auto& column = m.column_or_create(p.name);
    for (int c : comps_) column[c] = p.value;
  }
  for (const auto& s : mech.states) {
    auto& column = m.column_or_create(s.name);
    for (int c : comps_) column[c] = s.value;
  }
  return *this;
}

const View& View::stimulate(const std::vector<double>& current) const {
  module_->check_length(current.size(), "stimulate");
  for (int c : comps_) module_->stimuli_.push_back({c, current});
  return *this;
}

const View& View::stimulate(const std::vector<std::vector<double>>& currents) const {
  if (currents.size() != comps_.size())
    fail("stimulate: got {} current(s) for a view of {} compartment(s); pass one per compartment or a single 1-D current",
         currents.size(), comps_.size());
  // Validate everything before adding anything: a rejected call leaves the module unchanged.
  for (const auto& c : currents) module_->check_length(c.size(), "stimulate");
  for (std::size_t i = 0; i < comps_.size(); ++i) module_->stimuli_.push_back({comps_[i], currents[i]});
  return *this;
}

const View& View::clamp(const std::string& state, const std::vector<double>& values) const {
  return clamp(state, std::vector<std::vector<double>>(comps_.size(), values));
}

const View& View::clamp(const std::string& state, const std::vector<std::vector<double>>& values) const {
  if (values.size() != comps_.size())
    fail("clamp('{}'): got {} array(s) for a view of {} compartment(s)", state, values.size(), comps_.size());
  for (std::size_t i = 0; i < comps_.size(); ++i) {
    module_->check_state_at(state, comps_[i], "clamp");
    module_->check_length(values[i].size(), "clamp");
  }
  for (std::size_t i = 0; i < comps_.size(); ++i) module_->clamps_.push_back({state, comps_[i], values[i]});
  return *this;
}

const View& View::record(const std::string& state) const {
  Module& m = *module_;
  const bool is_current = std::find(m.current_names_.begin(), m.current_names_.end(), state) != m.current_names_.end();
  for (int c : comps_) {
    if (!is_current) {
      m.check_state_at(state, c, "record");
      continue;
    }
    // A current where no mechanism of that current is inserted would record zeros (Jaxley raises).
    bool present = false;
    for (std::size_t k = 0; k < m.mechanisms_.size(); ++k)
      present = present || (m.mechanisms_[k].current_name == state && m.mechanism_at_[k][c]);
    if (!present)
      fail_key("record: current '{}' does not exist at compartment {} (no mechanism with that current is inserted there)", state, c);
  }
  for (int c : comps_) {
    bool dup = std::any_of(m.recordings_.begin(), m.recordings_.end(),
                           [&](const ir::Recording& r) { return r.comp == c && r.state == state; });
    if (!dup) m.recordings_.push_back({c, state});
  }
  return *this;
}

std::vector<std::vector<int>> View::trainable_groups() const {
  const std::vector<int> key = index_columns().controlled_by_param;
  std::map<int, std::vector<int>> groups;
  for (std::size_t r = 0; r < comps_.size(); ++r) groups[key[r]].push_back(comps_[r]);
  std::vector<std::vector<int>> out;
  for (auto& [k, g] : groups) out.push_back(std::move(g));
  return out;
}

const View& View::make_trainable(const std::string& key, std::optional<double> init) const {
  Module& m = *module_;
  int col = m.column_index(key);
  if (col < 0) fail_key("cannot make '{}' trainable: no such parameter or state in this module", key);
  Trainable t{key, {}, {}};
  for (auto& g : trainable_groups()) {
    std::vector<int> defined;
    for (int c : g)
      if (!std::isnan(m.columns_[col][c])) defined.push_back(c);
    if (defined.empty()) continue;
    double mean = 0.0;
    for (int c : defined) mean += m.columns_[col][c];
    mean /= static_cast<double>(defined.size());
    t.groups.push_back(defined);
    t.init.push_back(init ? *init : mean);
  }
  if (t.groups.empty()) fail("cannot make '{}' trainable: it is not defined at any compartment of this view", key);
  m.trainables_.push_back(std::move(t));
  return *this;
}

// ----------------------------------------------------------------------------------------
// Module

View Module::view() {
  std::vector<int> all(n_comp());
  std::iota(all.begin(), all.end(), 0);
  return View(this, all, View::Controller::Shared, scope_);
}

int Module::cell_of_branch(int branch) const {
  RANVIER_ASSERT(branch >= 0 && branch < n_branches());
  return static_cast<int>(std::upper_bound(cell_first_branch_.begin(), cell_first_branch_.end(), branch) - cell_first_branch_.begin()) - 1;
}

void Module::add_synapses(const SynapseType& type, const std::vector<int>& pre, const std::vector<int>& post) {
  type.validate();
  RANVIER_ASSERT(pre.size() == post.size());
  for (std::size_t i = 0; i < pre.size(); ++i)
    if (pre[i] < 0 || pre[i] >= n_comp() || post[i] < 0 || post[i] >= n_comp())
      fail("cannot connect compartment {} to compartment {}: the network has {} compartments", pre[i], post[i], n_comp());
  auto it = std::find_if(synapses_.begin(), synapses_.end(), [&](const ir::SynapseGroup& g) { return g.type.name == type.name; });
  if (it == synapses_.end()) {
    for (const auto& p : type.params)
      if (has_column(p.name)) fail("cannot add synapse '{}': its parameter '{}' is also a compartment column", type.name, p.name);
    ir::SynapseGroup g;
    g.type = type;
    for (const auto& p : type.params) g.column_names.push_back(p.name);
    for (const auto& st : type.states) g.column_names.push_back(st.name);
    g.columns.resize(g.column_names.size());
    synapses_.push_back(std::move(g));
    it = synapses_.end() - 1;
  }
  // A type is identified by its name: new synapses get the defaults of the stored type.
  ir::SynapseGroup& g = *it;
  std::vector<double> defaults;
  for (const auto& p : g.type.params) defaults.push_back(p.value);
  for (const auto& st : g.type.states) defaults.push_back(st.value);
  const int group_index = static_cast<int>(it - synapses_.begin());
  for (std::size_t i = 0; i < pre.size(); ++i) {
    edge_order_.emplace_back(group_index, g.size());
    g.pre.push_back(pre[i]);
    g.post.push_back(post[i]);
    for (std::size_t c = 0; c < defaults.size(); ++c) g.columns[c].push_back(defaults[c]);
  }
}

const std::vector<int>& Module::group_comps(const std::string& name) const {
  for (const auto& [g, comps] : groups_)
    if (g == name) return comps;
  fail_key("no group '{}' in this module (groups: {})", name, fmt::join(group_names(), ", "));
}

std::vector<std::string> Module::group_names() const {
  std::vector<std::string> names;
  for (const auto& g : groups_) names.push_back(g.first);
  return names;
}

void Module::order_groups(const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, std::vector<int>>> ordered;
  for (const auto& name : names) {
    if (std::any_of(ordered.begin(), ordered.end(), [&](const auto& g) { return g.first == name; })) continue;
    auto it = std::find_if(groups_.begin(), groups_.end(), [&](const auto& g) { return g.first == name; });
    if (it == groups_.end()) {
      ordered.emplace_back(name, std::vector<int>{});
    } else {
      ordered.push_back(std::move(*it));
      groups_.erase(it);
    }
  }
  for (auto& g : groups_) ordered.push_back(std::move(g));
  groups_ = std::move(ordered);
}

std::vector<double> Module::path_distance(int from) const {
  if (from < 0 || from >= n_comp()) fail("path_distance: compartment {} does not exist (the module has {})", from, n_comp());
  // Jaxley's compartment graph (distance_pathwise): consecutive compartments of a branch, and
  // one branchpoint node of no length per parent branch joining its last compartment to the
  // first compartment of each child, so siblings meet at the branchpoint, not at the parent's
  // centre. A step from u to v adds (length_u + length_v) / 2, summed from `from` outwards.
  std::vector<double> length = column("length");  // um, then 0 for every branchpoint node
  std::vector<int> bp_of_branch(n_branches(), -1);
  for (int b = 0; b < n_branches(); ++b)
    if (parents_[b] >= 0 && bp_of_branch[parents_[b]] < 0) {
      bp_of_branch[parents_[b]] = static_cast<int>(length.size());
      length.push_back(0.0);
    }
  std::vector<std::vector<int>> adj(length.size());
  auto link = [&](int a, int b) { adj[a].push_back(b), adj[b].push_back(a); };
  for (int b = 0; b < n_branches(); ++b) {
    for (int k = 0; k + 1 < ncomp_[b]; ++k) link(first_comp_[b] + k, first_comp_[b] + k + 1);
    if (bp_of_branch[b] >= 0) link(first_comp_[b] + ncomp_[b] - 1, bp_of_branch[b]);
    if (parents_[b] >= 0) link(bp_of_branch[parents_[b]], first_comp_[b]);
  }
  std::vector<double> dist(length.size(), -1.0);
  std::vector<int> stack{from};
  dist[from] = 0.0;
  while (!stack.empty()) {
    int a = stack.back();
    stack.pop_back();
    for (int b : adj[a])
      if (dist[b] < 0.0) dist[b] = dist[a] + (length[a] + length[b]) / 2.0, stack.push_back(b);
  }
  dist.resize(static_cast<std::size_t>(n_comp()));
  return dist;
}

Module& Module::set(const std::string& key, double value) { view().set(key, value); return *this; }
Module& Module::insert(const Mechanism& mechanism) { view().insert(mechanism); return *this; }
Module& Module::stimulate(const std::vector<double>& current) { view().stimulate(current); return *this; }
Module& Module::clamp(const std::string& state, const std::vector<double>& values) { view().clamp(state, values); return *this; }
Module& Module::record(const std::string& state) { view().record(state); return *this; }
Module& Module::make_trainable(const std::string& key, std::optional<double> init) { view().make_trainable(key, init); return *this; }

void Module::delete_clamps(const std::optional<std::string>& state) {
  if (!state) {
    clamps_.clear();
    return;
  }
  std::erase_if(clamps_, [&](const ir::ClampRow& c) { return c.state == *state; });
}

void Module::set_allowed_nodes_per_level(int k) {
  if (k < 1) fail("allowed_nodes_per_level must be at least 1, got {}", k);
  allowed_nodes_per_level_ = k;
}

void Module::init_states(double delta_t) {
  if (!(delta_t > 0.0)) fail("init_states: delta_t must be positive, got {}", delta_t);
  const auto& v = column("v");
  for (std::size_t m = 0; m < mechanisms_.size(); ++m) {
    const Mechanism& mech = mechanisms_[m];
    // All init values are computed from the values before any of them is written.
    std::vector<std::pair<int, std::vector<double>>> results;
    for (const auto& init : mech.init) {
      std::vector<double> out(n_comp(), kNaN);
      for (int c = 0; c < n_comp(); ++c) {
        if (!mechanism_at_[m][c]) continue;
        out[c] = ir::evaluate(init.expr, [&](const ir::Node* n) -> double {
          switch (n->op) {
            case ir::Op::Voltage: return v[c];
            case ir::Op::TimeStep: return delta_t;
            default: return columns_[column_index(n->name)][c];
          }
        });
      }
      results.emplace_back(column_index(init.name), std::move(out));
    }
    for (auto& [col, out] : results)
      for (int c = 0; c < n_comp(); ++c)
        if (mechanism_at_[m][c]) columns_[col][c] = out[c];
  }
}

const std::vector<double>& Module::column(const std::string& name) const {
  int i = column_index(name);
  if (i < 0) fail_key("module has no parameter or state '{}'", name);
  return columns_[i];
}

int Module::column_index(const std::string& name) const {
  auto it = std::find(column_names_.begin(), column_names_.end(), name);
  return it == column_names_.end() ? -1 : static_cast<int>(it - column_names_.begin());
}

std::vector<double>& Module::column_or_create(const std::string& name) {
  int i = column_index(name);
  if (i >= 0) return columns_[i];
  column_names_.push_back(name);
  columns_.emplace_back(n_comp(), kNaN);
  return columns_.back();
}

void Module::set_column(const std::string& name, std::vector<double> values) {
  RANVIER_ASSERT(static_cast<int>(values.size()) == n_comp());
  column_or_create(name) = std::move(values);
}

void Module::add_group(const std::string& name, const std::vector<int>& comps) {
  for (auto& g : groups_)
    if (g.first == name) {
      g.second.insert(g.second.end(), comps.begin(), comps.end());
      std::sort(g.second.begin(), g.second.end());
      g.second.erase(std::unique(g.second.begin(), g.second.end()), g.second.end());
      return;
    }
  std::vector<int> sorted = comps;
  std::sort(sorted.begin(), sorted.end());
  groups_.emplace_back(name, sorted);
}

void Module::recompute_cylinder(const std::vector<int>& comps) {
  auto& area = columns_[column_index("area")];
  auto& volume = columns_[column_index("volume")];
  auto& load_in = columns_[column_index("resistive_load_in")];
  auto& load_out = columns_[column_index("resistive_load_out")];
  const auto& l = columns_[column_index("length")];
  const auto& r = columns_[column_index("radius")];
  for (int c : comps) {
    area[c] = cylinder_area(l[c], r[c]);
    volume[c] = cylinder_volume(l[c], r[c]);
    load_in[c] = load_out[c] = cylinder_resistive_load(l[c] / 2.0, r[c]);
  }
}

void Module::check_state_at(const std::string& state, int comp, const char* what) const {
  if (state == "v") return;
  int col = column_index(state);
  for (const auto& g : synapses_)
    if (g.type.has_state(state) || g.type.current_name() == state)
      fail_unsupported("{}: '{}' belongs to synapse type '{}'; use net.synapses(\"{}\") to record it (clamping synapse states is not supported)",
                       what, state, g.type.name, g.type.name);
  bool is_state = std::any_of(mechanisms_.begin(), mechanisms_.end(), [&](const Mechanism& m) { return m.has_state(state); });
  if (col < 0 || !is_state) fail_key("{}: unknown state '{}' (states are 'v', mechanism states and current names)", what, state);
  if (std::isnan(columns_[col][comp])) fail("{}: state '{}' does not exist at compartment {} (its mechanism is not inserted there)", what, state, comp);
}

void Module::check_length(std::size_t length, const char* what) const {
  if (length == 0) fail("{}: the array is empty; it needs one value per time step", what);
}

void Module::init_single_compartment() {
  parents_ = {-1};
  xyzr_ = {{}};
  ncomp_ = {1};
  first_comp_ = {0};
  branch_of_comp_ = {0};
  const double length = 10.0, radius = 1.0;  // um
  set_column("length", {length});
  set_column("radius", {radius});
  set_column("axial_resistivity", {5000.0});  // ohm cm
  set_column("capacitance", {1.0});           // uF/cm^2
  set_column("area", {cylinder_area(length, radius)});
  set_column("volume", {cylinder_volume(length, radius)});
  set_column("resistive_load_in", {cylinder_resistive_load(length / 2.0, radius)});
  set_column("resistive_load_out", {cylinder_resistive_load(length / 2.0, radius)});
  set_column("v", {-70.0});  // mV
}

void Module::merge_into_one_branch() {
  parents_ = {-1};
  xyzr_ = {{}};
  cell_first_branch_ = {0, 1};
  ncomp_ = {n_comp()};
  first_comp_ = {0};
  std::fill(branch_of_comp_.begin(), branch_of_comp_.end(), 0);
}

void Module::init_tree(const std::vector<const Module*>& parts, const std::vector<int>& parents) {
  if (parts.empty()) fail("a module needs at least one part");
  // Validate the tree: parents[0] == -1, every other branch has an existing parent and
  // following parents from any branch reaches branch 0 without a cycle.
  if (parents.empty() || parents[0] != -1)
    fail("parents[0] must be -1 (the root branch), got parents = [{}]", fmt::join(parents, ", "));
  const int nb = static_cast<int>(parents.size());
  for (int b = 1; b < nb; ++b) {
    if (parents[b] < 0 || parents[b] >= nb || parents[b] == b)
      fail("parents[{}] = {} is not a valid parent branch (there are {} branches and only branch 0 may be a root)", b, parents[b], nb);
  }
  for (int b = 1; b < nb; ++b) {
    int x = b, steps = 0;
    while (x != 0) {
      x = parents[x];
      if (++steps > nb) fail("parents = [{}] is not a tree: branch {} is on a cycle", fmt::join(parents, ", "), b);
    }
  }
  parents_ = parents;
  xyzr_.clear();
  for (const Module* p : parts) xyzr_.push_back(p->n_branches() == 1 ? p->xyzr_[0] : std::vector<std::array<double, 4>>{});
  ncomp_.clear();
  first_comp_.clear();
  branch_of_comp_.clear();
  int total = 0;
  for (std::size_t b = 0; b < parts.size(); ++b) {
    int n = parts[b]->n_comp();
    ncomp_.push_back(n);
    first_comp_.push_back(total);
    for (int k = 0; k < n; ++k) branch_of_comp_.push_back(static_cast<int>(b));
    total += n;
  }
  cell_first_branch_ = {0, n_branches()};
  merge_parts(parts);
}

void Module::init_forest(const std::vector<const Module*>& cells) {
  if (cells.empty()) fail("Network: needs at least one cell");
  parents_.clear();
  xyzr_.clear();
  ncomp_.clear();
  first_comp_.clear();
  branch_of_comp_.clear();
  cell_first_branch_ = {0};
  int total = 0;
  for (const Module* cell : cells) {
    const int offset = n_branches();
    for (int b = 0; b < cell->n_branches(); ++b) {
      // Every cell keeps its own root (-1): the cells' trees are not coupled axially.
      parents_.push_back(cell->parents_[b] < 0 ? -1 : cell->parents_[b] + offset);
      xyzr_.push_back(cell->xyzr_[b]);
      ncomp_.push_back(cell->ncomp_[b]);
      first_comp_.push_back(total);
      for (int k = 0; k < cell->ncomp_[b]; ++k) branch_of_comp_.push_back(offset + b);
      total += cell->ncomp_[b];
    }
    cell_first_branch_.push_back(n_branches());
  }
  merge_parts(cells);
}

void Module::merge_parts(const std::vector<const Module*>& parts) {
  const int total = n_comp();
  // Union of columns and mechanisms, in order of first appearance.
  column_names_.clear();
  columns_.clear();
  mechanisms_.clear();
  mechanism_at_.clear();
  current_names_.clear();
  groups_.clear();
  for (const Module* p : parts)
    for (const auto& name : p->column_names_) column_or_create(name);
  int offset = 0;  // first compartment of the part
  for (std::size_t b = 0; b < parts.size(); offset += parts[b]->n_comp(), ++b) {
    const Module* p = parts[b];
    for (std::size_t c = 0; c < p->column_names_.size(); ++c) {
      auto& dst = columns_[column_index(p->column_names_[c])];
      for (int k = 0; k < p->n_comp(); ++k) dst[offset + k] = p->columns_[c][k];
    }
    for (std::size_t m = 0; m < p->mechanisms_.size(); ++m) {
      const Mechanism& mech = p->mechanisms_[m];
      auto it = std::find_if(mechanisms_.begin(), mechanisms_.end(), [&](const Mechanism& x) { return x.name == mech.name; });
      std::size_t idx = static_cast<std::size_t>(it - mechanisms_.begin());
      if (it == mechanisms_.end()) {
        mechanisms_.push_back(mech);
        mechanism_at_.emplace_back(total, 0);
        if (std::find(current_names_.begin(), current_names_.end(), mech.current_name) == current_names_.end())
          current_names_.push_back(mech.current_name);
      }
      for (int k = 0; k < p->n_comp(); ++k) mechanism_at_[idx][offset + k] = p->mechanism_at_[m][k];
    }
    for (const auto& [g, comps] : p->groups_) {
      std::vector<int> shifted;
      for (int c : comps) shifted.push_back(offset + c);
      add_group(g, shifted);
    }
  }
}

// ----------------------------------------------------------------------------------------
// Lowering

ir::Model Module::lower() const {
  ir::Model model;
  model.n_comp = n_comp();
  model.parents = parents_;
  model.ncomp_per_branch = ncomp_;
  model.allowed_nodes_per_level = allowed_nodes_per_level_;
  auto last = [&](int b) { return first_comp_[b] + ncomp_[b] - 1; };

  // Edges in the order of Jaxley's Cell._init_comp_graph.
  for (int b = 0; b < n_branches(); ++b) {
    int c0 = first_comp_[b], n = ncomp_[b];
    for (int k = 0; k + 1 < n; ++k) model.edges.push_back({c0 + k, c0 + k + 1, ir::EdgeType::CompToComp, 1});
    for (int k = 0; k + 1 < n; ++k) model.edges.push_back({c0 + k + 1, c0 + k, ir::EdgeType::CompToComp, 0});
  }
  // Roots (-1) are not parents; a network has one root per cell.
  std::set<int> parent_set;
  for (int p : parents_)
    if (p >= 0) parent_set.insert(p);
  std::vector<int> par_inds(parent_set.begin(), parent_set.end());  // sorted unique parent branches
  model.n_bp = static_cast<int>(par_inds.size());
  auto bp_of_parent = [&](int p) {
    return model.n_comp + static_cast<int>(std::lower_bound(par_inds.begin(), par_inds.end(), p) - par_inds.begin());
  };
  std::vector<ir::Edge> to_parent, to_child;
  for (std::size_t i = 0; i < par_inds.size(); ++i)
    to_parent.push_back({model.n_comp + static_cast<int>(i), last(par_inds[i]), ir::EdgeType::BranchpointToParent, 0});
  for (int c = 0; c < n_branches(); ++c)
    if (parents_[c] >= 0) to_child.push_back({bp_of_parent(parents_[c]), first_comp_[c], ir::EdgeType::BranchpointToChild, 1});
  for (const auto& e : to_parent) model.edges.push_back(e);
  for (const auto& e : to_child) model.edges.push_back(e);
  for (const auto& e : to_parent) model.edges.push_back({e.sink, e.source, ir::EdgeType::ParentToBranchpoint, 1});
  for (const auto& e : to_child) model.edges.push_back({e.sink, e.source, ir::EdgeType::ChildToBranchpoint, 0});

  model.mechanisms = mechanisms_;
  for (const auto& at : mechanism_at_) {
    std::vector<int> comps;
    for (int c = 0; c < n_comp(); ++c)
      if (at[c]) comps.push_back(c);
    model.mechanism_comps.push_back(comps);
  }
  model.current_names = current_names_;
  model.column_names = column_names_;
  model.columns = columns_;
  model.stimuli = stimuli_;
  model.clamps = clamps_;
  model.recordings = recordings_;
  model.trainables = trainables_;
  model.synapses = synapses_;

  // Geometry must be physical everywhere; a NaN here would silently poison the simulation.
  for (const auto& g : ir::geometry_columns()) {
    const auto& col = column(g);
    for (int c = 0; c < n_comp(); ++c)
      if (!(col[c] > 0.0) || !std::isfinite(col[c]))
        fail("compartment {} (branch {}) has {} = {} (from length = {} um, radius = {} um); it must be positive and finite", c,
             branch_of_comp_[c], g, col[c], column("length")[c], column("radius")[c]);
  }
  return model;
}

// ----------------------------------------------------------------------------------------
// Compartment, Branch, Cell

Compartment::Compartment() { init_single_compartment(); }

namespace {
// Memory a compartment takes while a module is built (its node table row, views, the copies
// init_tree makes), bytes: generous, so that a module too large to build is refused up front.
constexpr double kBuildBytesPerCompartment = 4096.0;

std::vector<Compartment> repeat(const Compartment& compartment, int ncomp) {
  if (ncomp < 1) fail("Branch: ncomp must be at least 1, got {}", ncomp);
  check_memory(kBuildBytesPerCompartment * ncomp, fmt::format("Branch(ncomp={})", ncomp));
  return std::vector<Compartment>(static_cast<std::size_t>(ncomp), compartment);
}
}  // namespace

Branch::Branch(const Compartment& compartment, int ncomp) : Branch(repeat(compartment, ncomp)) {}

Branch::Branch(const std::vector<Compartment>& compartments) {
  if (compartments.empty()) fail("Branch: needs at least one compartment");
  std::vector<const Module*> parts;
  for (const auto& c : compartments) parts.push_back(&c);
  // Build as a chain of one-compartment "branches", then merge them into one branch.
  std::vector<int> chain(parts.size());
  for (std::size_t i = 0; i < chain.size(); ++i) chain[i] = static_cast<int>(i) - 1;
  init_tree(parts, chain);
  merge_into_one_branch();
}

Cell::Cell(const Branch& branch, const std::vector<int>& parents) {
  if (parents.empty()) fail("Cell: parents must not be empty");
  check_memory(kBuildBytesPerCompartment * static_cast<double>(parents.size()) * branch.n_comp(),
               fmt::format("Cell of {} branches of {} compartments", parents.size(), branch.n_comp()));
  std::vector<const Module*> parts(parents.size(), &branch);
  init_tree(parts, parents);
}

Cell::Cell(const std::vector<Branch>& branches, const std::vector<int>& parents) {
  if (branches.size() != parents.size())
    fail("Cell: got {} branches but {} parents; they must be equally many", branches.size(), parents.size());
  std::vector<const Module*> parts;
  for (const auto& b : branches) parts.push_back(&b);
  init_tree(parts, parents);
}

}  // namespace ranvier

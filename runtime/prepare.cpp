#include "runtime/prepare.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ir/error.h"
#include "ir/evaluate.h"
#include "ir/memory.h"
#include "ir/pyfloat.h"
#include "runtime/check_inputs.h"
#include "runtime/tape.h"

namespace ranvier {

const std::vector<double>& States::at(const std::string& name) const {
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) fail_key("states have no entry '{}'", name);
  return values[static_cast<std::size_t>(it - names.begin())];
}

}  // namespace ranvier

namespace ranvier::runtime {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int col(const ir::Model& m, const std::string& name) {
  int i = m.column_index(name);
  RANVIER_ASSERT(i >= 0);
  return i;
}

// Write `values` (one, or one per compartment) into column `key` at `comps`, recomputing the
// cylinder geometry where radius or length change (Jaxley's get_all_parameters).
void apply_override(const ir::Model& model, std::vector<std::vector<double>>& columns, const std::string& key,
                    const std::vector<int>& comps, const std::vector<double>& values, const char* what) {
  int c = model.column_index(key);
  if (c < 0) fail_key("{}: unknown parameter or state '{}'", what, key);
  if (values.size() != 1 && values.size() != comps.size())
    fail("{}: '{}' got {} values for {} compartments", what, key, values.size(), comps.size());
  for (std::size_t i = 0; i < comps.size(); ++i) {
    int k = comps[i];
    if (k < 0 || k >= model.n_comp) fail("{}: compartment {} of '{}' does not exist", what, k, key);
    double x = values.size() == 1 ? values[0] : values[i];
    if (!std::isfinite(x)) fail("{}: '{}' at compartment {} is {}; it must be finite", what, key, k, x);
    columns[c][k] = x;
  }
  if (key == "radius" || key == "length") {
    const auto& l = columns[col(model, "length")];
    const auto& r = columns[col(model, "radius")];
    for (int k : comps) {
      if (!(l[k] > 0.0) || !(r[k] > 0.0)) fail("{}: compartment {} has length {} and radius {}; both must be positive", what, k, l[k], r[k]);
      double load = l[k] / 2.0 / (r[k] * r[k]) / std::numbers::pi;
      columns[col(model, "area")][k] = 2.0 * std::numbers::pi * r[k] * l[k];
      columns[col(model, "volume")][k] = l[k] * (r[k] * r[k]) * std::numbers::pi;
      columns[col(model, "resistive_load_in")][k] = load;
      columns[col(model, "resistive_load_out")][k] = load;
    }
  }
}

// data_set / trainable of a synapse parameter or initial state: `edges` are indices within
// the synapse's type.
void apply_synapse_override(const ir::Model& model, Prepared& p, int group, const std::string& key,
                            const std::vector<int>& edges, const std::vector<double>& values, const char* what) {
  const ir::SynapseGroup& g = model.synapses[static_cast<std::size_t>(group)];
  int c = g.column_index(key);
  if (c < 0) fail_key("{}: '{}' is not a parameter or state of synapse type '{}'", what, key, g.type.name);
  if (values.size() != 1 && values.size() != edges.size())
    fail("{}: '{}' got {} values for {} synapses", what, key, values.size(), edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) {
    int e = edges[i];
    if (e < 0 || e >= g.size()) fail("{}: synapse {} of type '{}' does not exist (there are {})", what, e, g.type.name, g.size());
    double x = values.size() == 1 ? values[0] : values[i];
    if (!std::isfinite(x)) fail("{}: '{}' at synapse {} is {}; it must be finite", what, key, e, x);
    p.synapse_columns[static_cast<std::size_t>(group)][static_cast<std::size_t>(c)][static_cast<std::size_t>(e)] = x;
  }
}

// Pad (currents, with zeros) or truncate (both) an external to n samples.
std::vector<double> fit(const std::vector<double>& x, int n, bool pad_allowed, const std::string& what) {
  std::vector<double> out(x.begin(), x.begin() + std::min<std::size_t>(x.size(), static_cast<std::size_t>(n)));
  if (static_cast<int>(out.size()) < n) {
    if (!pad_allowed)
      fail_unsupported("{} has {} samples but the simulation needs {}; a clamp must be at least as long as the simulation",
                       what, x.size(), n);
    out.resize(static_cast<std::size_t>(n), 0.0);
  }
  return out;
}

}  // namespace

Solver parse_solver(const std::string& name) {
  if (name == "bwd_euler") return Solver::BwdEuler;
  if (name == "crank_nicolson") return Solver::CrankNicolson;
  if (name == "fwd_euler") return Solver::FwdEuler;
  if (name == "exp_euler") return Solver::ExpEuler;
  fail("unknown solver '{}'; use one of bwd_euler, crank_nicolson, fwd_euler, exp_euler", name);
}

VoltageSolver parse_voltage_solver(const std::string& name) {
  // "jaxley.dhs" picks the variant for the device; on the CPU that is the sequential sweep.
  if (name == "jaxley.dhs" || name == "jaxley.dhs.cpu") return VoltageSolver::DhsCpu;
  if (name == "jaxley.dhs.gpu") return VoltageSolver::DhsGpu;
  if (name == "jax.sparse") return VoltageSolver::Sparse;
  if (name == "jaxley.stone") return VoltageSolver::Stone;
  fail("unknown voltage_solver '{}'; use one of jaxley.dhs, jaxley.dhs.cpu, jaxley.dhs.gpu, jax.sparse, jaxley.stone", name);
}

int steps_for_t_max(double t_max, double delta_t) {
  if (!(delta_t > 0.0) || !std::isfinite(delta_t)) fail("delta_t must be positive and finite, got {}", delta_t);
  if (!(t_max >= 0.0) || !std::isfinite(t_max)) fail("t_max must be non-negative and finite, got {}", t_max);
  double steps = ir::python_floordiv(t_max, delta_t) + 1.0;
  if (steps > 1e9) fail("t_max {} / delta_t {} gives {} steps; that is too many", t_max, delta_t, steps);
  return static_cast<int>(steps);
}

std::vector<double> axial_conductances(const ir::Model& model, const std::vector<std::vector<double>>& columns) {
  const auto& r_a = columns[col(model, "axial_resistivity")];  // ohm cm
  const auto& load_in = columns[col(model, "resistive_load_in")];  // 1/um
  const auto& load_out = columns[col(model, "resistive_load_out")];
  const auto& area = columns[col(model, "area")];  // um^2
  const auto& cm = columns[col(model, "capacitance")];  // uF/cm^2
  // Half-compartment axial resistance (ohm cm / um): load / (1 / r_a), as Jaxley computes it.
  auto half_r = [&](int comp, bool out) { return (out ? load_out[comp] : load_in[comp]) / (1.0 / r_a[comp]); };
  // Half-compartment conductance for edges into branchpoints: 1 / load * (1 / r_a).
  auto half_g = [&](int comp, bool out) { return 1.0 / (out ? load_out[comp] : load_in[comp]) * (1.0 / r_a[comp]); };
  std::vector<double> g(model.edges.size());
  for (std::size_t e = 0; e < model.edges.size(); ++e) {
    const auto& edge = model.edges[e];
    switch (edge.type) {
      case ir::EdgeType::CompToComp: {
        // ordered = 1: source is proximal (its distal half), sink's proximal half.
        double r = half_r(edge.source, edge.ordered == 1) + half_r(edge.sink, edge.ordered == 0);
        g[e] = 1.0 / r / area[edge.sink] / cm[edge.sink] * 1e7;  // 1/ms
        break;
      }
      case ir::EdgeType::BranchpointToParent:
      case ir::EdgeType::BranchpointToChild: {
        double r = half_r(edge.sink, edge.ordered == 0);
        g[e] = 1.0 / r / area[edge.sink] / cm[edge.sink] * 1e7;  // 1/ms
        break;
      }
      case ir::EdgeType::ParentToBranchpoint: g[e] = half_g(edge.source, true); break;
      case ir::EdgeType::ChildToBranchpoint: g[e] = half_g(edge.source, false); break;
    }
  }
  return g;
}

void initial_currents(const ir::Model& model, const std::vector<std::vector<double>>& columns, States& states) {
  const auto& v = states.at("v");
  std::vector<std::vector<double>> sums(model.current_names.size(), std::vector<double>(model.n_nodes(), 0.0));
  std::vector<double> slots;
  for (std::size_t m = 0; m < model.mechanisms.size(); ++m) {
    const auto& mech = model.mechanisms[m];
    auto which = std::find(model.current_names.begin(), model.current_names.end(), mech.current_name) - model.current_names.begin();
    // One tape per mechanism (evaluating the DAG per compartment is slow on large networks);
    // the same ir::apply arithmetic as ir::evaluate, so the same numbers.
    const ir::Expr roots[] = {mech.current};
    const Tape tape(roots);
    std::vector<const std::vector<double>*> source;  // per leaf; nullptr for v
    for (const auto& leaf : tape.leaves()) {
      RANVIER_ASSERT(leaf.op != ir::Op::TimeStep && "current depends on dt");
      source.push_back(leaf.op == ir::Op::Voltage ? nullptr
                       : leaf.op == ir::Op::State ? &states.at(leaf.name)
                                                  : &columns[col(model, leaf.name)]);
    }
    slots.resize(tape.n_slots());
    for (int c : model.mechanism_comps[m]) {
      for (std::size_t l = 0; l < source.size(); ++l) slots[tape.leaves()[l].slot] = source[l] ? (*source[l])[c] : v[c];
      tape.run(slots.data());
      sums[which][c] += slots[tape.output(0)];
    }
  }
  for (std::size_t i = 0; i < sums.size(); ++i) {
    states.names.push_back(model.current_names[i]);
    states.values.push_back(std::move(sums[i]));
  }
}

void initial_synapse_currents(const ir::Model& model, const std::vector<std::vector<std::vector<double>>>& synapse_columns,
                              States& states) {
  const auto& v = states.at("v");
  std::vector<double> slots;
  // Appended after the loop: growing `states` would invalidate `v` and the sources.
  std::vector<std::vector<double>> currents;
  for (std::size_t gi = 0; gi < model.synapses.size(); ++gi) {
    const ir::SynapseGroup& g = model.synapses[gi];
    const ir::Expr roots[] = {g.type.current};
    const Tape tape(roots);
    // Per leaf: kind 1 / 2 = v at the pre / post compartment, else per-synapse values.
    std::vector<std::pair<int, const std::vector<double>*>> source;
    for (const auto& leaf : tape.leaves()) {
      RANVIER_ASSERT((leaf.op == ir::Op::State || leaf.op == ir::Op::Param) && "synapse current depends on v or dt");
      if (leaf.name == ir::kPreVoltage) source.emplace_back(1, nullptr);
      else if (leaf.name == ir::kPostVoltage) source.emplace_back(2, nullptr);
      else if (leaf.op == ir::Op::State) source.emplace_back(0, &states.at(leaf.name));
      else source.emplace_back(0, &synapse_columns[gi][static_cast<std::size_t>(g.column_index(leaf.name))]);
    }
    slots.resize(tape.n_slots());
    std::vector<double> current(static_cast<std::size_t>(g.size()));
    for (int e = 0; e < g.size(); ++e) {
      for (std::size_t l = 0; l < source.size(); ++l) {
        const auto& [kind, values] = source[l];
        slots[tape.leaves()[l].slot] = kind == 1 ? v[g.pre[e]] : kind == 2 ? v[g.post[e]] : (*values)[static_cast<std::size_t>(e)];
      }
      tape.run(slots.data());
      current[static_cast<std::size_t>(e)] = slots[tape.output(0)];  // nA
    }
    currents.push_back(std::move(current));
  }
  for (std::size_t gi = 0; gi < model.synapses.size(); ++gi) {
    states.names.push_back(model.synapses[gi].type.current_name());
    states.values.push_back(std::move(currents[gi]));
  }
}

Prepared prepare(const ir::Model& model, const IntegrateOptions& options, StimulusRowCache* shared_rows) {
  Prepared p;
  p.dt = options.delta_t;
  if (!(p.dt > 0.0) || !std::isfinite(p.dt)) fail("delta_t must be positive and finite, got {}", p.dt);
  p.solver = parse_solver(options.solver);
  p.voltage_solver = parse_voltage_solver(options.voltage_solver);
  if (p.voltage_solver == VoltageSolver::Stone && model.n_bp > 0 &&
      (p.solver == Solver::BwdEuler || p.solver == Solver::CrankNicolson))
    fail_unsupported("voltage_solver 'jaxley.stone' solves only unbranched cables, but this cell has {} branches; use jaxley.dhs or jax.sparse",
                     model.n_branches());
  if (model.recordings.empty()) fail("no recordings are set; call record() on the module or a view first");

  // Parameters: the node table, then trainables, then data_set.
  p.columns = model.columns;
  for (const auto& g : model.synapses) p.synapse_columns.push_back(g.columns);
  // A key of the node table, or else of a synapse type (then `comps` are synapse indices).
  auto override_any = [&](const std::string& key, const std::vector<int>& comps, const std::vector<double>& values, const char* what) {
    int group = model.column_index(key) < 0 ? model.synapse_group_of(key) : -1;
    if (group >= 0) return apply_synapse_override(model, p, group, key, comps, values, what);
    apply_override(model, p.columns, key, comps, values, what);
  };
  if (!options.params.empty()) {
    if (options.params.size() != model.trainables.size())
      fail("params has {} entries but the module has {} trainable parameter(s)", options.params.size(), model.trainables.size());
    for (std::size_t t = 0; t < model.trainables.size(); ++t) {
      const auto& tr = model.trainables[t];
      if (options.params[t].size() != tr.groups.size())
        fail("params[{}] ('{}') has {} values but {} parameters were made trainable", t, tr.key, options.params[t].size(), tr.groups.size());
      for (std::size_t g = 0; g < tr.groups.size(); ++g)
        override_any(tr.key, tr.groups[g], {options.params[t][g]}, "params");
    }
  }
  for (const auto& ps : options.param_state) override_any(ps.key, ps.comps, ps.values, "data_set");
  for (const auto& name : ir::geometry_columns()) {
    const auto& c = p.columns[col(model, name)];
    for (int k = 0; k < model.n_comp; ++k)
      if (!(c[k] > 0.0) || !std::isfinite(c[k]))
        fail("compartment {} has {} = {} (length = {} um, radius = {} um); it must be positive and finite", k, name, c[k],
             p.columns[col(model, "length")][k], p.columns[col(model, "radius")][k]);
  }
  p.area = p.columns[col(model, "area")];
  p.capacitance = p.columns[col(model, "capacitance")];
  p.axial = axial_conductances(model, p.columns);
  check_derived_geometry(model, p.columns, p.axial);

  // Initial states per node.
  if (options.all_states) {
    check_all_states(model, *options.all_states);
    p.initial = *options.all_states;
    auto need = [&](const std::string& name) {
      auto it = std::find(p.initial.names.begin(), p.initial.names.end(), name);
      if (it == p.initial.names.end()) fail_key("all_states has no entry '{}'", name);
      if (static_cast<int>(p.initial.values[it - p.initial.names.begin()].size()) != model.n_nodes())
        fail("all_states['{}'] has {} values but the model has {} nodes", name, p.initial.values[it - p.initial.names.begin()].size(), model.n_nodes());
    };
    need("v");
    for (const auto& m : model.mechanisms)
      for (const auto& s : m.states) need(s.name);
    for (const auto& c : model.current_names) need(c);
    for (const auto& g : model.synapses) {
      std::vector<std::string> names;
      for (const auto& st : g.type.states) names.push_back(st.name);
      names.push_back(g.type.current_name());
      for (const auto& name : names)
        if (p.initial.at(name).size() != static_cast<std::size_t>(g.size()))
          fail("all_states['{}'] has {} values but the network has {} synapse(s) of type '{}'", name, p.initial.at(name).size(),
               g.size(), g.type.name);
    }
  } else {
    std::vector<double> v(model.n_nodes(), -1.0);  // branchpoints hold -1 like Jaxley's to_jax()
    const auto& v0 = p.columns[col(model, "v")];
    std::copy(v0.begin(), v0.end(), v.begin());
    p.initial.names.push_back("v");
    p.initial.values.push_back(v);
    for (const auto& m : model.mechanisms)
      for (const auto& s : m.states) {
        if (std::find(p.initial.names.begin(), p.initial.names.end(), s.name) != p.initial.names.end()) continue;
        std::vector<double> x(model.n_nodes(), kNaN);
        const auto& x0 = p.columns[col(model, s.name)];
        std::copy(x0.begin(), x0.end(), x.begin());
        p.initial.names.push_back(s.name);
        p.initial.values.push_back(x);
      }
    initial_currents(model, p.columns, p.initial);
    for (std::size_t gi = 0; gi < model.synapses.size(); ++gi) {
      const ir::SynapseGroup& g = model.synapses[gi];
      for (const auto& st : g.type.states) {
        p.initial.names.push_back(st.name);
        p.initial.values.push_back(p.synapse_columns[gi][static_cast<std::size_t>(g.column_index(st.name))]);
      }
    }
    initial_synapse_currents(model, p.synapse_columns, p.initial);
  }

  // Externals and the time grid.
  std::vector<ir::StimulusRow> stimuli = model.stimuli;
  stimuli.insert(stimuli.end(), options.data_stimuli.begin(), options.data_stimuli.end());
  std::vector<ir::ClampRow> clamps = model.clamps;
  clamps.insert(clamps.end(), options.data_clamps.begin(), options.data_clamps.end());
  check_externals_finite(stimuli, model.stimuli.size(), clamps, model.clamps.size());
  for (const auto& s : stimuli)
    if (s.comp < 0 || s.comp >= model.n_comp) fail("stimulus at compartment {} does not exist (the model has {})", s.comp, model.n_comp);
  for (const auto& c : clamps) {
    if (c.comp < 0 || c.comp >= model.n_comp) fail("clamp at compartment {} does not exist (the model has {})", c.comp, model.n_comp);
    if (!model.is_state(c.state)) fail_key("clamp of unknown state '{}'", c.state);
  }
  if (options.t_max) {
    p.n_steps = steps_for_t_max(*options.t_max, p.dt);
  } else {
    if (stimuli.empty() && clamps.empty())
      fail("integrate needs t_max or at least one stimulus or clamp to know how long to simulate");
    std::size_t n = stimuli.empty() ? clamps[0].values.size() : stimuli[0].current.size();
    for (const auto& s : stimuli)
      if (s.current.size() != n) fail("stimuli have different lengths ({} and {} samples); give t_max or equal lengths", n, s.current.size());
    for (const auto& c : clamps)
      if (c.values.size() != n) fail("stimuli and clamps have different lengths ({} and {} samples); give t_max or equal lengths", n, c.values.size());
    p.n_steps = static_cast<int>(n);
  }
  // The run's own arrays before any is allocated: stimulus and clamp rows on the time grid and
  // the recordings (the result and its copy handed to the caller).
  check_memory(8.0 * ((static_cast<double>(stimuli.size()) + static_cast<double>(clamps.size())) * p.n_steps +
                      2.0 * static_cast<double>(model.recordings.size()) * (p.n_steps + 1.0)),
               fmt::format("integrate ({} recordings x {} samples, {} stimulus and clamp rows of {} steps)", model.recordings.size(),
                           p.n_steps + 1, stimuli.size() + clamps.size(), p.n_steps));
  for (std::size_t i = 0; i < stimuli.size(); ++i) {
    p.stimulus_comp.push_back(stimuli[i].comp);
    auto fitted = [&] { return std::make_shared<const std::vector<double>>(fit(stimuli[i].current, p.n_steps, true, fmt::format("stimulus {}", i))); };
    if (shared_rows && i < model.stimuli.size()) {
      StimulusRow& row = (*shared_rows)[{&model.stimuli[i].current, p.n_steps}];
      if (!row) row = fitted();
      p.stimulus.push_back(row);
    } else {
      p.stimulus.push_back(fitted());
    }
  }
  for (std::size_t i = 0; i < clamps.size(); ++i) {
    p.clamp_state.push_back(clamps[i].state);
    p.clamp_comp.push_back(clamps[i].comp);
    p.clamp.push_back(fit(clamps[i].values, p.n_steps, false, fmt::format("clamp of '{}' at compartment {}", clamps[i].state, clamps[i].comp)));
  }
  if (!options.checkpoint_lengths.empty()) {
    long long prod = 1;
    for (int l : options.checkpoint_lengths) {
      if (l < 1) fail("checkpoint_lengths must be positive, got {}", l);
      prod *= l;
    }
    if (prod < p.n_steps) fail("checkpoint_lengths multiply to {} but the simulation has {} steps", prod, p.n_steps);
  }
  return p;
}

}  // namespace ranvier::runtime

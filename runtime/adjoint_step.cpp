#include "runtime/adjoint_step.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "ir/scheme.h"
#include "ir/error.h"
#include "runtime/voltage_step.h"

namespace ranvier::runtime {
namespace {

constexpr double kDiffV = ir::kLinearizationStep;

}  // namespace

AdjointStep::AdjointStep(const ir::Model& model, const ir::TreeSolveSchedule& tree, const Prepared& prepared)
    : model_(model), prepared_(prepared), n_nodes_(model.n_nodes()), n_names_(static_cast<int>(prepared.initial.names.size())) {
  // Node states are n_nodes long, synapse states and currents one value per synapse.
  for (const auto& values : prepared.initial.values) {
    offsets_.push_back(state_size_);
    state_size_ += static_cast<int>(values.size());
  }
  if (prepared.solver == Solver::FwdEuler)
    fail_unsupported("gradients are not supported for solver 'fwd_euler'; use bwd_euler, crank_nicolson or exp_euler");
  d_ = prepared.solver == Solver::CrankNicolson ? prepared.dt / 2.0 : prepared.dt;
  v_ = offset("v");
  for (const auto& m : model.mechanisms) {
    std::vector<ir::Expr> roots;
    for (const auto& u : m.update) roots.push_back(u.expr);
    ir::Expr current[] = {m.current};
    MechanismTapes t{Tape(roots), Tape(current), {}, {}, {}, offset(m.current_name)};
    for (const auto& u : m.update) {
      if (offset(u.name) < 0) fail_unsupported("gradients: mechanism '{}' updates '{}', which is not a state", m.name, u.name);
      t.update_targets.push_back(offset(u.name));
    }
    RANVIER_ASSERT(t.current_target >= 0);
    tapes_.push_back(std::move(t));
  }
  for (auto& t : tapes_) {
    t.update_leaves = bind(t.update);
    t.current_leaves = bind(t.current);
  }
  std::map<std::pair<int, int>, int> edge_index;
  for (std::size_t e = 0; e < model.edges.size(); ++e) edge_index[{model.edges[e].source, model.edges[e].sink}] = static_cast<int>(e);
  for (const auto& edge : model.edges) {
    auto it = edge_index.find({edge.sink, edge.source});
    RANVIER_ASSERT(it != edge_index.end());
    reverse_edge_.push_back(it->second);
  }
  for (const auto& s : prepared.clamp_state) clamp_offset_.push_back(offset(s));
  // The system's parts that do not change from step to step (assemble()).
  in_begin_.assign(static_cast<std::size_t>(n_nodes_) + 1, 0);
  for (const auto& e : model.edges) ++in_begin_[static_cast<std::size_t>(e.sink) + 1];
  for (int i = 0; i < n_nodes_; ++i) in_begin_[i + 1] += in_begin_[i];
  in_g_.assign(model.edges.size(), 0.0);
  std::vector<int> fill(in_begin_.begin(), in_begin_.end() - 1);
  for (std::size_t e = 0; e < model.edges.size(); ++e) {
    const double g = d_ * prepared.axial[e];
    in_g_[static_cast<std::size_t>(fill[model.edges[e].sink]++)] = g;
    offdiag_.push_back(-g);
  }
  // A^T has A's sparsity; its entry at (sink, source) of an edge is A's at (source, sink).
  for (std::size_t e = 0; e < model.edges.size(); ++e) transposed_offdiag_.push_back(offdiag_[static_cast<std::size_t>(reverse_edge_[e])]);
  if (prepared.solver == Solver::ExpEuler)
    transition_ = exp_euler_transition(model, prepared.axial, prepared.dt);
  else
    solver_ = make_linear_solver(model, tree, prepared.voltage_solver);
}

int AdjointStep::offset(const std::string& name) const {
  const auto& names = prepared_.initial.names;
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : offsets_[static_cast<std::size_t>(it - names.begin())];
}

std::vector<AdjointStep::Binding> AdjointStep::bind(const Tape& tape) const {
  std::vector<Binding> out;
  for (const auto& leaf : tape.leaves()) {
    switch (leaf.op) {
      case ir::Op::Param: {
        int c = model_.column_index(leaf.name);
        RANVIER_ASSERT(c >= 0);
        out.push_back({leaf.slot, Source::Param, c});
        break;
      }
      case ir::Op::State: {
        int o = offset(leaf.name);
        RANVIER_ASSERT(o >= 0);
        out.push_back({leaf.slot, Source::State, o});
        break;
      }
      case ir::Op::Voltage: out.push_back({leaf.slot, Source::Voltage, 0}); break;
      default: out.push_back({leaf.slot, Source::TimeStep, 0});
    }
  }
  return out;
}

std::vector<double> AdjointStep::initial_state() const {
  std::vector<double> x(static_cast<std::size_t>(state_size()));
  for (int i = 0; i < n_names_; ++i) std::copy(prepared_.initial.values[i].begin(), prepared_.initial.values[i].end(), x.begin() + offsets_[i]);
  return x;
}

ParamCotangents AdjointStep::zero_cotangents() const {
  ParamCotangents pg;
  for (const auto& col : prepared_.columns) pg.columns.emplace_back(col.size(), 0.0);
  for (const auto& group : prepared_.synapse_columns) {
    pg.synapse_columns.emplace_back();
    for (const auto& col : group) pg.synapse_columns.back().emplace_back(col.size(), 0.0);
  }
  pg.area.assign(model_.n_comp, 0.0);
  pg.stimulus.assign(prepared_.stimulus.size(), std::vector<double>(static_cast<std::size_t>(prepared_.n_steps), 0.0));
  pg.capacitance.assign(model_.n_comp, 0.0);
  pg.axial.assign(model_.edges.size(), 0.0);
  return pg;
}

void AdjointStep::fill(const std::vector<Binding>& leaves, double* slots, const std::vector<double>& x, int c, double v) const {
  for (const auto& b : leaves) {
    switch (b.source) {
      case Source::Param: slots[b.slot] = prepared_.columns[b.index][c]; break;
      case Source::State: slots[b.slot] = x[b.index + c]; break;
      case Source::Voltage: slots[b.slot] = v; break;
      case Source::TimeStep: slots[b.slot] = prepared_.dt; break;
    }
  }
}

void AdjointStep::scatter(const std::vector<Binding>& leaves, const double* adjoint, std::vector<double>& g, ParamCotangents& pg, int c) const {
  const int v = v_;
  for (const auto& b : leaves) {
    const double a = adjoint[b.slot];
    switch (b.source) {
      case Source::Param: pg.columns[b.index][c] += a; break;
      case Source::State: g[b.index + c] += a; break;
      case Source::Voltage: g[v + c] += a; break;
      case Source::TimeStep: break;  // dt is not differentiated
    }
  }
}

void AdjointStep::forward(int k, const std::vector<double>& x, std::vector<double>& y, Capture* cap) const {
  const Prepared& p = prepared_;
  const int n = n_nodes_, nc = model_.n_comp, v = v_;
  y = x;
  Capture local;
  Capture& cp = cap ? *cap : local;
  // 1. External current, nA -> uA/cm^2 with the compartment's area.
  std::vector<double> i_ext(n, 0.0);
  for (std::size_t s = 0; s < p.stimulus.size(); ++s) {
    int c = p.stimulus_comp[s];
    i_ext[c] += ir::point_current_density((*p.stimulus[s])[k], p.area[c]);
  }
  // 2. Gates with the voltage before the step; later mechanisms see earlier ones' writes.
  cp.update_slots.resize(tapes_.size());
  cp.current_slots.resize(tapes_.size());
  for (std::size_t m = 0; m < tapes_.size(); ++m) {
    const auto& t = tapes_[m];
    const auto& comps = model_.mechanism_comps[m];
    const std::size_t ns = static_cast<std::size_t>(t.update.n_slots());
    cp.update_slots[m].resize(comps.size() * ns);
    for (std::size_t i = 0; i < comps.size(); ++i) {
      int c = comps[i];
      double* slots = cp.update_slots[m].data() + i * ns;
      fill(t.update_leaves, slots, y, c, x[v + c]);
      t.update.run(slots);
      for (std::size_t o = 0; o < t.update_targets.size(); ++o) y[t.update_targets[o] + c] = slots[t.update.output(o)];
    }
  }
  // 3. Currents with the new gates, linearised by a forward difference in v.
  cp.lin.assign(n, 0.0);
  cp.cst.assign(n, 0.0);
  for (const auto& t : tapes_) std::fill(y.begin() + t.current_target, y.begin() + t.current_target + n, 0.0);
  for (std::size_t m = 0; m < tapes_.size(); ++m) {
    const auto& t = tapes_[m];
    const auto& comps = model_.mechanism_comps[m];
    const std::size_t ns = static_cast<std::size_t>(t.current.n_slots());
    cp.current_slots[m].resize(comps.size() * 2 * ns);
    for (std::size_t i = 0; i < comps.size(); ++i) {
      int c = comps[i];
      double* s0 = cp.current_slots[m].data() + (2 * i) * ns;
      double* s1 = s0 + ns;
      fill(t.current_leaves, s0, y, c, x[v + c]);
      t.current.run(s0);
      fill(t.current_leaves, s1, y, c, x[v + c] + kDiffV);
      t.current.run(s1);
      double i0 = s0[t.current.output(0)], i1 = s1[t.current.output(0)];
      double g = (i1 - i0) / kDiffV;
      double constant = i0 - g * x[v + c];
      cp.lin[c] += g;
      cp.cst[c] += -constant;
      y[t.current_target + c] += i0;
    }
  }
  // 4. Clamps of states other than v.
  clamp_states(k, y);
  // 5. Membrane terms per unit capacitance (mA/cm^2 -> uA/cm^2 by 1000).
  cp.vt.assign(n, 0.0);
  cp.ct.assign(n, 0.0);
  for (int c = 0; c < nc; ++c) {
    cp.vt[c] = cp.lin[c] * 1000.0 / p.capacitance[c];
    cp.ct[c] = (cp.cst[c] * 1000.0 + i_ext[c]) / p.capacitance[c];
  }
  forward_voltage(k, x, y, cp);
}

void AdjointStep::clamp_states(int k, std::vector<double>& y) const {
  const Prepared& p = prepared_;
  for (std::size_t i = 0; i < p.clamp.size(); ++i)
    if (p.clamp_state[i] != "v") y[clamp_offset_[i] + p.clamp_comp[i]] = p.clamp[i][k];
}

void AdjointStep::forward_voltage(int k, const std::vector<double>& x, std::vector<double>& y, Capture& cp) const {
  const Prepared& p = prepared_;
  const int n = n_nodes_, nc = model_.n_comp, v = v_;
  if (p.solver == Solver::ExpEuler) {
    // 6. exp_euler (VoltageStep::exponential): exact exponential step of each linearised
    //    membrane equation, then the axial transition matrix expm(G dt) on compartments.
    cp.solution.assign(n, 0.0);  // v after the membrane step
    cp.diag.assign(n, 0.0);      // its exponential factor
    for (int i = 0; i < n; ++i) {
      const double vi = x[v + i];
      if (cp.vt[i] == 0.0) {
        cp.solution[i] = vi + cp.ct[i] * p.dt;
      } else {
        const double tau = 1.0 / cp.vt[i], x_inf = cp.ct[i] / cp.vt[i];
        const double e = std::exp(std::fmin(-p.dt / tau, 20.0));
        cp.diag[i] = e;
        cp.solution[i] = vi * e + x_inf * (1.0 - e);
      }
    }
    for (int i = 0; i < n; ++i) y[v + i] = cp.solution[i];
    for (int i = 0; i < nc; ++i) {
      double acc = 0.0;
      for (int j = 0; j < nc; ++j) acc += transition_[static_cast<std::size_t>(i) * nc + j] * cp.solution[j];
      y[v + i] = acc;
    }
  } else {
    // 6. Implicit solve (VoltageStep::implicit), then 7. voltage clamps.
    assemble(cp);
    cp.solution.assign(n, 0.0);
    for (int i = 0; i < nc; ++i) cp.solution[i] = x[v + i] + d_ * cp.ct[i];
    solve_diag_ = cp.diag;  // the solver eliminates in place
    solver_->solve(solve_diag_, offdiag_, cp.solution);
    for (int i = 0; i < n; ++i)
      y[v + i] = p.solver == Solver::CrankNicolson ? 2.0 * cp.solution[i] - x[v + i] : cp.solution[i];
  }
  for (std::size_t i = 0; i < p.clamp.size(); ++i)
    if (p.clamp_state[i] == "v") y[v + p.clamp_comp[i]] = p.clamp[i][k];
}

void AdjointStep::assemble(Capture& cp) const {
  const int n = n_nodes_, nc = model_.n_comp;
  cp.diag.resize(static_cast<std::size_t>(n));
  // Per node, its incoming edges' d * axial in edge order: the interpreter's scatter order.
  for (int i = 0; i < n; ++i) {
    double diag = d_ * cp.vt[i] + (i < nc ? 1.0 : 0.0);
    for (int k = in_begin_[i]; k < in_begin_[i + 1]; ++k) diag += in_g_[k];
    cp.diag[i] = diag;
  }
}

void AdjointStep::solve_transposed(const Capture& cap, std::vector<double>& rhs) const {
  solve_diag_ = cap.diag;
  solver_->solve(solve_diag_, transposed_offdiag_, rhs);
}

void AdjointStep::backward_voltage(const std::vector<double>& x, const Capture& cap, std::vector<double>& g,
                                   std::vector<double>& g_vt, std::vector<double>& g_ct, ParamCotangents& pg) const {
  const Prepared& p = prepared_;
  const int n = n_nodes_, nc = model_.n_comp, v = v_;
  // 7. Clamped voltages do not depend on anything before.
  for (std::size_t i = 0; i < p.clamp.size(); ++i)
    if (p.clamp_state[i] == "v") g[v + p.clamp_comp[i]] = 0.0;
  if (p.solver == Solver::ExpEuler) {
    // 6'. w = T u on compartments (branchpoints keep u), u = v e + x_inf (1 - e) with
    //     x_inf = ct / vt, e = exp(min(-dt vt, 20)); or u = v + ct dt where vt = 0. The
    //     transition matrix T depends on geometry only, which GradientEngine rejects.
    std::vector<double> g_u(n, 0.0);
    for (int i = nc; i < n; ++i) g_u[i] = g[v + i];
    for (int j = 0; j < nc; ++j) {
      double acc = 0.0;
      for (int i = 0; i < nc; ++i) acc += transition_[static_cast<std::size_t>(i) * nc + j] * g[v + i];
      g_u[j] = acc;
    }
    for (int i = 0; i < n; ++i) {
      if (cap.vt[i] == 0.0) {
        g[v + i] = g_u[i];
        g_ct[i] = g_u[i] * p.dt;
      } else {
        const double vt = cap.vt[i], ct = cap.ct[i], e = cap.diag[i], x_inf = ct / vt;
        g[v + i] = g_u[i] * e;
        const double g_xinf = g_u[i] * (1.0 - e), g_e = g_u[i] * (x[v + i] - x_inf);
        g_ct[i] = g_xinf / vt;
        g_vt[i] = -g_xinf * x_inf / vt;
        // d e / d vt = -dt e unless the exponent was clipped at 20 (-dt / (1 / vt) > 20).
        if (!(-p.dt / (1.0 / vt) > 20.0)) g_vt[i] += g_e * -p.dt * e;
      }
    }
  } else {
    // 6. v_new = x (bwd_euler) or 2 x - v_old (crank_nicolson), where A x = rhs:
    //    lambda = A^-T g_x, g_rhs = lambda, g_A = -lambda x^T on A's sparsity.
    std::vector<double>& lambda = lambda_;
    std::vector<double>& g_v_old = g_v_old_;
    lambda.assign(static_cast<std::size_t>(n), 0.0);
    g_v_old.assign(static_cast<std::size_t>(n), 0.0);
    const bool cn = p.solver == Solver::CrankNicolson;
    for (int i = 0; i < n; ++i) {
      lambda[i] = cn ? 2.0 * g[v + i] : g[v + i];
      if (cn) g_v_old[i] = -g[v + i];
    }
    solve_transposed(cap, lambda);
    for (int i = 0; i < nc; ++i) {
      g_v_old[i] += lambda[i];
      g_ct[i] = d_ * lambda[i];
    }
    for (int i = 0; i < n; ++i) g_vt[i] = d_ * -(lambda[i] * cap.solution[i]);  // diag = [1] + d vt + d sum(axial)
    for (std::size_t e = 0; e < model_.edges.size(); ++e) {
      const auto& edge = model_.edges[e];
      double g_diag = -(lambda[edge.sink] * cap.solution[edge.sink]);
      double g_off = -(lambda[edge.sink] * cap.solution[edge.source]);
      pg.axial[e] += d_ * g_diag - d_ * g_off;  // diag[sink] += d axial, offdiag = -d axial
    }
    for (int i = 0; i < n; ++i) g[v + i] = g_v_old[i];
  }
}

void AdjointStep::backward(int k, const std::vector<double>& x, const Capture& cap, std::vector<double>& g, ParamCotangents& pg) const {
  const Prepared& p = prepared_;
  const int n = n_nodes_, nc = model_.n_comp, v = v_;
  std::vector<double> g_vt(n, 0.0), g_ct(n, 0.0);
  backward_voltage(x, cap, g, g_vt, g_ct, pg);
  // 5. vt = lin 1000 / cm, ct = (cst 1000 + i_ext) / cm.
  std::vector<double> g_lin(n, 0.0), g_cst(n, 0.0), g_iext(n, 0.0);
  for (int c = 0; c < nc; ++c) {
    const double cm = p.capacitance[c];
    g_lin[c] = g_vt[c] * 1000.0 / cm;
    g_cst[c] = g_ct[c] * 1000.0 / cm;
    g_iext[c] = g_ct[c] / cm;
    pg.capacitance[c] += -(g_vt[c] * cap.vt[c] + g_ct[c] * cap.ct[c]) / cm;
  }
  // 4. Clamped states were overwritten after the currents used them.
  unclamp_cotangents(g);
  // 3. Currents: g = (i1 - i0) / dv, cst += -(i0 - g v), lin += g, current += i0. The
  //    membrane currents before the step are overwritten, so their cotangents end here.
  std::vector<std::vector<double>> g_cur(tapes_.size());
  for (std::size_t m = 0; m < tapes_.size(); ++m) {
    const int o = tapes_[m].current_target;
    g_cur[m].assign(g.begin() + o, g.begin() + o + n);
  }
  for (const auto& t : tapes_) std::fill(g.begin() + t.current_target, g.begin() + t.current_target + n, 0.0);
  std::vector<double> adj;
  for (std::size_t m = 0; m < tapes_.size(); ++m) {
    const auto& t = tapes_[m];
    const auto& comps = model_.mechanism_comps[m];
    const std::size_t ns = static_cast<std::size_t>(t.current.n_slots());
    const int out = t.current.output(0);
    for (std::size_t i = 0; i < comps.size(); ++i) {
      int c = comps[i];
      const double* s0 = cap.current_slots[m].data() + (2 * i) * ns;
      const double* s1 = s0 + ns;
      const double i0 = s0[out], i1 = s1[out], slope = (i1 - i0) / kDiffV;
      const double g_slope = g_lin[c] + g_cst[c] * x[v + c];
      g[v + c] += g_cst[c] * slope;
      adj.assign(ns, 0.0);
      adj[out] = g_cur[m][c] - g_cst[c] - g_slope / kDiffV;
      t.current.backward(s0, adj.data());
      scatter(t.current_leaves, adj.data(), g, pg, c);
      adj.assign(ns, 0.0);
      adj[out] = g_slope / kDiffV;
      t.current.backward(s1, adj.data());
      scatter(t.current_leaves, adj.data(), g, pg, c);
    }
  }
  // 2. Gate updates, last mechanism first: each consumes the cotangent of what it wrote.
  for (std::size_t m = tapes_.size(); m-- > 0;) {
    const auto& t = tapes_[m];
    const auto& comps = model_.mechanism_comps[m];
    const std::size_t ns = static_cast<std::size_t>(t.update.n_slots());
    for (std::size_t i = 0; i < comps.size(); ++i) {
      int c = comps[i];
      const double* slots = cap.update_slots[m].data() + i * ns;
      adj.assign(ns, 0.0);
      for (std::size_t o = 0; o < t.update_targets.size(); ++o) {
        adj[t.update.output(o)] += g[t.update_targets[o] + c];
        g[t.update_targets[o] + c] = 0.0;
      }
      t.update.backward(slots, adj.data());
      scatter(t.update_leaves, adj.data(), g, pg, c);
    }
  }
  backward_stimulus(k, g_iext, pg);
}

void AdjointStep::unclamp_cotangents(std::vector<double>& g) const {
  const Prepared& p = prepared_;
  for (std::size_t i = 0; i < p.clamp.size(); ++i)
    if (p.clamp_state[i] != "v") g[clamp_offset_[i] + p.clamp_comp[i]] = 0.0;
}

void AdjointStep::backward_stimulus(int k, const std::vector<double>& g_iext, ParamCotangents& pg) const {
  // 1. i_ext = stimulus / area 1e5: d/d area = -i_ext / area, d/d stimulus = 1e5 / area.
  const Prepared& p = prepared_;
  for (std::size_t s = 0; s < p.stimulus.size(); ++s) {
    int c = p.stimulus_comp[s];
    pg.stimulus[s][k] += ir::point_current_density(g_iext[c], p.area[c]);
    pg.area[c] += -ir::point_current_density((*p.stimulus[s])[k], p.area[c]) / p.area[c] * g_iext[c];
  }
}

void AdjointStep::backward_initial_currents(const std::vector<double>& x0, std::vector<double>& g, ParamCotangents& pg) const {
  const int n = n_nodes_, v = v_;
  std::vector<std::vector<double>> g_cur(tapes_.size());
  for (std::size_t m = 0; m < tapes_.size(); ++m) g_cur[m].assign(g.begin() + tapes_[m].current_target, g.begin() + tapes_[m].current_target + n);
  for (const auto& t : tapes_) std::fill(g.begin() + t.current_target, g.begin() + t.current_target + n, 0.0);
  std::vector<double> slots, adj;
  for (std::size_t m = 0; m < tapes_.size(); ++m) {
    const auto& t = tapes_[m];
    slots.resize(t.current.n_slots());
    for (int c : model_.mechanism_comps[m]) {
      if (g_cur[m][c] == 0.0) continue;
      fill(t.current_leaves, slots.data(), x0, c, x0[v + c]);
      t.current.run(slots.data());
      adj.assign(slots.size(), 0.0);
      adj[t.current.output(0)] = g_cur[m][c];
      t.current.backward(slots.data(), adj.data());
      scatter(t.current_leaves, adj.data(), g, pg, c);
    }
  }
}

}  // namespace ranvier::runtime

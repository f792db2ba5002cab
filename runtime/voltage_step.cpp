#include "runtime/voltage_step.h"

#include <cmath>

#include "ir/error.h"

namespace ranvier::runtime {

VoltageStep::VoltageStep(const ir::Model& model, const ir::TreeSolveSchedule& tree, const Prepared& prepared)
    : model_(model), solver_(prepared.solver), dt_(prepared.dt), axial_(prepared.axial) {
  const int n = model.n_nodes();
  diag_.resize(n);
  rhs_.resize(n);
  offdiag_.resize(model.edges.size());
  if (solver_ == Solver::BwdEuler || solver_ == Solver::CrankNicolson)
    linear_ = make_linear_solver(model, tree, prepared.voltage_solver);
  if (solver_ == Solver::ExpEuler) transition_ = exp_euler_transition(model, axial_, dt_);
}

void VoltageStep::advance(std::vector<double>& v, const std::vector<double>& vt, const std::vector<double>& ct) {
  switch (solver_) {
    case Solver::BwdEuler: implicit(v, vt, ct, dt_); break;
    case Solver::CrankNicolson: {
      // Half-step implicit solve, then v_{n+1} = 2 v_{n+1/2} - v_n (NEURON secondorder=1).
      std::vector<double> old = v;
      implicit(v, vt, ct, dt_ / 2.0);
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = 2.0 * v[i] - old[i];
      break;
    }
    case Solver::FwdEuler: explicit_euler(v, vt, ct); break;
    case Solver::ExpEuler: exponential(v, vt, ct); break;
  }
}

void VoltageStep::implicit(std::vector<double>& v, const std::vector<double>& vt, const std::vector<double>& ct, double d) {
  const int n = model_.n_nodes();
  for (int i = 0; i < n; ++i) {
    diag_[i] = d * vt[i];
    if (i < model_.n_comp) diag_[i] += 1.0;
  }
  for (std::size_t e = 0; e < model_.edges.size(); ++e) {
    double g = d * axial_[e];
    diag_[model_.edges[e].sink] += g;
    offdiag_[e] = -g;
  }
  for (int i = 0; i < n; ++i) rhs_[i] = i < model_.n_comp ? v[i] + d * ct[i] : 0.0;
  linear_->solve(diag_, offdiag_, rhs_);
  v = rhs_;
}

void VoltageStep::explicit_euler(std::vector<double>& v, const std::vector<double>& vt, const std::vector<double>& ct) {
  const int n = model_.n_nodes();
  std::vector<double> field(n), u = v;
  for (int i = 0; i < n; ++i) field[i] = -vt[i] * v[i] + ct[i];
  // Branchpoints first take the conductance-weighted mean of their neighbours.
  if (model_.n_bp > 0) {
    std::vector<double> summed(n, 1.0);
    for (int b = model_.n_comp; b < n; ++b) u[b] = 0.0, summed[b] = 0.0;
    for (std::size_t e = 0; e < model_.edges.size(); ++e) {
      const auto& edge = model_.edges[e];
      if (edge.type == ir::EdgeType::ParentToBranchpoint || edge.type == ir::EdgeType::ChildToBranchpoint) {
        u[edge.sink] += axial_[e] * v[edge.source];
        summed[edge.sink] += axial_[e];
      }
    }
    for (int i = 0; i < n; ++i) u[i] = u[i] / summed[i];
  }
  // As in Jaxley, every edge (also those into branchpoints) adds its coupling term.
  for (std::size_t e = 0; e < model_.edges.size(); ++e) {
    const auto& edge = model_.edges[e];
    field[edge.sink] += (u[edge.source] - u[edge.sink]) * axial_[e];
  }
  for (int i = 0; i < n; ++i) v[i] = v[i] + dt_ * field[i];
}

void VoltageStep::exponential(std::vector<double>& v, const std::vector<double>& vt, const std::vector<double>& ct) {
  const int n = model_.n_nodes(), nc = model_.n_comp;
  for (int i = 0; i < n; ++i) {
    if (vt[i] == 0.0) {
      v[i] = v[i] + ct[i] * dt_;
    } else {
      // exponential_euler(v, dt, ct / vt, 1 / vt) with save_exp clipping.
      double tau = 1.0 / vt[i], x_inf = ct[i] / vt[i];
      double e = std::exp(std::fmin(-dt_ / tau, 20.0));
      v[i] = v[i] * e + x_inf * (1.0 - e);
    }
  }
  std::vector<double> out(nc, 0.0);
  for (int i = 0; i < nc; ++i) {
    double acc = 0.0;
    for (int j = 0; j < nc; ++j) acc += transition_[static_cast<std::size_t>(i) * nc + j] * v[j];
    out[i] = acc;
  }
  for (int i = 0; i < nc; ++i) v[i] = out[i];
}

}  // namespace ranvier::runtime

#pragma once
// The voltage update of one step for each `solver` (SEMANTICS.md §2.5), given the
// linearised membrane terms: dv/dt = -voltage_terms * v + constant_terms + axial coupling.
#include <memory>
#include <vector>

#include "ir/model.h"
#include "runtime/linear_solver.h"
#include "runtime/prepare.h"

namespace ranvier::runtime {

class VoltageStep {
 public:
  VoltageStep(const ir::Model& model, const ir::TreeSolveSchedule& tree, const Prepared& prepared);
  // v (per node) is advanced in place. voltage_terms (1/ms) and constant_terms (mV/ms) are per
  // node, zero at branchpoints.
  void advance(std::vector<double>& v, const std::vector<double>& voltage_terms, const std::vector<double>& constant_terms);

 private:
  void implicit(std::vector<double>& v, const std::vector<double>& vt, const std::vector<double>& ct, double d);
  void explicit_euler(std::vector<double>& v, const std::vector<double>& vt, const std::vector<double>& ct);
  void exponential(std::vector<double>& v, const std::vector<double>& vt, const std::vector<double>& ct);

  const ir::Model& model_;
  Solver solver_;
  double dt_;
  std::vector<double> axial_;
  std::unique_ptr<LinearSolver> linear_;
  std::vector<double> transition_;  // exp_euler: expm(G dt), row-major n_comp x n_comp
  std::vector<double> diag_, offdiag_, rhs_;
};

// exp_euler's dense compartment-only transition matrix expm(G dt), branchpoints eliminated
// (Jaxley's build_exp_euler_transition_matrix), row-major n_comp x n_comp.
std::vector<double> exp_euler_transition(const ir::Model& model, const std::vector<double>& axial, double dt);

}  // namespace ranvier::runtime

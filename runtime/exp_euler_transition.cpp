// The transition matrix of exp_euler: G has compartment-to-compartment conductances off the
// diagonal, minus the sum of conductances into each compartment on it, and every branchpoint
// eliminated analytically (X <- bp <- Y contributes g_X * G_Y / sum G). Then expm(G dt).
#include <Eigen/Dense>
#include <unsupported/Eigen/MatrixFunctions>

#include "runtime/voltage_step.h"

namespace ranvier::runtime {

std::vector<double> exp_euler_transition(const ir::Model& model, const std::vector<double>& axial, double dt) {
  const int nc = model.n_comp;
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(nc, nc);
  std::vector<double> bp_sum(model.n_bp, 0.0);
  for (std::size_t e = 0; e < model.edges.size(); ++e) {
    const auto& edge = model.edges[e];
    switch (edge.type) {
      case ir::EdgeType::CompToComp:
        g(edge.sink, edge.source) += axial[e];
        g(edge.sink, edge.sink) -= axial[e];
        break;
      case ir::EdgeType::BranchpointToParent:
      case ir::EdgeType::BranchpointToChild: g(edge.sink, edge.sink) -= axial[e]; break;
      default: bp_sum[edge.sink - nc] += axial[e]; break;
    }
  }
  for (std::size_t e = 0; e < model.edges.size(); ++e) {
    const auto& into_comp = model.edges[e];
    if (into_comp.type != ir::EdgeType::BranchpointToParent && into_comp.type != ir::EdgeType::BranchpointToChild) continue;
    const int bp = into_comp.source;
    for (std::size_t f = 0; f < model.edges.size(); ++f) {
      const auto& into_bp = model.edges[f];
      if (into_bp.sink != bp) continue;
      g(into_comp.sink, into_bp.source) += axial[e] * (axial[f] / bp_sum[bp - nc]);
    }
  }
  Eigen::MatrixXd m = (g * dt).exp();
  std::vector<double> out(static_cast<std::size_t>(nc) * nc);
  for (int i = 0; i < nc; ++i)
    for (int j = 0; j < nc; ++j) out[static_cast<std::size_t>(i) * nc + j] = m(i, j);
  return out;
}

}  // namespace ranvier::runtime

// Tridiagonal solve for unbranched cables ("jaxley.stone"). Jaxley uses Stone's recursive
// doubling for GPU parallelism; on the CPU plain elimination solves the same system.
#include "ir/error.h"
#include "runtime/linear_solver.h"

namespace ranvier::runtime {
namespace {

class TridiagonalSolver final : public LinearSolver {
 public:
  explicit TridiagonalSolver(const ir::Model& model) : n_(model.n_nodes()), lower_edge_(n_, -1), upper_edge_(n_, -1) {
    for (std::size_t e = 0; e < model.edges.size(); ++e) {
      const auto& edge = model.edges[e];
      if (edge.type != ir::EdgeType::CompToComp)
        fail_unsupported("voltage_solver 'jaxley.stone' solves only unbranched cables, but this cell has {} branches; use jaxley.dhs or jax.sparse",
                         model.n_branches());
      if (edge.sink == edge.source + 1) lower_edge_[edge.sink] = static_cast<int>(e);  // A[i][i-1]
      if (edge.sink + 1 == edge.source) upper_edge_[edge.sink] = static_cast<int>(e);  // A[i][i+1]
    }
  }

  void solve(std::vector<double>& diag, const std::vector<double>& offdiag, std::vector<double>& rhs) override {
    // Between the cells of a network there is no edge: the coupling is zero there.
    auto entry = [&](int edge) { return edge >= 0 ? offdiag[edge] : 0.0; };
    for (int i = 1; i < n_; ++i) {
      double m = entry(lower_edge_[i]) / diag[i - 1];
      diag[i] -= m * entry(upper_edge_[i - 1]);
      rhs[i] -= m * rhs[i - 1];
    }
    rhs[n_ - 1] /= diag[n_ - 1];
    for (int i = n_ - 2; i >= 0; --i) rhs[i] = (rhs[i] - entry(upper_edge_[i]) * rhs[i + 1]) / diag[i];
  }

 private:
  int n_;
  std::vector<int> lower_edge_, upper_edge_;
};

}  // namespace

std::unique_ptr<LinearSolver> make_tridiagonal_solver(const ir::Model& model) {
  return std::make_unique<TridiagonalSolver>(model);
}

std::unique_ptr<LinearSolver> make_linear_solver(const ir::Model& model, const ir::TreeSolveSchedule& tree, VoltageSolver which) {
  switch (which) {
    case VoltageSolver::DhsCpu: return make_dhs_solver(tree, false);
    case VoltageSolver::DhsGpu: return make_dhs_solver(tree, true);
    case VoltageSolver::Sparse: return make_sparse_solver(model);
    case VoltageSolver::Stone: return make_tridiagonal_solver(model);
  }
  RANVIER_ASSERT(false);
}

}  // namespace ranvier::runtime

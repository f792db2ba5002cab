// Generic sparse LU through Eigen: the "jax.sparse" voltage solver and the generic baseline
// the benchmarks compare the specialised tree solves with.
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include "ir/error.h"
#include "runtime/linear_solver.h"

namespace ranvier::runtime {
namespace {

class SparseSolver final : public LinearSolver {
 public:
  explicit SparseSolver(const ir::Model& model) : edges_(model.edges), n_(model.n_nodes()), matrix_(n_, n_) {
    std::vector<Eigen::Triplet<double>> pattern;
    for (int i = 0; i < n_; ++i) pattern.emplace_back(i, i, 1.0);
    for (const auto& e : edges_) pattern.emplace_back(e.sink, e.source, 1.0);
    matrix_.setFromTriplets(pattern.begin(), pattern.end());
    matrix_.makeCompressed();
    lu_.analyzePattern(matrix_);
  }

  void solve(std::vector<double>& diag, const std::vector<double>& offdiag, std::vector<double>& rhs) override {
    // Rows are equilibrated (divided by their diagonal) first: branchpoint rows are ~1e6
    // smaller than compartment rows, and unscaled partial pivoting loses ~5 digits on them.
    for (int i = 0; i < n_; ++i) {
      matrix_.coeffRef(i, i) = 1.0;
      rhs[i] /= diag[i];
    }
    for (std::size_t e = 0; e < edges_.size(); ++e)
      matrix_.coeffRef(edges_[e].sink, edges_[e].source) = offdiag[e] / diag[edges_[e].sink];
    lu_.factorize(matrix_);
    if (lu_.info() != Eigen::Success) fail("jax.sparse: the voltage matrix is singular ({})", lu_.lastErrorMessage());
    Eigen::Map<Eigen::VectorXd> b(rhs.data(), n_);
    Eigen::VectorXd x = lu_.solve(b);
    b = x;
  }

 private:
  std::vector<ir::Edge> edges_;
  int n_;
  Eigen::SparseMatrix<double> matrix_;
  Eigen::SparseLU<Eigen::SparseMatrix<double>, Eigen::COLAMDOrdering<int>> lu_;
};

}  // namespace

std::unique_ptr<LinearSolver> make_sparse_solver(const ir::Model& model) { return std::make_unique<SparseSolver>(model); }

}  // namespace ranvier::runtime

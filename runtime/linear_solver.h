#pragma once
// Solvers of the voltage system A x = b, where A has the sparsity of the compartment tree
// (with branchpoints): A[i][i] = diag[i] and A[edge.sink][edge.source] = offdiag[edge].
#include <memory>
#include <vector>

#include "ir/dhs_schedule.h"
#include "ir/model.h"
#include "runtime/prepare.h"

namespace ranvier::runtime {

class LinearSolver {
 public:
  virtual ~LinearSolver() = default;
  // Solves in place: `rhs` becomes x. `diag` may be overwritten.
  virtual void solve(std::vector<double>& diag, const std::vector<double>& offdiag, std::vector<double>& rhs) = 0;
};

// DHS elimination on the pipeline's schedule (passes::lower_tree_solve); `pointer_jumping`
// selects the GPU variant's back-substitution (recursive doubling) instead of the sweep.
std::unique_ptr<LinearSolver> make_dhs_solver(const ir::TreeSolveSchedule& tree, bool pointer_jumping);
// Generic sparse LU (Eigen's SparseLU), the "jax.sparse" baseline.
std::unique_ptr<LinearSolver> make_sparse_solver(const ir::Model& model);
// Tridiagonal elimination for unbranched cables ("jaxley.stone"); throws for branched cells.
std::unique_ptr<LinearSolver> make_tridiagonal_solver(const ir::Model& model);

std::unique_ptr<LinearSolver> make_linear_solver(const ir::Model& model, const ir::TreeSolveSchedule& tree, VoltageSolver which);

}  // namespace ranvier::runtime

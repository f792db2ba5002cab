// DHS tree solve (Jaxley's solver_voltage.py::_make_dhs_solve), on the schedule of the
// dhs_schedule pass, run in its wavefront order (passes/dhs_wavefront.h: the same
// eliminations with the same per-parent order, bit-identical, with independent divisions
// side by side instead of Jaxley's CPU default of one dependent chain).
#include <cmath>

#include "ir/dhs_schedule.h"
#include "runtime/linear_solver.h"

namespace ranvier::runtime {
namespace {

class DhsSolver final : public LinearSolver {
 public:
  DhsSolver(const ir::TreeSolveSchedule& tree, bool pointer_jumping)
      : schedule_(tree.schedule), waves_(tree.wavefronts), pointer_jumping_(pointer_jumping) {
    lower_.resize(schedule_.parent.size());
    upper_.resize(schedule_.parent.size());
  }

  void solve(std::vector<double>& diag, const std::vector<double>& offdiag, std::vector<double>& rhs) override {
    const int n = static_cast<int>(diag.size());
    for (int i = 0; i < n; ++i) {
      lower_[i] = schedule_.edge_to_parent[i] >= 0 ? offdiag[schedule_.edge_to_parent[i]] : 0.0;    // A[i][parent]
      upper_[i] = schedule_.edge_from_parent[i] >= 0 ? offdiag[schedule_.edge_from_parent[i]] : 0.0;  // A[parent][i]
    }
    // Triangularisation, leaves first.
    for (const auto& level : waves_.levels)
      for (auto [c, p] : level) {
        double m = upper_[c] / diag[c];
        diag[p] += -(lower_[c] * m);
        rhs[p] += -(rhs[c] * m);
      }
    if (!pointer_jumping_) {
      // Sweep from the root: x[c] = (rhs[c] - lower[c] x[p]) / diag[c], normalised first.
      for (int i = 0; i < n; ++i) {
        lower_[i] = lower_[i] / diag[i];
        rhs[i] = rhs[i] / diag[i];
      }
      for (auto level = waves_.levels.rbegin(); level != waves_.levels.rend(); ++level)
        for (auto [c, p] : *level) rhs[c] += -(rhs[p] * lower_[c]);
      return;
    }
    // Recursive doubling: x[i] = s[i] + l[i] x[P[i]] until every P reaches the root.
    std::vector<double> s(n), l(n), s2(n), l2(n);
    std::vector<int> jump(n), jump2(n);
    for (int i = 0; i < n; ++i) {
      jump[i] = schedule_.parent[i] < 0 ? i : schedule_.parent[i];
      l[i] = schedule_.parent[i] < 0 ? -0.0 : -lower_[i] / diag[i];
      s[i] = rhs[i] / diag[i];
    }
    int steps = static_cast<int>(schedule_.levels.size());  // Jaxley's level count sets the rounds
    int rounds = steps > 0 ? static_cast<int>(std::ceil(std::log2(steps + 1))) : 0;
    for (int r = 0; r < rounds; ++r) {
      for (int i = 0; i < n; ++i) {
        s2[i] = l[i] * s[jump[i]] + s[i];
        l2[i] = l[i] * l[jump[i]];
        jump2[i] = jump[jump[i]];
      }
      s.swap(s2);
      l.swap(l2);
      jump.swap(jump2);
    }
    rhs = s;
  }

 private:
  ir::DhsSchedule schedule_, waves_;
  bool pointer_jumping_;
  std::vector<double> lower_, upper_;
};

}  // namespace

std::unique_ptr<LinearSolver> make_dhs_solver(const ir::TreeSolveSchedule& tree, bool pointer_jumping) {
  return std::make_unique<DhsSolver>(tree, pointer_jumping);
}

}  // namespace ranvier::runtime

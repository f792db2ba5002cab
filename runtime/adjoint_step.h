#pragma once
// One time step of the reference interpreter's scheme (SEMANTICS.md §2.4) in a form that can
// be run backwards: forward() advances a flat state vector and keeps what the reverse pass
// needs (tape slots of every mechanism at every compartment, the assembled voltage matrix and
// its solution); backward() maps the cotangent of the state after the step to the cotangent
// of the state before it and accumulates the cotangents of the per-compartment parameter
// columns, areas, capacitances and axial conductances.
//
// The state vector is p.initial's layout flattened: entry i * n_nodes + node of state name i
// ("v", mechanism states, membrane currents). Solvers: bwd_euler and crank_nicolson (any
// voltage_solver) and exp_euler (without cotangents of the axial conductances, whose
// transition matrix expm(G dt) is not differentiated); fwd_euler raises NotSupported.
#include <memory>
#include <vector>

#include "ir/model.h"
#include "runtime/tape.h"
#include "runtime/linear_solver.h"
#include "runtime/prepare.h"

namespace ranvier::runtime {

// Cotangents of the quantities a step reads besides the state.
struct ParamCotangents {
  std::vector<std::vector<double>> columns;  // like Prepared::columns (per column, per compartment)
  std::vector<double> area;                  // per compartment, d/d(um^2)
  std::vector<double> capacitance;           // per compartment, d/d(uF/cm^2)
  std::vector<double> axial;                 // per edge, d/d(axial conductance)
  std::vector<std::vector<double>> stimulus; // per stimulus row, per step, d/d(nA)
};

class AdjointStep {
 public:
  AdjointStep(const ir::Model& model, const Prepared& prepared);

  struct Capture {
    std::vector<std::vector<double>> update_slots;   // per mechanism: comps x tape slots
    std::vector<std::vector<double>> current_slots;  // per mechanism: comps x 2 x tape slots (v, v + 1e-3)
    std::vector<double> lin, cst, vt, ct;            // per node, as in the interpreter
    // Implicit solvers: the system and its solution. exp_euler: diag holds each node's
    // exponential factor and solution the voltage after the membrane step.
    std::vector<double> diag, offdiag, solution;
  };

  int state_size() const { return n_names_ * n_nodes_; }
  const std::vector<std::string>& names() const { return prepared_.initial.names; }
  std::vector<double> initial_state() const;
  // Offset of state `name` in the flat vector (index * n_nodes), or -1.
  int offset(const std::string& name) const;

  // Step k: x (state before) -> y (state after). `cap` may be null when not needed.
  void forward(int k, const std::vector<double>& x, std::vector<double>& y, Capture* cap) const;
  // `g` holds the cotangent of the state after step k on entry and before it on return;
  // `cap` is forward()'s capture of the same step from `x`.
  void backward(int k, const std::vector<double>& x, const Capture& cap, std::vector<double>& g, ParamCotangents& pg) const;
  // The t = 0 membrane currents are functions of the initial state and the parameters
  // (prepare's initial_currents): propagate their cotangents in `g` back into `g` and `pg`.
  void backward_initial_currents(const std::vector<double>& x0, std::vector<double>& g, ParamCotangents& pg) const;

  ParamCotangents zero_cotangents() const;

 private:
  enum class Source { Param, State, Voltage, TimeStep };
  struct Binding {
    int slot;
    Source source;
    int index;  // Param: column; State: offset in the flat state
  };
  struct MechanismTapes {
    Tape update, current;
    std::vector<Binding> update_leaves, current_leaves;
    std::vector<int> update_targets;  // offsets of the updated states
    int current_target;               // offset of the current name's entry
  };
  std::vector<Binding> bind(const Tape& tape) const;
  void fill(const std::vector<Binding>& leaves, double* slots, const std::vector<double>& x, int c, double v) const;
  void scatter(const std::vector<Binding>& leaves, const double* adjoint, std::vector<double>& g, ParamCotangents& pg, int c) const;
  void solve_transposed(const Capture& cap, std::vector<double>& rhs) const;

  const ir::Model& model_;
  const Prepared& prepared_;
  int n_nodes_, n_names_;
  int v_;     // offset of "v" in the flat state
  double d_;  // ms: dt (bwd_euler) or dt / 2 (crank_nicolson)
  std::vector<MechanismTapes> tapes_;
  std::vector<int> reverse_edge_;  // edge (a -> b) -> edge (b -> a)
  std::vector<int> clamp_offset_;  // per clamp row: offset of its state
  std::unique_ptr<LinearSolver> solver_;  // implicit solvers
  std::vector<double> transition_;         // exp_euler: expm(G dt), row-major n_comp x n_comp
};

}  // namespace ranvier::runtime

#pragma once
// One time step of the reference interpreter's scheme (SEMANTICS.md §2.4) in a form that can
// be run backwards: forward() advances a flat state vector and keeps what the reverse pass
// needs (tape slots of every mechanism at every compartment, the assembled voltage matrix and
// its solution); backward() maps the cotangent of the state after the step to the cotangent
// of the state before it and accumulates the cotangents of the per-compartment parameter
// columns, areas, capacitances and axial conductances.
//
// The state vector is p.initial's layout flattened, name after name: node states ("v",
// mechanism states, membrane currents; n_nodes values each), then synapse states and currents
// (one value per synapse). The interpreter's step handles no synapses (GradientEngine refuses
// networks there); the compiled step does. Solvers: bwd_euler and crank_nicolson (any
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
  std::vector<std::vector<std::vector<double>>> synapse_columns;  // like Prepared::synapse_columns
};

class AdjointStep {
 public:
  AdjointStep(const ir::Model& model, const ir::TreeSolveSchedule& tree, const Prepared& prepared);
  virtual ~AdjointStep() = default;

  struct Capture {
    std::vector<std::vector<double>> update_slots;   // per mechanism: comps x tape slots
    std::vector<std::vector<double>> current_slots;  // per mechanism: comps x 2 x tape slots (v, v + 1e-3)
    std::vector<double> lin, cst, vt, ct;            // per node, as in the interpreter
    // Implicit solvers: the system's diagonal and its solution. exp_euler: diag holds each
    // node's exponential factor and solution the voltage after the membrane step.
    std::vector<double> diag, solution;
  };

  int state_size() const { return state_size_; }
  const std::vector<std::string>& names() const { return prepared_.initial.names; }
  std::vector<double> initial_state() const;
  // Offset of state `name` in the flat vector, or -1.
  int offset(const std::string& name) const;

  // Step k: x (state before) -> y (state after). `cap` may be null when not needed.
  virtual void forward(int k, const std::vector<double>& x, std::vector<double>& y, Capture* cap) const;
  // `g` holds the cotangent of the state after step k on entry and before it on return;
  // `cap` is forward()'s capture of the same step from `x`.
  virtual void backward(int k, const std::vector<double>& x, const Capture& cap, std::vector<double>& g, ParamCotangents& pg) const;
  // Whether forward() evaluates exp as the LLVM backend does (ir/exp_reference.h)
  // rather than with libm: the interpreter run that checks the first step must do the same.
  virtual bool kernel_exp() const { return false; }
  // Doubles a Capture of one step holds (what the checkpointing keeps per step when it stores
  // captures instead of recomputing them), or 0 when captures are too large to keep (the
  // interpreter's tape slots): then every step is recomputed before it is run backwards.
  virtual std::size_t capture_doubles() const { return 0; }
  // The t = 0 membrane currents are functions of the initial state and the parameters
  // (prepare's initial_currents): propagate their cotangents in `g` back into `g` and `pg`.
  void backward_initial_currents(const std::vector<double>& x0, std::vector<double>& g, ParamCotangents& pg) const;

  ParamCotangents zero_cotangents() const;

 protected:
  // The parts of a step outside the mechanisms, shared with the compiled step
  // (runtime/compiled_adjoint_step.h), which replaces the mechanism tapes by kernels.
  // Step 4: clamps of states other than v, on the state after the gate updates.
  void clamp_states(int k, std::vector<double>& y) const;
  // Steps 6-7 from cp.vt and cp.ct (per compartment): the voltage update and the voltage
  // clamps; fills the rest of `cp`.
  void forward_voltage(int k, const std::vector<double>& x, std::vector<double>& y, Capture& cp) const;
  // The implicit system's diagonal of a step from cp.vt, into cp.diag (before elimination);
  // the off-diagonal entries are the same every step.
  void assemble(Capture& cp) const;
  // Steps 7-6 backwards: on return g[v] holds the cotangent of v before the step through the
  // voltage update only, and g_vt, g_ct (zero on entry) those of cp.vt and cp.ct.
  void backward_voltage(const std::vector<double>& x, const Capture& cap, std::vector<double>& g, std::vector<double>& g_vt,
                        std::vector<double>& g_ct, ParamCotangents& pg) const;
  // Step 4 backwards: clamped states do not depend on the step's update.
  void unclamp_cotangents(std::vector<double>& g) const;
  // Step 1 backwards: the external current (uA/cm^2) per compartment to stimulus and area.
  void backward_stimulus(int k, const std::vector<double>& g_iext, ParamCotangents& pg) const;

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
  int current_offset(std::size_t mechanism) const { return tapes_[mechanism].current_target; }
  std::size_t n_mechanisms() const { return tapes_.size(); }

 private:
  std::vector<Binding> bind(const Tape& tape) const;
  void fill(const std::vector<Binding>& leaves, double* slots, const std::vector<double>& x, int c, double v) const;
  void scatter(const std::vector<Binding>& leaves, const double* adjoint, std::vector<double>& g, ParamCotangents& pg, int c) const;
  void solve_transposed(const Capture& cap, std::vector<double>& rhs) const;

 protected:
  const ir::Model& model_;
  const Prepared& prepared_;
  int n_nodes_, n_names_;
  std::vector<int> offsets_;  // per name in p.initial: where its values start in the flat state
  int state_size_ = 0;
  int v_;     // offset of "v" in the flat state
  double d_;  // ms: dt (bwd_euler) or dt / 2 (crank_nicolson)

 private:
  std::vector<MechanismTapes> tapes_;
  std::vector<int> reverse_edge_;  // edge (a -> b) -> edge (b -> a)
  std::vector<int> clamp_offset_;  // per clamp row: offset of its state
  std::vector<int> in_begin_;      // per node: its incoming edges in in_g_ (CSR, edge order)
  std::vector<double> in_g_;       // d * axial conductance of those edges
  std::vector<double> offdiag_;    // per edge: -d * axial conductance (the same every step)
  std::vector<double> transposed_offdiag_;  // per edge: A^T's entry, offdiag_ of the reverse edge
  mutable std::vector<double> solve_diag_, lambda_, g_v_old_;  // per-step scratch
  std::unique_ptr<LinearSolver> solver_;  // implicit solvers
  std::vector<double> transition_;         // exp_euler: expm(G dt), row-major n_comp x n_comp
};

}  // namespace ranvier::runtime

#pragma once
// Gradients of a whole simulation (reverse mode / adjoints) with respect to the module's
// trainable parameters and trainable initial states (Jaxley's make_trainable), as
// jax.grad(jaxley.integrate) computes them.
//
// Double precision. IntegrateOptions::backend picks the step that is run forwards and
// backwards: "jit" the LLVM-compiled one (runtime/compiled_adjoint_step.h: the fused kernels
// and their adjoints, derived by passes/derive_adjoint.h; bwd_euler and crank_nicolson),
// "interpreter" the reference interpreter's tapes (runtime/adjoint_step.h), "auto" the
// compiled one where it applies, else the interpreter's. Supported: bwd_euler and
// crank_nicolson with any voltage_solver; trainable channel parameters, initial states ("v",
// gates), radius, length, axial_resistivity, capacitance (and any other column). exp_euler
// (interpreter only): channel parameters and initial states, not geometry. Not supported
// (raises ranvier::NotSupported): fwd_euler, geometry with exp_euler, the interpreter with
// interpreter_uses_kernel_exp. With all_states (continuing a simulation) the initial state is
// an input: trainable initial states then get gradient 0, as in Jaxley.
//
// Gradients are taken at IntegrateOptions::params; when it is empty, at the trainables' initial
// values (get_parameters()), as a Jaxley user calls integrate(params=get_parameters()).
//
// Networks (synapses) are differentiated by the compiled step only; a recorded synapse current
// raises NotSupported. As a guard, vjp() checks that the adjoint's first step reproduces the
// interpreter's state exactly and raises NotSupported otherwise, so a model feature the
// adjoint does not cover never gives silently wrong gradients.
//
// Memory: only states at checkpoint boundaries are kept; segments are recomputed in the
// backward pass (IntegrateOptions::checkpoint_lengths, Jaxley's meaning: nested levels whose
// product covers the steps). The compiled step also keeps, for the segment being reversed,
// each step's capture (vt and the solve's solution), so no step runs forwards twice at the
// innermost level. Without checkpoint_lengths every step's state (and capture) is kept when
// that takes at most kDefaultStateBudgetBytes, else two levels of ceil(sqrt(T)) are used.
#include <functional>
#include <memory>
#include <vector>

#include "ir/dhs_schedule.h"
#include "ir/model.h"
#include "runtime/options.h"

namespace ranvier {

// Keeping every state saves the recomputation of every step (one forward pass). Its memory
// is recycled from call to call (runtime/buffer_pool.h), since first touching fresh memory
// costs about as much as that recomputation (bench/GRADIENTS.md).
inline constexpr std::size_t kDefaultStateBudgetBytes = std::size_t{64} << 20;

// The levels used without checkpoint_lengths: {n_steps} (every state kept) when the states
// fit in kDefaultStateBudgetBytes, else {ceil(sqrt(n_steps)), ceil(n_steps / that)}.
std::vector<int> default_checkpoint_lengths(int n_steps, std::size_t state_bytes);

// d loss / d params, in the layout of IntegrateOptions::params, and d loss / d stimulus.
struct Gradients {
  std::vector<std::vector<double>> params;
  // One row per stimulus (the module's stimuli, then IntegrateOptions::data_stimuli), as long
  // as the given current (nA); samples beyond the simulated steps get 0 (Jaxley truncates).
  std::vector<std::vector<double>> stimuli;
};

// What the checkpointed backward pass did (for tests and tuning).
struct GradientStats {
  std::vector<int> checkpoint_lengths;  // the levels used (after the default)
  int peak_stored_states = 0;           // most full states held at once (checkpoints + the one being advanced)
  long long steps_run = 0;              // forward steps, recomputation included (forward pass too)
  bool compiled = false;                // the LLVM-compiled step ran (else the interpreter's tapes)
  std::size_t peak_bytes = 0;           // most bytes of states and step captures held at once
};

namespace runtime {
class AdjointStep;
class GradientEngine;
struct Prepared;

// Which step gradients run (api/vjp.cpp chooses): `compiled` makes the compiled step (empty:
// the interpreter's); with fallback_to_interpreter, a model the compiled step does not cover
// (NotSupported) runs the interpreter's instead.
struct StepChoice {
  std::function<std::unique_ptr<AdjointStep>(const ir::Model&, const ir::TreeSolveSchedule&, const Prepared&)> compiled;
  bool fallback_to_interpreter = false;
};
}  // namespace runtime

// The forward result and its vector-Jacobian product: operator()(cotangent) with the
// cotangent of Result::data (same shape, row-major (n_recordings, n_samples)) returns
// sum(cotangent * d data / d params). May be called several times.
class Vjp {
 public:
  Result result;
  Gradients operator()(const std::vector<double>& cotangent) const;
  GradientStats stats() const;

  Vjp(Result r, std::shared_ptr<runtime::GradientEngine> engine);

 private:
  std::shared_ptr<runtime::GradientEngine> engine_;
};


// B simulations (one IntegrateOptions per lane: params, param_state, data_stimuli, ...) and
// their vector-Jacobian products, lanes run on `threads` threads (0 = all cores). Each lane is
// exactly what vjp(model, lanes[b]) computes.
class BatchVjp {
 public:
  std::vector<Result> results;  // per lane
  // cotangents[b]: the cotangent of results[b].data; returns one Gradients per lane.
  std::vector<Gradients> operator()(const std::vector<std::vector<double>>& cotangents) const;
  std::vector<GradientStats> stats() const;

  BatchVjp(std::vector<Vjp> lanes, int threads);

 private:
  std::vector<Vjp> lanes_;
  int threads_;
};


// loss(result, cotangent) returns the loss and writes d loss / d result.data into cotangent
// (already sized like result.data and zeroed).
using LossFunction = std::function<double(const Result&, std::vector<double>& cotangent)>;

struct ValueAndGrad {
  double value = 0.0;
  Result result;
  Gradients grad;
};

namespace runtime {
// The forward pass and its reverse with `choice`'s step; the tree solve's schedule comes from
// the pipeline (passes::lower_tree_solve).
Vjp make_vjp(const ir::Model& model, const ir::TreeSolveSchedule& tree, const IntegrateOptions& options, const StepChoice& choice);
// f(i) for i in [0, n) on up to `threads` threads (0 = all cores); rethrows the first error.
// Refuses (OutOfMemory) a vjp batch of `batch` lanes like `options` whose checkpoints and
// recordings would exceed the memory limit (ir/memory.h), before any lane runs.
void check_vjp_batch_memory(const ir::Model& model, const ir::TreeSolveSchedule& tree, const IntegrateOptions& options,
                            const StepChoice& choice, std::size_t batch);
void parallel_for(int n, int threads, const std::function<void(int)>& f);
}  // namespace runtime

}  // namespace ranvier

#pragma once
// The inputs and outputs of one simulation (Jaxley's integrate arguments and result); api/integrate.h
// runs it.
#include <optional>
#include <string>
#include <vector>

#include "ir/model.h"

namespace ranvier {

// Jaxley's `data_set(key, value)` on a view: `value` (one per compartment, or one for all)
// replaces parameter or initial state `key` at `comps` for this run only.
struct ParamSet {
  std::string key;
  std::vector<int> comps;
  std::vector<double> values;
};

// Full state of a simulation, per node (compartments then branchpoints): "v", every
// mechanism state and every membrane current. Returned with return_states and accepted
// as all_states to continue a simulation.
struct States {
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;
  const std::vector<double>& at(const std::string& name) const;
};

struct IntegrateOptions {
  std::optional<double> t_max;          // ms; default: the length of the externals
  double delta_t = 0.025;               // ms
  std::string solver = "bwd_euler";     // bwd_euler | crank_nicolson | fwd_euler | exp_euler
  std::string voltage_solver = "jaxley.dhs";  // jaxley.dhs[.cpu|.gpu] | jax.sparse | jaxley.stone
  // Values of the module's trainable parameters (Jaxley's `params`), one vector per
  // make_trainable call, one value per parameter group. Empty: use their initial values.
  std::vector<std::vector<double>> params;
  std::vector<ParamSet> param_state;          // applied after `params`
  std::vector<ir::StimulusRow> data_stimuli;  // appended after the module's stimuli
  std::vector<ir::ClampRow> data_clamps;      // appended after the module's clamps
  std::optional<States> all_states;           // continue from these states
  bool return_states = false;
  std::vector<int> checkpoint_lengths;        // product must cover the number of steps
  // "auto": the compiled LLVM backend when it is linked and supports the solver, else the
  // reference interpreter; "interpreter"; "jit".
  std::string backend = "auto";
  // The interpreter's exp: libm by default; true uses the same polynomial exp the LLVM
  // backend emits (bit-identical), which makes interpreter and JIT agree to the last bit.
  bool interpreter_uses_kernel_exp = false;
};

struct Result {
  int n_recordings = 0;
  int n_samples = 0;          // T + 1: the initial state and one sample per step
  std::vector<double> data;   // row-major (n_recordings, n_samples)
  std::optional<States> states;
  // Set when the run produced NaN or inf (unstable parameters or time step): where the first
  // such sample is (time, recording, state, compartment). integrate() fills it.
  std::optional<std::string> nonfinite;
  double operator()(int recording, int sample) const { return data[static_cast<std::size_t>(recording) * n_samples + sample]; }
};

}  // namespace ranvier

#pragma once
// Resolution of one simulation's runtime inputs: the time grid, parameters after trainables
// and data_set, geometry-derived quantities (areas, axial conductances), initial states and
// externals padded or truncated to the time grid. Shared by every backend.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/model.h"
#include "runtime/options.h"

namespace ranvier::runtime {

enum class Solver { BwdEuler, CrankNicolson, FwdEuler, ExpEuler };
enum class VoltageSolver { DhsCpu, DhsGpu, Sparse, Stone };

Solver parse_solver(const std::string& name);
VoltageSolver parse_voltage_solver(const std::string& name);

// Number of steps for t_max (Jaxley: int(t_max // delta_t + 1), Python float semantics).
int steps_for_t_max(double t_max, double delta_t);

// A stimulus row on the time grid (nA). The lanes of a batch that take a stimulus from the
// same source (the model's own stimuli) share one row, so that B lanes do not hold B copies.
using StimulusRow = std::shared_ptr<const std::vector<double>>;
// Rows already fitted to a time grid, by source and number of steps (see prepare).
using StimulusRowCache = std::map<std::pair<const std::vector<double>*, int>, StimulusRow>;

struct Prepared {
  int n_steps = 0;
  double dt = 0.025;  // ms
  Solver solver = Solver::BwdEuler;
  VoltageSolver voltage_solver = VoltageSolver::DhsCpu;

  // Parameters per compartment (same columns as the model's node table; states hold their
  // initial values there too).
  std::vector<std::vector<double>> columns;
  std::vector<double> area;         // um^2 per compartment (after data_set of radius/length)
  std::vector<double> capacitance;  // uF/cm^2 per compartment
  std::vector<double> axial;        // per edge: 1/ms for edges into compartments, uS-like G for edges into branchpoints
  // Per synapse group: its columns (params, then initial states; SynapseGroup::column_names)
  // after trainables and data_set, one value per synapse.
  std::vector<std::vector<std::vector<double>>> synapse_columns;

  // Initial state per node: "v" then mechanism states then membrane currents; then per
  // synapse (not per node) every synapse state and synapse current "i_<type>" (nA).
  States initial;

  // Externals on the time grid: stimulus rows (nA) and clamp rows, each n_steps long.
  std::vector<int> stimulus_comp;
  std::vector<StimulusRow> stimulus;
  std::vector<std::string> clamp_state;
  std::vector<int> clamp_comp;
  std::vector<std::vector<double>> clamp;
};

// shared_rows: when given, the model's stimulus rows come from it (and are added to it), so
// that every lane prepared with the same cache shares them; the options' data_stimuli are
// the lane's own.
Prepared prepare(const ir::Model& model, const IntegrateOptions& options, StimulusRowCache* shared_rows = nullptr);

// Axial conductances of every edge from geometry (Jaxley's compute_axial_conductances).
// `columns` are indexed like model.column_names.
std::vector<double> axial_conductances(const ir::Model& model, const std::vector<std::vector<double>>& columns);

// The membrane current (mA/cm^2) of every mechanism summed per current name, at the given
// voltages and states (used for the t = 0 sample of current recordings).
void initial_currents(const ir::Model& model, const std::vector<std::vector<double>>& columns, States& states);

// The current (nA) of every synapse at the given voltages and synapse states, appended to
// `states` as "i_<type>" (Jaxley computes them in init so they can be recorded at t = 0).
void initial_synapse_currents(const ir::Model& model, const std::vector<std::vector<std::vector<double>>>& synapse_columns,
                              States& states);

}  // namespace ranvier::runtime

#pragma once
// The reference interpreter: evaluates the model IR step by step with no code generation.
// It is the oracle every backend is tested against and the "generic" benchmark baseline.
#include <vector>

#include "ir/model.h"
#include "runtime/options.h"
#include "runtime/prepare.h"
#include "runtime/tape.h"
#include "runtime/voltage_step.h"

namespace ranvier::runtime {

class Interpreter {
 public:
  Interpreter(ir::Model model, ir::TreeSolveSchedule tree);
  Result run(const Prepared& prepared, bool return_states, bool kernel_exp = false) const;
  const ir::Model& model() const { return model_; }

 private:
  class Run;  // one run's state and phases (interpreter.cpp)
  struct MechanismTapes {
    Tape update;   // outputs: new value of each state, in Mechanism::update order
    Tape current;  // output: membrane current (mA/cm^2)
  };
  ir::Model model_;
  ir::TreeSolveSchedule tree_;  // from the pipeline (passes::lower_tree_solve)
  std::vector<MechanismTapes> tapes_;
  std::vector<MechanismTapes> synapse_tapes_;  // per synapse group; current output in nA
};

}  // namespace ranvier::runtime

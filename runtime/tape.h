#pragma once
// A compiled-for-interpretation form of expression DAGs: a straight-line list of instructions
// over numbered slots. The reference interpreter evaluates mechanism updates and currents
// with it; each op's arithmetic is ir::apply, so the interpreter is the definition of what
// every backend must compute. backward() runs the tape in reverse for gradients (reverse
// mode with the local partials of ir/partials.h).
#include <span>
#include <string>
#include <vector>

#include "ir/expr.h"

namespace ranvier::runtime {

class Tape {
 public:
  struct Leaf {
    int slot;
    ir::Op op;         // Param, State, Voltage or TimeStep
    std::string name;  // Param / State name
  };

  explicit Tape(std::span<const ir::Expr> roots);

  int n_slots() const { return n_slots_; }
  const std::vector<Leaf>& leaves() const { return leaves_; }
  // Fill the leaf slots of `slots` (size n_slots()), then call run(); outputs are at output(i).
  // kernel_exp: evaluate exp with exp_reference (the LLVM backend's exp) instead of libm.
  void run(double* slots, bool kernel_exp = false) const;
  int output(std::size_t i) const { return outputs_[i]; }
  std::size_t n_outputs() const { return outputs_.size(); }
  // `slots` as left by run(); `adjoint` (n_slots) holds the output cotangents on entry (zero
  // elsewhere) and the cotangent of every slot, leaves included, on return.
  void backward(const double* slots, double* adjoint) const;

 private:
  struct Instr {
    ir::Op op;
    int dst;
    int args[3];
    int n_args;
    double value;
  };
  std::vector<Instr> code_;
  std::vector<Leaf> leaves_;
  std::vector<int> outputs_;
  int n_slots_ = 0;
};

}  // namespace ranvier::runtime

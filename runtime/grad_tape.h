#pragma once
// A tape of an expression DAG that can also run backwards: forward() evaluates every node
// into numbered slots (the same instruction order and ir::apply arithmetic as runtime::Tape,
// so values are bit-identical to the reference interpreter's), backward() propagates output
// cotangents to every slot by the local partials of ir/partials.h (reverse mode).
#include <span>
#include <string>
#include <vector>

#include "ir/expr.h"

namespace ranvier::runtime {

class GradTape {
 public:
  struct Leaf {
    int slot;
    ir::Op op;         // Param, State, Voltage or TimeStep
    std::string name;  // Param / State name
  };

  explicit GradTape(std::span<const ir::Expr> roots);

  int n_slots() const { return n_slots_; }
  const std::vector<Leaf>& leaves() const { return leaves_; }
  int output(std::size_t i) const { return outputs_[i]; }
  std::size_t n_outputs() const { return outputs_.size(); }

  // Leaf slots must be filled; computes every other slot.
  void forward(double* slots) const;
  // `slots` as left by forward(); `adjoint` (n_slots) holds the output cotangents on entry
  // (zero elsewhere) and the cotangent of every slot, leaves included, on return.
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

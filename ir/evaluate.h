#pragma once
// Direct evaluation of an expression DAG with given leaf values (used for init_states and
// constant folding; the time loop uses compiled tapes instead).
#include <functional>

#include "ir/expr.h"

namespace ranvier::ir {

// `leaf(n)` gives the value of each Param / State / Voltage / TimeStep leaf.
double evaluate(Expr e, const std::function<double(const Node*)>& leaf);

}  // namespace ranvier::ir

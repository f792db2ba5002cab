#pragma once
// Local partial derivatives of every op of the expression DAG: the scalar rule reverse mode
// (runtime/grad_tape) chains together. The derivative of each op is taken of exactly what
// ir::apply computes, with JAX's conventions at the non-smooth points (min/max ties split
// the cotangent in half, comparisons and the condition of select have zero derivative).
#include <span>

#include "ir/expr.h"

namespace ranvier::ir {

// d[i] = d result / d args[i] for i < op_arity(op); `result` is apply(op, args, value).
void partials(Op op, std::span<const double> args, double value, double result, double* d);

}  // namespace ranvier::ir

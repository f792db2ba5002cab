#pragma once
// Constant folding: every node whose arguments are all constants becomes a constant, computed
// with the same scalar arithmetic as at run time, so results are unchanged to the bit.
// (Common subexpressions are already shared by hash-consing.)
#include "ir/kernel.h"

namespace ranvier::passes {

ir::Expr fold_constants(ir::Expr e);
ir::KernelIR fold_constants(ir::KernelIR k);

}  // namespace ranvier::passes

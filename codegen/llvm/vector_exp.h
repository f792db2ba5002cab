#pragma once
// A vectorizable exp emitted inline as LLVM IR: no libm call, so the loop vectorizer can
// widen a loop that uses it, and the code can be emitted directly on vector values.
//
// emit_exp works on double, float, <N x double> and <N x float>. The emitted sequence is
// deterministic and bit-identical, for every input, to ranvier::exp_reference (the
// header-only C++ twin in ir/exp_reference.h, which also documents the algorithm
// and holds the shared constants):
//  - Cody-Waite reduction x = k*ln2 + r, a degree-11 (double) / degree-6 (float) minimax
//    polynomial for e^r, scaling by 2^k through an integer add into the exponent bits;
//  - fused multiply-adds are the llvm.fma intrinsic (never llvm.fmuladd), and no
//    fast-math flags are set on any instruction (the builder's own flags are cleared
//    while emitting), so no optimizer may reassociate or contract it;
//  - x > 709.78 (88.72 for float) -> +inf, x < -746 (-104) -> +0, NaN -> NaN;
//    subnormal results are computed (correctly rounded from the 53/24-bit value), not
//    flushed to zero.
// Accuracy (max error against glibc exp/expf, checked by tests/cpp/test_vector_exp.cpp):
// at most 1 ulp for double and for float.
#include <vector>

#include <llvm/IR/IRBuilder.h>

namespace ranvier::llvm_backend {

// exp(x) for x of type double, float, or a fixed vector of them. Throws a ranvier internal
// error (std::logic_error) for any other type.
llvm::Value* emit_exp(llvm::IRBuilder<>& b, llvm::Value* x);

// exp of several independent values of one type, each bit-identical to emit_exp, emitted
// stage by stage across all of them (all reductions, then each Horner step for all, ...):
// the dependent chains of one exp sit side by side in the instruction stream, so an
// out-of-order core overlaps them instead of waiting on each chain's latency.
std::vector<llvm::Value*> emit_exps(llvm::IRBuilder<>& b, const std::vector<llvm::Value*>& xs);

}  // namespace ranvier::llvm_backend

#include "codegen/llvm/vector_exp.h"

#include <cstdint>
#include <limits>

#include <llvm/IR/Intrinsics.h>

#include "ir/error.h"
#include "ir/exp_reference.h"

namespace ranvier::llvm_backend {

namespace {

// The constants of one floating-point type (see ir/exp_reference.h).
struct ExpConstants {
  unsigned mantissa_bits;  // 52 or 23
  double log2e, shift, ln2_hi, ln2_lo;
  const double* poly;      // poly[0..degree]
  int degree;
  double overflow, underflow, tiny_threshold, tiny_scale;
  std::uint64_t tiny_bits;
};

ExpConstants constants_for(bool is_double) {
  using namespace exp_detail;
  if (is_double)
    return {52, kLog2eD, kShiftD, kLn2HiD, kLn2LoD, kPolyD, kDegreeD,
            kOverflowD, kUnderflowD, kTinyThresholdD, kTinyScaleD, kTinyBitsD};
  // Float constants are exactly representable as double; ConstantFP::get(float type, double)
  // converts them back exactly.
  static const double poly_f[kDegreeF + 1] = {kPolyF[0], kPolyF[1], kPolyF[2], kPolyF[3],
                                               kPolyF[4], kPolyF[5], kPolyF[6]};
  static_assert(kDegreeF == 6);
  return {23, kLog2eF, kShiftF, kLn2HiF, kLn2LoF, poly_f, kDegreeF,
          kOverflowF, kUnderflowF, kTinyThresholdF, kTinyScaleF, kTinyBitsF};
}

}  // namespace

std::vector<llvm::Value*> emit_exps(llvm::IRBuilder<>& b, const std::vector<llvm::Value*>& xs) {
  RANVIER_ASSERT(!xs.empty());
  for (llvm::Value* x : xs) RANVIER_ASSERT(x != nullptr && x->getType() == xs[0]->getType());
  llvm::Type* type = xs[0]->getType();
  llvm::Type* scalar = type->getScalarType();
  const bool is_vector = type->isVectorTy();
  RANVIER_ASSERT(!is_vector || llvm::isa<llvm::FixedVectorType>(type));
  RANVIER_ASSERT(scalar->isDoubleTy() || scalar->isFloatTy());
  const bool is_double = scalar->isDoubleTy();
  const ExpConstants c = constants_for(is_double);

  // Exact IEEE semantics: no fast-math flags on anything we emit, whatever the caller set.
  llvm::IRBuilderBase::FastMathFlagGuard fmf_guard(b);
  b.clearFastMathFlags();
  RANVIER_ASSERT(!b.getIsFPConstrained());

  llvm::Type* int_scalar = b.getIntNTy(is_double ? 64 : 32);
  llvm::Type* int_type = is_vector
      ? static_cast<llvm::Type*>(llvm::VectorType::get(int_scalar, llvm::cast<llvm::VectorType>(type)))
      : int_scalar;

  auto fp = [&](double v) { return llvm::ConstantFP::get(type, v); };
  auto ic = [&](std::uint64_t v) { return llvm::ConstantInt::get(int_type, v); };
  auto fma = [&](llvm::Value* a, llvm::Value* m, llvm::Value* add, const char* name) {
    return b.CreateIntrinsic(llvm::Intrinsic::fma, {type}, {a, m, add}, nullptr, name);
  };
  // Every stage for all inputs before the next stage: independent chains side by side.
  const std::size_t n = xs.size();
  std::vector<llvm::Value*> t(n), k(n), r(n), p(n), y(n);
  // k = round(x * log2(e)), held in the low mantissa bits of t.
  for (std::size_t j = 0; j < n; ++j) t[j] = fma(xs[j], fp(c.log2e), fp(c.shift), "exp.t");
  for (std::size_t j = 0; j < n; ++j) k[j] = b.CreateFSub(t[j], fp(c.shift), "exp.k");
  // r = x - k*ln2 (Cody-Waite, the first step is exact).
  for (std::size_t j = 0; j < n; ++j) r[j] = fma(k[j], fp(-c.ln2_hi), xs[j], "exp.rhi");
  for (std::size_t j = 0; j < n; ++j) r[j] = fma(k[j], fp(-c.ln2_lo), r[j], "exp.r");
  // e^r by Horner.
  for (std::size_t j = 0; j < n; ++j) p[j] = fp(c.poly[c.degree]);
  for (int i = c.degree - 1; i >= 0; --i)
    for (std::size_t j = 0; j < n; ++j) p[j] = fma(p[j], r[j], fp(c.poly[i]), "exp.p");
  // 2^k * p by an integer add into the exponent field.
  for (std::size_t j = 0; j < n; ++j) {
    llvm::Value* kbits = b.CreateShl(b.CreateBitCast(t[j], int_type), ic(c.mantissa_bits), "exp.kbits");
    llvm::Value* bits = b.CreateAdd(b.CreateBitCast(p[j], int_type), kbits, "exp.bits");
    llvm::Value* normal = b.CreateBitCast(bits, type, "exp.normal");
    llvm::Value* tiny = b.CreateFMul(b.CreateBitCast(b.CreateAdd(bits, ic(c.tiny_bits)), type),
                                     fp(c.tiny_scale), "exp.tiny");
    y[j] = b.CreateSelect(b.CreateFCmpOLT(xs[j], fp(c.tiny_threshold)), tiny, normal);
  }
  for (std::size_t j = 0; j < n; ++j) {
    y[j] = b.CreateSelect(b.CreateFCmpOGT(xs[j], fp(c.overflow)),
                          fp(std::numeric_limits<double>::infinity()), y[j]);
    y[j] = b.CreateSelect(b.CreateFCmpOLT(xs[j], fp(c.underflow)), fp(0.0), y[j]);
    y[j] = b.CreateSelect(b.CreateFCmpUNO(xs[j], xs[j]), b.CreateFAdd(xs[j], xs[j]), y[j], "exp");
  }
  return y;
}

llvm::Value* emit_exp(llvm::IRBuilder<>& b, llvm::Value* x) { return emit_exps(b, {x})[0]; }

}  // namespace ranvier::llvm_backend

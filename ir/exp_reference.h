#pragma once
// exp_reference: the scalar C++ twin of the vectorizable exp that the LLVM backend emits
// inline as IR (codegen/llvm/vector_exp.cpp). For every input, double or float, it returns
// the BIT-IDENTICAL result of the emitted IR, so the reference interpreter and the JIT
// agree exactly on exp. The constants below are shared by both (vector_exp.cpp includes
// this header), and the operation sequence is written out once here and once there, step
// for step.
//
// Algorithm (same for double and float, constants differ):
//   t  = fma(x, log2(e), 1.5*2^p)        round x*log2(e) to the integer k (p = 52 or 23):
//   k  = t - 1.5*2^p                      k sits in the low mantissa bits of t
//   r  = fma(-k, ln2_hi, x)               exact (Cody-Waite, ln2_hi = ln2 rounded)
//   r  = fma(-k, ln2_lo, r)               |r| <= ln2/2 (plus a hair)
//   y  = 1 + r + c2 r^2 + ... + cn r^n    Horner with fma, minimax coefficients (Remez,
//                                         relative error of the polynomial itself 0.1 ulp)
//   2^k * y                               integer add of (bits(t) << p) to the bits of y;
//                                         when x < tiny_threshold the add uses an extra
//                                         offset and one multiply by 2^-offset rounds the
//                                         result once into the subnormal range.
//   x > overflow_threshold  -> +inf,  x < underflow_threshold -> +0,  NaN -> NaN (x + x).
//
// FMA: every fused multiply-add is a true fma (std::fma here, the llvm.fma intrinsic in the
// IR, never llvm.fmuladd), so results never depend on contraction decisions of a compiler
// or of LLVM, and are the same on every host. Hosts without FMA hardware still get correct
// (bit-identical) results, just slowly (fma becomes a libm call there).
//
// Subnormal results are computed, not flushed: they are correctly rounded from the
// 53-bit (24-bit) value y * 2^(k+offset), i.e. within 1 ulp of the true value.
//
// Accuracy, measured against glibc's exp/expf and against a long-double/double reference
// (tests/cpp/test_vector_exp.cpp): see that test for the bounds that are enforced.
//
// Write nothing here that a C++ compiler may reassociate or contract: the only fused
// operations are the explicit std::fma calls, and no product here feeds an add, so
// -ffp-contract cannot change a bit (checked: same bits from g++ and clang++ at -O0..-O3,
// with and without -march=native -ffp-contract=fast). Never compile it with -ffast-math
// (-ffinite-math-only drops the NaN test).
//
// Speed: with hardware fma this is a few ns per call. On x86-64 built without -mfma,
// std::fma would be a libm call, so the body is also compiled for FMA and picked at run
// time when the CPU has it (same bits either way).
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ranvier {

namespace exp_detail {

// ---- double ----
inline constexpr double kLog2eD = 0x1.71547652b82fep+0;   // log2(e), rounded
inline constexpr double kShiftD = 0x1.8p52;               // 1.5 * 2^52
inline constexpr double kLn2HiD = 0x1.62e42fefa39efp-1;   // ln(2), rounded to double
inline constexpr double kLn2LoD = 0x1.abc9e3b39803fp-56;  // ln(2) - kLn2HiD, rounded
// Minimax polynomial for e^r on |r| <= ln2/2 (with c0 = c1 = 1 fixed); coefficient i of r^i.
inline constexpr int kDegreeD = 11;  // Horner is written out in exp_body below
inline constexpr double kPolyD[kDegreeD + 1] = {
    0x1p+0,
    0x1p+0,
    0x1.000000000000ap-1,
    0x1.55555555554f9p-3,
    0x1.555555555083ep-5,
    0x1.1111111127d0ep-7,
    0x1.6c16c18438b08p-10,
    0x1.a01a012a0f351p-13,
    0x1.a01999e2633fdp-16,
    0x1.71df25b3100a2p-19,
    0x1.28ad9b8551757p-22,
    0x1.ad7f3ee016e7dp-26,
};
// Largest double whose exp is finite (exp(x) < DBL_MAX + ulp/2); above it: +inf.
inline constexpr double kOverflowD = 0x1.62e42fefa39efp+9;  // 709.782712893384
// Below this exp rounds to +0 (exp(-746) < 2^-1075); also keeps k in range.
inline constexpr double kUnderflowD = -746.0;
// Below this the result may be subnormal: scale through 2^(k + kTinyOffsetD) * 2^-kTinyOffsetD.
inline constexpr double kTinyThresholdD = -700.0;
inline constexpr int kTinyOffsetD = 1000;
inline constexpr double kTinyScaleD = 0x1p-1000;
inline constexpr std::uint64_t kTinyBitsD = std::uint64_t{kTinyOffsetD} << 52;

// ---- float ----
inline constexpr float kLog2eF = 0x1.715476p+0f;
inline constexpr float kShiftF = 0x1.8p23f;
inline constexpr float kLn2HiF = 0x1.62e430p-1f;   // ln(2), rounded to float
inline constexpr float kLn2LoF = -0x1.05c610p-29f; // ln(2) - kLn2HiF, rounded
inline constexpr int kDegreeF = 6;   // Horner is written out in exp_body below
inline constexpr float kPolyF[kDegreeF + 1] = {
    0x1p+0f,
    0x1p+0f,
    0x1.fffffcp-2f,
    0x1.555492p-3f,
    0x1.5558f2p-5f,
    0x1.123a20p-7f,
    0x1.6a23d0p-10f,
};
inline constexpr float kOverflowF = 0x1.62e42ep+6f;  // 88.72283, largest float with finite expf
inline constexpr float kUnderflowF = -104.0f;
inline constexpr float kTinyThresholdF = -80.0f;
inline constexpr int kTinyOffsetF = 100;
inline constexpr float kTinyScaleF = 0x1p-100f;
inline constexpr std::uint32_t kTinyBitsF = std::uint32_t{kTinyOffsetF} << 23;

// The operation sequences, written once. Always inlined, so that the fma-enabled entry
// points below compile them with hardware fma.
#if defined(__GNUC__) || defined(__clang__)
#define RANVIER_EXP_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define RANVIER_EXP_ALWAYS_INLINE inline
#endif

RANVIER_EXP_ALWAYS_INLINE double exp_body(double x) {
  const double t = std::fma(x, kLog2eD, kShiftD);
  const double k = t - kShiftD;
  double r = std::fma(k, -kLn2HiD, x);
  r = std::fma(k, -kLn2LoD, r);
  double p = kPolyD[11];
  p = std::fma(p, r, kPolyD[10]);
  p = std::fma(p, r, kPolyD[9]);
  p = std::fma(p, r, kPolyD[8]);
  p = std::fma(p, r, kPolyD[7]);
  p = std::fma(p, r, kPolyD[6]);
  p = std::fma(p, r, kPolyD[5]);
  p = std::fma(p, r, kPolyD[4]);
  p = std::fma(p, r, kPolyD[3]);
  p = std::fma(p, r, kPolyD[2]);
  p = std::fma(p, r, kPolyD[1]);
  p = std::fma(p, r, kPolyD[0]);
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(p) + (std::bit_cast<std::uint64_t>(t) << 52);
  const double normal = std::bit_cast<double>(bits);
  const double tiny = std::bit_cast<double>(bits + kTinyBitsD) * kTinyScaleD;
  double y = x < kTinyThresholdD ? tiny : normal;
  y = x > kOverflowD ? std::numeric_limits<double>::infinity() : y;
  y = x < kUnderflowD ? 0.0 : y;
  y = std::isnan(x) ? x + x : y;
  return y;
}

RANVIER_EXP_ALWAYS_INLINE float exp_body(float x) {
  const float t = std::fma(x, kLog2eF, kShiftF);
  const float k = t - kShiftF;
  float r = std::fma(k, -kLn2HiF, x);
  r = std::fma(k, -kLn2LoF, r);
  float p = kPolyF[6];
  p = std::fma(p, r, kPolyF[5]);
  p = std::fma(p, r, kPolyF[4]);
  p = std::fma(p, r, kPolyF[3]);
  p = std::fma(p, r, kPolyF[2]);
  p = std::fma(p, r, kPolyF[1]);
  p = std::fma(p, r, kPolyF[0]);
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(p) + (std::bit_cast<std::uint32_t>(t) << 23);
  const float normal = std::bit_cast<float>(bits);
  const float tiny = std::bit_cast<float>(bits + kTinyBitsF) * kTinyScaleF;
  float y = x < kTinyThresholdF ? tiny : normal;
  y = x > kOverflowF ? std::numeric_limits<float>::infinity() : y;
  y = x < kUnderflowF ? 0.0f : y;
  y = std::isnan(x) ? x + x : y;
  return y;
}

// On x86-64 built without FMA (the default -march), std::fma is a libm call (slow); when
// the CPU has FMA at run time, use a copy of the body compiled for it. Both give the same
// bits (an fma is an fma); only the speed differs.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__FMA__)
#define RANVIER_EXP_FMA_DISPATCH 1
__attribute__((target("fma"))) inline double exp_body_fma(double x) { return exp_body(x); }
__attribute__((target("fma"))) inline float exp_body_fma(float x) { return exp_body(x); }
inline bool cpu_has_fma() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma") != 0;
  }();
  return has;
}
#else
#define RANVIER_EXP_FMA_DISPATCH 0
#endif

}  // namespace exp_detail

inline double exp_reference(double x) {
#if RANVIER_EXP_FMA_DISPATCH
  if (exp_detail::cpu_has_fma()) return exp_detail::exp_body_fma(x);
#endif
  return exp_detail::exp_body(x);
}

inline float exp_reference(float x) {
#if RANVIER_EXP_FMA_DISPATCH
  if (exp_detail::cpu_has_fma()) return exp_detail::exp_body_fma(x);
#endif
  return exp_detail::exp_body(x);
}

}  // namespace ranvier

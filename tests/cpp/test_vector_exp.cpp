// The vectorizable exp emitted as IR (codegen/llvm/vector_exp.h), JIT-compiled, against
// libm (std::exp / expf) and against its C++ twin ranvier::exp_reference (bit-identical).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "codegen/llvm/jit.h"
#include "codegen/llvm/vector_exp.h"
#include "ir/exp_reference.h"

namespace {

using ranvier::llvm_backend::CompiledCode;
using ranvier::llvm_backend::emit_exp;
using ranvier::llvm_backend::Jit;

// void name(T* noalias y, const T* noalias x, i64 n): y[i] = exp(x[i]); the loop vectorizer
// widens it (and leaves a scalar remainder loop).
void make_exp_loop(llvm::Module& m, const std::string& name, llvm::Type* elem) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::Type* ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type* i64 = llvm::Type::getInt64Ty(ctx);
  auto* f = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr, i64}, false),
      llvm::Function::ExternalLinkage, name, m);
  f->addParamAttr(0, llvm::Attribute::NoAlias);
  f->addParamAttr(1, llvm::Attribute::NoAlias);
  auto* entry = llvm::BasicBlock::Create(ctx, "entry", f);
  auto* loop = llvm::BasicBlock::Create(ctx, "loop", f);
  auto* exit = llvm::BasicBlock::Create(ctx, "exit", f);
  llvm::IRBuilder<> b(entry);
  b.CreateCondBr(b.CreateICmpSGT(f->getArg(2), b.getInt64(0)), loop, exit);
  b.SetInsertPoint(loop);
  llvm::PHINode* i = b.CreatePHI(i64, 2, "i");
  i->addIncoming(b.getInt64(0), entry);
  llvm::Value* xi = b.CreateLoad(elem, b.CreateInBoundsGEP(elem, f->getArg(1), i));
  b.CreateStore(emit_exp(b, xi), b.CreateInBoundsGEP(elem, f->getArg(0), i));
  llvm::Value* next = b.CreateAdd(i, b.getInt64(1), "next", true, true);
  i->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpSLT(next, f->getArg(2)), loop, exit);
  b.SetInsertPoint(exit);
  b.CreateRetVoid();
}

// void name(T* y, const T* x): one explicit <lanes x T> exp, emitted on the vector type.
void make_exp_vector(llvm::Module& m, const std::string& name, llvm::Type* elem, unsigned lanes) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::Type* ptr = llvm::PointerType::getUnqual(ctx);
  auto* f = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr}, false),
      llvm::Function::ExternalLinkage, name, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
  llvm::Type* vec = llvm::FixedVectorType::get(elem, lanes);
  llvm::Value* x = b.CreateAlignedLoad(vec, f->getArg(1), llvm::Align(elem->getPrimitiveSizeInBits() / 8));
  b.CreateAlignedStore(emit_exp(b, x), f->getArg(0), llvm::Align(elem->getPrimitiveSizeInBits() / 8));
  b.CreateRetVoid();
}

// T name(T x): the plain scalar code path.
void make_exp_scalar(llvm::Module& m, const std::string& name, llvm::Type* elem) {
  auto* f = llvm::Function::Create(llvm::FunctionType::get(elem, {elem}, false),
                                   llvm::Function::ExternalLinkage, name, m);
  f->addFnAttr(llvm::Attribute::NoInline);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(m.getContext(), "entry", f));
  b.CreateRet(emit_exp(b, f->getArg(0)));
}

// double name(): exp of a constant, folded by IRBuilder/LLVM at compile time.
void make_exp_constant(llvm::Module& m, const std::string& name, double x) {
  llvm::Type* dbl = llvm::Type::getDoubleTy(m.getContext());
  auto* f = llvm::Function::Create(llvm::FunctionType::get(dbl, false),
                                   llvm::Function::ExternalLinkage, name, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(m.getContext(), "entry", f));
  b.CreateRet(emit_exp(b, llvm::ConstantFP::get(dbl, x)));
}

const std::vector<double> kFoldedConstants = {0.5, -1.0, 700.0, -744.0, -708.5, 1e-20, 709.78};

struct ExpKernels {
  std::unique_ptr<CompiledCode> code;
  void (*f64)(double*, const double*, std::int64_t) = nullptr;
  void (*f32)(float*, const float*, std::int64_t) = nullptr;
  void (*v4f64)(double*, const double*) = nullptr;
  void (*v8f32)(float*, const float*) = nullptr;
  double (*s64)(double) = nullptr;
  float (*s32)(float) = nullptr;
};

const ExpKernels& kernels() {
  static const ExpKernels k = [] {
    auto ctx = std::make_unique<llvm::LLVMContext>();
    auto m = std::make_unique<llvm::Module>("vector_exp_test", *ctx);
    llvm::Type* dbl = llvm::Type::getDoubleTy(*ctx);
    llvm::Type* flt = llvm::Type::getFloatTy(*ctx);
    make_exp_loop(*m, "exp_f64", dbl);
    make_exp_loop(*m, "exp_f32", flt);
    make_exp_vector(*m, "exp_v4f64", dbl, 4);
    make_exp_vector(*m, "exp_v8f32", flt, 8);
    make_exp_scalar(*m, "exp_s64", dbl);
    make_exp_scalar(*m, "exp_s32", flt);
    for (std::size_t i = 0; i < kFoldedConstants.size(); ++i)
      make_exp_constant(*m, "exp_const" + std::to_string(i), kFoldedConstants[i]);
    ExpKernels out;
    out.code = Jit::instance().compile(std::move(m), std::move(ctx), /*keep_text=*/false);
    out.f64 = out.code->function<void(double*, const double*, std::int64_t)>("exp_f64");
    out.f32 = out.code->function<void(float*, const float*, std::int64_t)>("exp_f32");
    out.v4f64 = out.code->function<void(double*, const double*)>("exp_v4f64");
    out.v8f32 = out.code->function<void(float*, const float*)>("exp_v8f32");
    out.s64 = out.code->function<double(double)>("exp_s64");
    out.s32 = out.code->function<float(float)>("exp_s32");
    return out;
  }();
  return k;
}

// Distance in ulps between two results of exp (both >= +0 or NaN): exp's results are
// ordered like their bit patterns, +inf being one ulp above the largest finite value.
template <typename T>
std::uint64_t ulp_distance(T a, T b) {
  using U = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : ~std::uint64_t{0};
  const U ua = std::bit_cast<U>(a), ub = std::bit_cast<U>(b);
  return ua > ub ? ua - ub : ub - ua;
}

template <typename T>
bool same_bits(T a, T b) {
  using U = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  return std::bit_cast<U>(a) == std::bit_cast<U>(b);
}

// Special inputs that must be exact, each with the expected result.
template <typename T>
std::vector<std::pair<T, T>> exact_cases() {
  const T inf = std::numeric_limits<T>::infinity();
  const T big = sizeof(T) == 8 ? T(710) : T(89);
  const T small = sizeof(T) == 8 ? T(-746) : T(-104);
  return {{T(0), T(1)},
          {-T(0), T(1)},
          {inf, inf},
          {-inf, T(0)},
          {big, inf},
          {small, T(0)},
          {std::numeric_limits<T>::max(), inf},
          {std::numeric_limits<T>::lowest(), T(0)},
          {std::numeric_limits<T>::denorm_min(), T(1)},
          {-std::numeric_limits<T>::denorm_min(), T(1)},
          {std::numeric_limits<T>::min(), T(1)},
          {T(1e-30), T(1)},
          {T(-1e-30), T(1)}};
}

template <typename T>
std::vector<T> make_inputs() {
  constexpr bool is_double = sizeof(T) == 8;
  const T hi = is_double ? T(709.79) : T(88.73);
  const T lo = is_double ? T(-745.2) : T(-104.0);
  std::vector<T> x;
  for (auto [in, out] : exact_cases<T>()) x.push_back(in);
  x.push_back(std::numeric_limits<T>::quiet_NaN());
  x.push_back(-std::numeric_limits<T>::quiet_NaN());
  x.push_back(std::numeric_limits<T>::signaling_NaN());
  // Around every boundary of the algorithm, one ulp at a time.
  const T boundaries[] = {
      is_double ? T(ranvier::exp_detail::kOverflowD) : T(ranvier::exp_detail::kOverflowF),
      is_double ? T(-745.1332191019412) : T(-103.972077f),       // rounds to 0 below
      is_double ? T(-744.4400719213812) : T(-103.278931f),       // exp = denorm_min
      is_double ? T(-708.3964185322641) : T(-87.3365479f),       // exp = smallest normal
      is_double ? T(ranvier::exp_detail::kTinyThresholdD) : T(ranvier::exp_detail::kTinyThresholdF),
      T(0), T(0.34657359027997264), T(-0.34657359027997264), T(0.6931471805599453), T(1), T(-1)};
  for (T b : boundaries) {
    T up = b, down = b;
    for (int i = 0; i < 2000; ++i) {
      x.push_back(up);
      x.push_back(down);
      up = std::nextafter(up, std::numeric_limits<T>::infinity());
      down = std::nextafter(down, -std::numeric_limits<T>::infinity());
    }
  }
  std::mt19937_64 rng(12345);
  // Uniform over the whole range, and beyond it.
  std::uniform_real_distribution<double> uniform(double(lo) - 1.0, double(hi) + 1.0);
  for (int i = 0; i < 800000; ++i) x.push_back(T(uniform(rng)));
  // Log-uniform small magnitudes, both signs: 2^-60 .. 2^3.
  std::uniform_real_distribution<double> expo(-60.0, 3.0);
  for (int i = 0; i < 200000; ++i) {
    const double v = std::exp2(expo(rng));
    x.push_back(T(i % 2 ? v : -v));
  }
  // Half-integers * ln2: where k changes.
  for (int k = -1080; k <= 1030; ++k) x.push_back(T((k + 0.5) * 0.6931471805599453));
  return x;
}

struct ErrorStats {
  std::uint64_t max_ulp_vs_libm = 0;
  double max_ulp_vs_precise = 0.0;  // fractional ulps against a more precise exp
  double worst_x = 0.0;
  std::size_t mismatches_vs_twin = 0;
  std::size_t count = 0;
};

template <typename T>
ErrorStats measure(const std::vector<T>& x, const std::vector<T>& y) {
  ErrorStats s;
  s.count = x.size();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T ref = std::exp(x[i]);
    const std::uint64_t d = ulp_distance(y[i], ref);
    if (d > s.max_ulp_vs_libm) {
      s.max_ulp_vs_libm = d;
      s.worst_x = double(x[i]);
    }
    if (!same_bits(y[i], ranvier::exp_reference(x[i]))) ++s.mismatches_vs_twin;
    // Fractional error against expl (double) / exp in double (float).
    if (std::isfinite(x[i]) && std::isfinite(ref) && ref > std::numeric_limits<T>::min()) {
      long double precise = sizeof(T) == 8 ? std::exp(static_cast<long double>(x[i]))
                                           : static_cast<long double>(std::exp(double(x[i])));
      const int e = std::ilogb(static_cast<T>(precise));
      const long double ulp = std::ldexp(1.0L, e - std::numeric_limits<T>::digits + 1);
      const double err = static_cast<double>(std::fabs(static_cast<long double>(y[i]) - precise) / ulp);
      s.max_ulp_vs_precise = std::max(s.max_ulp_vs_precise, err);
    }
  }
  return s;
}

}  // namespace

TEST(VectorExp, DoubleAccuracyAndTwin) {
  const ExpKernels& k = kernels();
  const std::vector<double> x = make_inputs<double>();
  std::vector<double> y(x.size());
  k.f64(y.data(), x.data(), static_cast<std::int64_t>(x.size()));
  const ErrorStats s = measure(x, y);
  std::printf("[vector exp, double] %zu inputs: max %llu ulp vs libm exp (at x = %.17g), "
              "max %.3f ulp vs expl, %zu differ from exp_reference\n",
              s.count, static_cast<unsigned long long>(s.max_ulp_vs_libm), s.worst_x,
              s.max_ulp_vs_precise, s.mismatches_vs_twin);
  EXPECT_LE(s.max_ulp_vs_libm, 1u) << "worst x = " << s.worst_x;
  EXPECT_LT(s.max_ulp_vs_precise, 1.0);
  EXPECT_EQ(s.mismatches_vs_twin, 0u);
  for (auto [in, out] : exact_cases<double>()) {
    const std::size_t i = std::find_if(x.begin(), x.end(), [&](double v) { return same_bits(v, in); }) - x.begin();
    EXPECT_TRUE(same_bits(y[i], out)) << "exp(" << in << ") = " << y[i] << ", expected " << out;
  }
}

TEST(VectorExp, FloatAccuracyAndTwin) {
  const ExpKernels& k = kernels();
  const std::vector<float> x = make_inputs<float>();
  std::vector<float> y(x.size());
  k.f32(y.data(), x.data(), static_cast<std::int64_t>(x.size()));
  const ErrorStats s = measure(x, y);
  std::printf("[vector exp, float] %zu inputs: max %llu ulp vs libm expf (at x = %.9g), "
              "max %.3f ulp vs exp in double, %zu differ from exp_reference\n",
              s.count, static_cast<unsigned long long>(s.max_ulp_vs_libm), s.worst_x,
              s.max_ulp_vs_precise, s.mismatches_vs_twin);
  EXPECT_LE(s.max_ulp_vs_libm, 1u) << "worst x = " << s.worst_x;
  EXPECT_LT(s.max_ulp_vs_precise, 1.0);
  EXPECT_EQ(s.mismatches_vs_twin, 0u);
  for (auto [in, out] : exact_cases<float>()) {
    const std::size_t i = std::find_if(x.begin(), x.end(), [&](float v) { return same_bits(v, in); }) - x.begin();
    EXPECT_TRUE(same_bits(y[i], out)) << "expf(" << in << ") = " << y[i] << ", expected " << out;
  }
}

TEST(VectorExp, NanPropagates) {
  const ExpKernels& k = kernels();
  const double nans[] = {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                         std::bit_cast<double>(std::uint64_t{0x7ff8000000012345})};
  for (double v : nans) {
    EXPECT_TRUE(std::isnan(k.s64(v)));
    EXPECT_TRUE(same_bits(k.s64(v), ranvier::exp_reference(v)));
    EXPECT_TRUE(std::isnan(k.s32(float(v))));
    EXPECT_TRUE(same_bits(k.s32(float(v)), ranvier::exp_reference(float(v))));
  }
}

TEST(VectorExp, ScalarVectorAndFoldedPathsAgree) {
  // The same inputs through the scalar function, the explicit <4 x double> / <8 x float>
  // functions, and the vectorized loop: all bit-identical to the twin.
  const ExpKernels& k = kernels();
  const std::vector<double> xd = make_inputs<double>();
  for (std::size_t i = 0; i + 4 <= xd.size(); i += 4) {
    double y[4];
    k.v4f64(y, &xd[i]);
    for (int j = 0; j < 4; ++j) {
      ASSERT_TRUE(same_bits(y[j], ranvier::exp_reference(xd[i + j]))) << "x = " << xd[i + j];
      ASSERT_TRUE(same_bits(k.s64(xd[i + j]), y[j])) << "x = " << xd[i + j];
      // The twin's portable body (libm fma here unless built with FMA) agrees too.
      ASSERT_TRUE(same_bits(ranvier::exp_detail::exp_body(xd[i + j]), y[j])) << "x = " << xd[i + j];
    }
  }
  const std::vector<float> xf = make_inputs<float>();
  for (std::size_t i = 0; i + 8 <= xf.size(); i += 8) {
    float y[8];
    k.v8f32(y, &xf[i]);
    for (int j = 0; j < 8; ++j) {
      ASSERT_TRUE(same_bits(y[j], ranvier::exp_reference(xf[i + j]))) << "x = " << xf[i + j];
      ASSERT_TRUE(same_bits(k.s32(xf[i + j]), y[j])) << "x = " << xf[i + j];
      ASSERT_TRUE(same_bits(ranvier::exp_detail::exp_body(xf[i + j]), y[j])) << "x = " << xf[i + j];
    }
  }
  // Constant folding at compile time computes the same bits.
  for (std::size_t i = 0; i < kFoldedConstants.size(); ++i) {
    const double folded = k.code->function<double()>("exp_const" + std::to_string(i))();
    EXPECT_TRUE(same_bits(folded, ranvier::exp_reference(kFoldedConstants[i])))
        << "x = " << kFoldedConstants[i] << ": " << folded;
  }
}

TEST(VectorExp, SubnormalResultsAreNotFlushed) {
  const ExpKernels& k = kernels();
  EXPECT_EQ(k.s64(-744.4400719213812), std::numeric_limits<double>::denorm_min());
  EXPECT_GT(k.s64(-720.0), 0.0);
  EXPECT_LT(k.s64(-720.0), std::numeric_limits<double>::min());
  EXPECT_LE(ulp_distance(k.s64(-720.0), std::exp(-720.0)), 1u);
  EXPECT_GT(k.s32(-95.0f), 0.0f);
  EXPECT_LT(k.s32(-95.0f), std::numeric_limits<float>::min());
  EXPECT_LE(ulp_distance(k.s32(-95.0f), std::exp(-95.0f)), 1u);
}

// Every float in the range where expf is neither 0 nor inf (about 2.2e9 inputs, a minute
// or more): run with --gtest_also_run_disabled_tests.
TEST(VectorExp, DISABLED_ExhaustiveFloat) {
  const ExpKernels& k = kernels();
  constexpr std::size_t kChunk = 1 << 20;
  std::vector<float> x(kChunk), y(kChunk);
  std::uint64_t max_ulp = 0, mismatches = 0, count = 0;
  float worst = 0;
  auto run = [&](std::uint32_t first, std::uint32_t last) {  // bit patterns [first, last]
    for (std::uint64_t u = first; u <= last;) {
      std::size_t n = 0;
      for (; n < kChunk && u <= last; ++n, ++u) x[n] = std::bit_cast<float>(static_cast<std::uint32_t>(u));
      k.f32(y.data(), x.data(), static_cast<std::int64_t>(n));
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t d = ulp_distance(y[i], std::exp(x[i]));
        if (d > max_ulp) max_ulp = d, worst = x[i];
        if (!same_bits(y[i], ranvier::exp_reference(x[i]))) ++mismatches;
      }
      count += n;
    }
  };
  run(0u, std::bit_cast<std::uint32_t>(89.0f));            // +0 .. 89
  run(0x80000000u, std::bit_cast<std::uint32_t>(-104.0f));  // -0 .. -104
  std::printf("[vector exp, float, exhaustive] %llu inputs: max %llu ulp vs expf (at x = %.9g), "
              "%llu differ from exp_reference\n",
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(max_ulp), worst,
              static_cast<unsigned long long>(mismatches));
  EXPECT_LE(max_ulp, 1u);
  EXPECT_EQ(mismatches, 0u);
}

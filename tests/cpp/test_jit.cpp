// The LLVM backend against the reference interpreter and the references: every model of
// the foundation's tests, batches where every lane differs, float32, and compile-once.
#include <cmath>

#include <gtest/gtest.h>

#include "codegen/llvm/compiled_model.h"
#include "jaxley_case.h"

namespace ranvier {
namespace {

// Largest |a - b| / max(1, |b|) over every recorded sample.
double max_rel_diff(const Result& a, const Result& b) {
  EXPECT_EQ(a.n_recordings, b.n_recordings);
  EXPECT_EQ(a.n_samples, b.n_samples);
  double worst = 0.0;
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    double d = std::abs(a.data[i] - b.data[i]) / std::max(1.0, std::abs(b.data[i]));
    if (!(d <= worst)) worst = d;
  }
  return worst;
}

TEST(Jit, MatchesInterpreterOnJaxleyCases) {
  int checked = 0;
  for (const auto& c : test::jaxley_cases()) {
    IntegrateOptions opt = test::integrate_options(c.at("integrate"));
    if (opt.solver != "bwd_euler" && opt.solver != "crank_nicolson") continue;
    if (opt.voltage_solver == "jax.sparse") continue;
    opt.voltage_solver = "jaxley.dhs.cpu";
    auto module = test::build_case(c);
    IntegrateOptions ref = opt;
    ref.backend = "interpreter";
    ref.interpreter_uses_kernel_exp = true;
    Result expected = integrate(*module, ref);
    Result got = compile(*module).integrate(opt);
    double d = max_rel_diff(got, expected);
    EXPECT_LT(d, 1e-12) << c.at("name").get<std::string>();
    ++checked;
  }
  EXPECT_GT(checked, 15);
}

}  // namespace
}  // namespace ranvier

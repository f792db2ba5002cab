// Golden texts of every host-independent pipeline stage for three small models
// (tests/reference/ir/<model>[_float32]/<stage>.txt; golden_models.h says which). They guard
// refactors that must not change behaviour: any change in a stage's text fails here, naming
// the file and the first differing lines. After an intended change, regenerate with
// scripts/update_golden.sh (RANVIER_UPDATE_GOLDEN=1) and review the diff in git.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "golden_models.h"
#include "test_support.h"

namespace ranvier {
namespace {

bool update_golden() {
  const char* u = std::getenv("RANVIER_UPDATE_GOLDEN");
  return u && *u && std::string(u) != "0";
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::stringstream ss(s);
  for (std::string line; std::getline(ss, line);) lines.push_back(line);
  return lines;
}

// A unified-diff-like excerpt: the first differing line and a few around it.
std::string first_difference(const std::string& path, const std::string& expected, const std::string& actual) {
  const auto e = split_lines(expected), a = split_lines(actual);
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i]) ++i;
  std::ostringstream out;
  out << "--- " << path << " (golden)\n+++ generated\n@@ line " << i + 1 << " (golden " << e.size() << " lines, generated "
      << a.size() << ") @@\n";
  for (std::size_t k = i >= 2 ? i - 2 : 0; k < i; ++k) out << " " << e[k] << "\n";
  // The differing lines from there on, up to 5 (a line equal in both ends the excerpt).
  std::size_t end = i;
  while (end < i + 5 && (end < e.size() || end < a.size()) && (end >= e.size() || end >= a.size() || e[end] != a[end])) ++end;
  for (std::size_t k = i; k < end && k < e.size(); ++k) out << "-" << e[k] << "\n";
  for (std::size_t k = i; k < end && k < a.size(); ++k) out << "+" << a[k] << "\n";
  return out.str();
}

class GoldenIr : public ::testing::TestWithParam<test::GoldenCase> {};

TEST_P(GoldenIr, StageTextsMatchTheCommittedFiles) {
  const test::GoldenCase& c = GetParam();
  const ir::Model model = test::golden_model(c.model);
  const std::string dir = test::source_dir() + "/tests/reference/ir/" + c.model + (c.variant.empty() ? "" : "_" + c.variant);
  for (const std::string& stage : c.stages) {
    const std::string path = dir + "/" + stage + ".txt";
    const std::string text = test::golden_stage_text(model, stage, c.variant == "float32");
    ASSERT_FALSE(text.empty()) << path << ": stage " << stage << " printed nothing";
    if (update_golden()) {
      std::ofstream(path) << text;
      continue;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << path << " missing; run scripts/update_golden.sh to write it";
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str() != text)
      ADD_FAILURE() << "stage text changed:\n" << first_difference(path, ss.str(), text)
                    << "if intended, run scripts/update_golden.sh and review the diff";
  }
  if (update_golden()) GTEST_SKIP() << "wrote the golden files in " << dir;
}

// The float32 variant keeps only the stages that differ from float64: check that those that
// are left out really are equal, so no float32 difference goes unguarded.
TEST(GoldenIr, Float32OmitsOnlyStagesEqualToFloat64) {
  const ir::Model model = test::golden_hh_cell();
  for (const std::string stage : {"model", "fuse_mechanisms", "dhs_schedule"})
    EXPECT_EQ(test::golden_stage_text(model, stage, true), test::golden_stage_text(model, stage, false)) << stage;
  for (const std::string stage : {"linearize", "fold_constants", "derive_adjoint", "cuda_source"})
    EXPECT_NE(test::golden_stage_text(model, stage, true), test::golden_stage_text(model, stage, false)) << stage;
}

std::string case_name(const ::testing::TestParamInfo<test::GoldenCase>& info) {
  return info.param.model + (info.param.variant.empty() ? "" : "_" + info.param.variant);
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenIr, ::testing::ValuesIn(test::golden_cases()), case_name);

}  // namespace
}  // namespace ranvier

// The CUDA backend without a GPU: the generated source of every model of the test suite
// compiles through NVRTC for sm_90 without a single warning (double and float), the source
// of a fixed small model equals a committed golden file, and asking for the GPU without a
// driver raises a clear error.
//
// NVRTC comes from the pip wheel nvidia-cuda-nvrtc-cu12 (bash scripts/install_nvrtc.sh);
// without it these tests FAIL, unless RANVIER_SKIP_NVRTC=1.
// Regenerate the golden file: RANVIER_UPDATE_GOLDEN=1 build/tests/ranvier_tests --gtest_filter='CudaSource.Golden*'
#include <dlfcn.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "api/cuda_model.h"
#include "runtime/cuda/driver.h"
#include "codegen/cuda/nvrtc.h"
#include "cuda_models.h"
#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/synapses/builtin.h"
#include "ir/error.h"

namespace ranvier {
namespace {

bool skip_nvrtc() {
  const char* s = std::getenv("RANVIER_SKIP_NVRTC");
  return s && *s && std::string(s) != "0";
}

// NVRTC or a failure that says how to get it.
const cuda::Nvrtc* nvrtc_or_fail() {
  try {
    return &cuda::Nvrtc::instance();
  } catch (const NotSupported& e) {
    ADD_FAILURE() << e.what() << "\n(set RANVIER_SKIP_NVRTC=1 to skip the NVRTC tests)";
    return nullptr;
  }
}

#define REQUIRE_NVRTC(var)                                                  \
  if (skip_nvrtc()) GTEST_SKIP() << "RANVIER_SKIP_NVRTC is set";            \
  const cuda::Nvrtc* var = nvrtc_or_fail();                                 \
  if (!var) return

// Compiles a model's source for sm_90 in double and float; NVRTC must have nothing to say.
// Models whose source equals one compiled before (cases that differ only in values) are
// compiled once. `cubin`: all the way to an sm_90 cubin (ptxas too); else to compute_90 PTX
// (the CUDA front end and NVVM, where the warnings come from), which is several times faster.
void expect_compiles_cleanly(const cuda::Nvrtc& nvrtc, const std::string& name, const ir::Model& model, bool cubin) {
  static std::set<std::string> seen;
  for (bool f32 : {false, true}) {
    cuda::CudaOptions o;
    o.float32 = f32;
    const std::string src = cuda::render_source(model, o);
    if (!seen.insert(src + (cubin ? "|cubin" : "|ptx")).second) continue;
    try {
      cuda::NvrtcOutput out = nvrtc.compile(src, name + ".cu", 90, cubin);
      EXPECT_EQ(out.log, "") << name << (f32 ? " float32" : " float64");
      EXPECT_GT(out.binary.size(), 0u) << name;
    } catch (const Error& e) {
      ADD_FAILURE() << name << (f32 ? " float32: " : " float64: ") << e.what();
    }
  }
}

TEST(CudaSource, NvrtcIsAvailable) {
  REQUIRE_NVRTC(nvrtc);
  EXPECT_FALSE(nvrtc->path().empty());
  const auto archs = nvrtc->supported_archs();
  EXPECT_NE(std::find(archs.begin(), archs.end(), 90), archs.end()) << "NVRTC " << nvrtc->version() << " lacks sm_90";
}

TEST(CudaSource, JaxleyCasesCompileWithoutWarnings) {
  REQUIRE_NVRTC(nvrtc);
  int n = 0;
  for (const auto& [name, model] : test::jaxley_models()) expect_compiles_cleanly(*nvrtc, name, model, false), ++n;
  EXPECT_GT(n, 25);
}

TEST(CudaSource, NeuronRandomAndSwcModelsCompileWithoutWarnings) {
  REQUIRE_NVRTC(nvrtc);
  for (const auto& [name, model] : test::neuron_models()) expect_compiles_cleanly(*nvrtc, name, model, true);
  for (const auto& [name, model] : test::random_models(4)) expect_compiles_cleanly(*nvrtc, name, model, false);
  auto swc = test::swc_models();
  EXPECT_FALSE(swc.empty()) << "shared morphology morph_ca1_n120.swc missing";
  for (const auto& [name, model] : swc) expect_compiles_cleanly(*nvrtc, name, model, true);
}

TEST(CudaSource, CompileForAnExplicitArchNeedsNoGpu) {
  REQUIRE_NVRTC(nvrtc);
  cuda::CudaOptions o;
  o.arch = "sm_90";
  cuda::CudaModel m = cuda::compile(test::golden_cell(), o);
  EXPECT_EQ(m.target(), "sm_90");
  EXPECT_EQ(m.nvrtc_log(), "");
  const std::string ptx = m.source(cuda::CudaStage::Ptx);
  EXPECT_NE(ptx.find(".entry ranvier_simulate"), std::string::npos);
  EXPECT_NE(ptx.find(".target sm_90"), std::string::npos);
  // No contraction (--fmad=false): the only fused multiply-adds in the PTX are the exp's 14
  // explicit fma() per call (the exp is inlined at every call).
  auto count = [](const std::string& text, const std::string& what) {
    int n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  const std::string src = m.source(cuda::CudaStage::CudaSource);
  const int exp_calls = count(src, "= ranvier_exp(");
  EXPECT_GT(exp_calls, 5);
  EXPECT_EQ(count(ptx, "fma.rn.f64"), 14 * exp_calls);
  EXPECT_EQ(count(ptx, "mad.rn.f64") + count(ptx, "mad.f64"), 0);
  EXPECT_EQ(m.source(cuda::CudaStage::CudaSource), cuda::render_source(test::golden_cell().lower()));
  cuda::CudaOptions bad;
  bad.arch = "volta";
  EXPECT_THROW(cuda::compile(test::golden_cell(), bad), Error);
}

TEST(CudaSource, GoldenFile) {
  const std::string path = test::source_dir() + "/tests/reference/cuda/hh_2branch_2comp.cu";
  const std::string src = cuda::render_source(test::golden_cell().lower());
  if (const char* u = std::getenv("RANVIER_UPDATE_GOLDEN"); u && *u && std::string(u) != "0") {
    std::ofstream(path) << src;
    GTEST_SKIP() << "wrote " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path << " missing; run with RANVIER_UPDATE_GOLDEN=1 to write it";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(src, ss.str()) << "generated CUDA source changed; if intended, regenerate with RANVIER_UPDATE_GOLDEN=1 "
                              "build/tests/ranvier_tests --gtest_filter='CudaSource.GoldenFile' and review the diff";
}

TEST(CudaSource, Float32SourceUsesFloat) {
  cuda::CudaOptions o;
  o.float32 = true;
  const std::string src = cuda::render_source(test::golden_cell().lower(), o);
  EXPECT_NE(src.find("typedef float real;"), std::string::npos);
  EXPECT_NE(src.find("fmaf("), std::string::npos);
}

// Networks run on the CPU backends; the CUDA emitter has no synapse kernels yet, so a
// network with synapses must be refused, not simulated without them.
TEST(CudaSource, NetworksWithSynapsesAreRefused) {
  Cell cell;
  cell.insert(channels::HH());
  Network net({cell, cell});
  connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(0).comp(0), synapses::IonotropicSynapse());
  net.cell(1).branch(0).comp(0).record("v");
  cuda::CudaOptions o;
  o.arch = "none";  // source only: no NVRTC or GPU needed to reach the check
  EXPECT_THROW(cuda::compile(net, o), NotSupported);
}

TEST(CudaDriver, MissingDriverLibraryIsAClearError) {
  try {
    cuda::Driver::open("libcuda-ranvier-test-missing.so.1");
    ADD_FAILURE() << "no error";
  } catch (const NotSupported& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA driver (libcuda-ranvier-test-missing.so.1) found: the GPU backend needs an NVIDIA GPU; use device=\"cpu\""),
              std::string::npos)
        << e.what();
  }
}

TEST(CudaDriver, AskingForTheGpuWithoutADriverRaises) {
  if (void* lib = dlopen(cuda::kDriverLibrary, RTLD_NOW | RTLD_LOCAL)) {
    dlclose(lib);
    GTEST_SKIP() << "a CUDA driver is installed here";
  }
  try {
    cuda::compile(test::golden_cell());
    ADD_FAILURE() << "no error";
  } catch (const NotSupported& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA driver (libcuda.so.1) found: the GPU backend needs an NVIDIA GPU; use device=\"cpu\""),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ranvier

// The `ranvier` command-line program.
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "tools/commands.h"

namespace {
int usage() {
  std::fputs(
      "usage: ranvier <command> [options]\n"
      "  run      [--swc FILE [--ncomp N]] [--t-max MS] [--dt MS] [--solver NAME] [--voltage-solver NAME] [--out FILE.csv]\n"
      "           simulate an SWC reconstruction (or the built-in 7-branch example) with HH and a somatic step current\n"
      "  bench    --model NAME [--model-file FILE.json] [--backend jit|gpu|interpreter|sparse] [--batch B]\n"
      "           [--threads N] [--t-max MS] [--dt MS] [--trace FILE.npy|FILE.csv]\n"
      "           time one model (bench/README.md), print one JSON object\n"
      "  inspect  [--model-file FILE.json] [--stage NAME|all|cuda_source|ptx] [--float32] [--arch sm_XX]\n"
      "           print the IR after each pass, the DHS schedule, LLVM IR and assembly, or the GPU backend's CUDA source / PTX\n",
      stderr);
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string cmd = argv[1];
  ranvier::tools::Args args(argv + 2, argv + argc);
  try {
    if (cmd == "run") return ranvier::tools::cmd_run(args);
    if (cmd == "bench") return ranvier::tools::cmd_bench(args);
    if (cmd == "inspect") return ranvier::tools::cmd_inspect(args);
    return usage();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ranvier: error: out of memory in '%s' (std::bad_alloc); reduce --t-max, --batch or the model\n",
                 cmd.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ranvier: error: %s\n", e.what());
    return 1;
  }
}

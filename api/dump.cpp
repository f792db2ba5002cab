#include "api/dump.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace ranvier::api {

void dump_stages(const std::string& key, const std::function<std::string(Stage)>& text, const std::string& backend) {
  const char* dump = std::getenv("RANVIER_DUMP");
  if (!dump || !*dump) return;
  const std::string which = std::string(",") + dump + ",";
  const std::size_t h = std::hash<std::string>()(key);
  for (const StageInfo& s : stages()) {
    if (std::string(s.backend) != "pipeline" && s.backend != backend) continue;
    if (which != ",all," && which.find(std::string(",") + s.name + ",") == std::string::npos) continue;
    std::string body;
    try {
      body = text(s.stage);
    } catch (const std::exception&) {
      continue;  // a stage that does not apply to this model (lower_synapses without synapses, PTX without NVRTC)
    }
    std::error_code ec;
    std::filesystem::create_directories("ranvier_dump", ec);
    const std::string path = fmt::format("ranvier_dump/{:016x}.{}.txt", h, s.name);
    if (ec) {
      std::fprintf(stderr, "ranvier: warning: RANVIER_DUMP could not create the folder 'ranvier_dump' (%s); nothing dumped\n",
                   ec.message().c_str());
      return;
    }
    std::ofstream out(path, std::ios::binary);
    out << body;
    out.close();
    if (!out) {
      // A read-only or full folder: no empty or cut-short file is left behind.
      std::filesystem::remove(path, ec);
      std::fprintf(stderr, "ranvier: warning: RANVIER_DUMP could not write %s; the run goes on without it\n", path.c_str());
    }
  }
}

}  // namespace ranvier::api

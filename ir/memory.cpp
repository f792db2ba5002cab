#include "ir/memory.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace ranvier {
namespace {

std::atomic<std::size_t> g_limit{0};  // 0: the default

// The cgroup v2 (memory.max) or v1 (memory.limit_in_bytes) limit of this process, 0 if none.
std::size_t cgroup_limit() {
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    std::string text;
    if (in >> text && text != "max") {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
      if (*end == '\0' && n > 0) return static_cast<std::size_t>(n);
    }
  }
  return 0;
}

// RANVIER_MEMORY_LIMIT: "8G", "512M", "1000000000", "50%".
std::size_t parse_limit(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(text.c_str(), &end);
  const std::string unit = end;
  double scale = 1.0;
  if (unit == "%") scale = static_cast<double>(physical_memory()) / 100.0;
  else if (unit == "K" || unit == "k") scale = 1024.0;
  else if (unit == "M" || unit == "m") scale = 1024.0 * 1024.0;
  else if (unit == "G" || unit == "g") scale = 1024.0 * 1024.0 * 1024.0;
  else if (unit == "T" || unit == "t") scale = 1024.0 * 1024.0 * 1024.0 * 1024.0;
  else if (!unit.empty()) scale = -1.0;
  if (end == text.c_str() || scale < 0.0 || errno != 0 || !std::isfinite(x) || !(x > 0.0))
    fail("RANVIER_MEMORY_LIMIT = '{}': expected a positive size in bytes (optionally with K, M, G or T) or a percentage such as 50%",
         text);
  return static_cast<std::size_t>(x * scale);
}

}  // namespace

std::size_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  std::size_t bytes = pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) : 0;
  if (const std::size_t c = cgroup_limit(); c > 0 && (bytes == 0 || c < bytes)) bytes = c;
  return bytes;
}

std::size_t memory_limit() {
  if (const std::size_t l = g_limit.load(); l > 0) return l;
  if (const char* env = std::getenv("RANVIER_MEMORY_LIMIT"); env && *env) return parse_limit(env);
  const std::size_t phys = physical_memory();
  // Unknown physical memory: no up-front refusal (allocation failures are still reported).
  return phys > 0 ? static_cast<std::size_t>(0.8 * static_cast<double>(phys)) : static_cast<std::size_t>(-1);
}

void set_memory_limit(std::size_t bytes) { g_limit.store(bytes); }

std::string format_bytes(double bytes) {
  if (bytes >= 1e12) return fmt::format("{:.3g} TB", bytes / 1e12);
  if (bytes >= 1e9) return fmt::format("{:.3g} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.3g} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.3g} kB", bytes / 1e3);
  return fmt::format("{:.0f} bytes", bytes);
}

void check_memory(double bytes, std::string_view what) {
  const std::size_t limit = memory_limit();
  if (!(bytes <= static_cast<double>(limit)))
    throw OutOfMemory(fmt::format("{} needs about {} of memory, more than the limit of {} (80% of physical memory by default; "
                                  "set RANVIER_MEMORY_LIMIT, e.g. 64G or 90%, to change it)",
                                  what, format_bytes(bytes), format_bytes(static_cast<double>(limit))));
}

}  // namespace ranvier

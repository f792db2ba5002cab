#include "runtime/kernel_cache.h"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "ir/error.h"

namespace ranvier {
namespace {

// Caches are function-local statics of their translation units; they register on first use.
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::vector<runtime::KernelCacheBase*>& registry() {
  static std::vector<runtime::KernelCacheBase*> r;
  return r;
}
std::size_t& current_limit() {
  static std::size_t limit = runtime::initial_kernel_cache_limit();
  return limit;
}

}  // namespace

namespace runtime {

KernelCacheBase::KernelCacheBase() {
  std::lock_guard lock(registry_mutex());
  registry().push_back(this);
}

std::size_t initial_kernel_cache_limit() {
  const char* env = std::getenv("RANVIER_KERNEL_CACHE_SIZE");
  if (env == nullptr || *env == '\0') return 64;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(env, &end, 10);
  if (*end != '\0' || errno != 0 || n < 0)
    fail("RANVIER_KERNEL_CACHE_SIZE = '{}': expected a non-negative integer (kernels per cache)", env);
  return static_cast<std::size_t>(n);
}

std::size_t current_kernel_cache_limit() {
  std::lock_guard lock(registry_mutex());
  return current_limit();
}

}  // namespace runtime

KernelCacheInfo kernel_cache_info() {
  std::lock_guard lock(registry_mutex());
  KernelCacheInfo total;
  total.limit = current_limit();
  for (const auto* c : registry()) {
    const KernelCacheInfo i = c->info();
    total.entries += i.entries;
    total.hits += i.hits;
    total.misses += i.misses;
    total.evictions += i.evictions;
  }
  return total;
}

void set_kernel_cache_limit(std::size_t entries) {
  std::lock_guard lock(registry_mutex());
  current_limit() = entries;
  for (auto* c : registry()) c->set_limit(entries);
}

void clear_kernel_cache() {
  std::lock_guard lock(registry_mutex());
  for (auto* c : registry()) c->clear();
}

}  // namespace ranvier

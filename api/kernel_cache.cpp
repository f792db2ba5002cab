#include "api/kernel_cache.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "ir/error.h"

namespace ranvier::api {
namespace {

// A bounded LRU: compiling many model structures in one process (a sweep over morphologies, a
// long-running server) no longer grows JIT memory without bound. An evicted entry stays alive
// while a compiled model holds it (shared_ptr), so eviction never invalidates a model; the next
// compile of that structure just compiles again.
struct Cache {
  std::mutex mutex;
  std::size_t limit = initial_kernel_cache_limit();
  std::list<std::pair<std::string, std::shared_ptr<const void>>> order;  // most recently used first
  std::unordered_map<std::string, decltype(order)::iterator> index;
  std::size_t hits = 0, misses = 0, evictions = 0;

  void evict_to(std::size_t n) {
    while (order.size() > n) {
      index.erase(order.back().first);
      order.pop_back();
      ++evictions;
    }
  }
};

Cache& cache() {
  static Cache c;
  return c;
}
std::atomic<std::size_t> g_compilations{0};

}  // namespace

std::size_t initial_kernel_cache_limit() {
  const char* env = std::getenv("RANVIER_KERNEL_CACHE_SIZE");
  if (env == nullptr || *env == '\0') return 64;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(env, &end, 10);
  if (*end != '\0' || errno != 0 || n < 0)
    fail("RANVIER_KERNEL_CACHE_SIZE = '{}': expected a non-negative integer (kernels kept)", env);
  return static_cast<std::size_t>(n);
}

std::shared_ptr<const void> cached(const std::string& key, const std::function<std::shared_ptr<const void>()>& make) {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);  // `make` runs under it: one key is never compiled twice
  if (auto it = c.index.find(key); it != c.index.end()) {
    ++c.hits;
    c.order.splice(c.order.begin(), c.order, it->second);
    return it->second->second;
  }
  ++c.misses;
  std::shared_ptr<const void> made = make();
  ++g_compilations;
  c.order.emplace_front(key, made);
  c.index[key] = c.order.begin();
  c.evict_to(c.limit);
  return made;
}

std::size_t kernel_cache_entries() { return kernel_cache_info().entries; }

std::size_t kernel_compilations() { return g_compilations.load(); }

}  // namespace ranvier::api

namespace ranvier {

void clear_kernel_cache() {
  api::Cache& c = api::cache();
  std::lock_guard lock(c.mutex);
  c.evict_to(0);
}

KernelCacheInfo kernel_cache_info() {
  api::Cache& c = api::cache();
  std::lock_guard lock(c.mutex);
  return {c.order.size(), c.limit, c.hits, c.misses, c.evictions};
}

void set_kernel_cache_limit(std::size_t entries) {
  api::Cache& c = api::cache();
  std::lock_guard lock(c.mutex);
  c.limit = entries;
  c.evict_to(entries);
}

}  // namespace ranvier

#pragma once
// The one cache of compiled code in the process (bounded, see below): forward kernels, adjoint kernels and GPU
// images, each keyed by the text it was compiled from and the target. Compiling a model of
// the same structure again (new parameter values, stimuli, t_max) then costs no compilation.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace ranvier::api {

// The entry under `key`, made by `make` on a miss (thread-safe; `make` runs under the lock,
// so one key is never compiled twice).
std::shared_ptr<const void> cached(const std::string& key, const std::function<std::shared_ptr<const void>()>& make);

template <typename T>
std::shared_ptr<const T> cached_as(const std::string& key, const std::function<std::shared_ptr<const T>()>& make) {
  return std::static_pointer_cast<const T>(cached(key, [&]() -> std::shared_ptr<const void> { return make(); }));
}

// Number of entries, and compilations so far (cache hits do not count).
std::size_t kernel_cache_entries();
std::size_t kernel_compilations();
// RANVIER_KERNEL_CACHE_SIZE (entries), else 64; refuses a value that is not a non-negative integer.
std::size_t initial_kernel_cache_limit();

}  // namespace ranvier::api

namespace ranvier {
// The cache is a bounded LRU: at most `limit` entries (RANVIER_KERNEL_CACHE_SIZE, default 64;
// set_kernel_cache_limit() at run time, 0 keeps nothing), least recently used evicted first.
struct KernelCacheInfo {
  std::size_t entries = 0;  // held now
  std::size_t limit = 0;
  std::size_t hits = 0, misses = 0, evictions = 0;
};
KernelCacheInfo kernel_cache_info();
void set_kernel_cache_limit(std::size_t entries);
// Forgets every cached kernel (models compiled before keep theirs): the next compile of any
// model compiles again. For measuring compile time, and to free JIT memory.
void clear_kernel_cache();
}  // namespace ranvier

#pragma once
// The one cache of compiled code in the process: forward kernels, adjoint kernels and GPU
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

}  // namespace ranvier::api

namespace ranvier {
// Forgets every cached kernel (models compiled before keep theirs): the next compile of any
// model compiles again. For measuring compile time, and to free JIT memory.
void clear_kernel_cache();
}  // namespace ranvier

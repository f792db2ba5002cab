// The kernel cache (api/kernel_cache.h): their size, their limit, clearing them.
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "api/kernel_cache.h"

namespace ranvier::python {

void bind_cache(nb::module_& m) {
  m.def("clear_cache", &clear_kernel_cache,
        "Forgets every cached compiled kernel (compiled models keep theirs); the next compile runs LLVM again.");
  m.def(
      "cache_info",
      []() {
        const KernelCacheInfo i = kernel_cache_info();
        nb::dict d;
        d["entries"] = i.entries;
        d["limit"] = i.limit;
        d["hits"] = i.hits;
        d["misses"] = i.misses;
        d["evictions"] = i.evictions;
        return d;
      },
      "{'entries', 'limit' (per cache), 'hits', 'misses', 'evictions'} of the kernel caches.");
  m.def(
      "set_cache_limit",
      [](long long entries) {
        if (entries < 0) fail("set_cache_limit: entries = {} must be >= 0", entries);
        set_kernel_cache_limit(static_cast<std::size_t>(entries));
      },
      nb::arg("entries"), "Kernels each cache keeps (least recently used ones are evicted first).");
}

}  // namespace ranvier::python

#pragma once
// Memory guard: a job whose size is known up front (a simulation's recordings and inputs, a
// batch, a vjp's checkpoints, a stimulus on a long time grid, a module's compartments) is
// refused before anything is allocated when it would need more than the limit, with the
// memory it would need; an allocation that fails anyway (std::bad_alloc) becomes an
// OutOfMemory error naming what was being allocated. No std::bad_alloc escapes to terminate().
//
// The limit: set_memory_limit() when called, else RANVIER_MEMORY_LIMIT (bytes, with an
// optional K/M/G/T suffix, binary: "8G"; or a percentage of physical memory: "50%"), else 80%
// of the physical memory (or of the cgroup's limit, if lower).
#include <cstddef>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "ir/error.h"

namespace ranvier {

// Bytes a job may take.
std::size_t memory_limit();
// 0 = back to the default (RANVIER_MEMORY_LIMIT, else 80% of physical memory).
void set_memory_limit(std::size_t bytes);
// Physical memory of the machine (or the cgroup limit, if lower), bytes.
std::size_t physical_memory();

// "1.5 GB", "320 MB", ...
std::string format_bytes(double bytes);

// Refuses (OutOfMemory) a job that needs `bytes` (double: estimates may exceed size_t) when that
// exceeds the limit; `what` says what the memory is for ("integrate: 3 recordings x 4e10 samples").
void check_memory(double bytes, std::string_view what);

// f(), with a std::bad_alloc turned into OutOfMemory naming `what`.
template <typename F>
decltype(auto) allocating(std::string_view what, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const std::bad_alloc&) {
    throw OutOfMemory(fmt::format("out of memory while allocating {} (limit {}; RANVIER_MEMORY_LIMIT sets it)", what,
                                  format_bytes(static_cast<double>(memory_limit()))));
  }
}

}  // namespace ranvier

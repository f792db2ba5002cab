#pragma once
// Recycled buffers for the states and step captures that gradients keep (runtime/gradient.cpp).
// On the machines measured, the first touch of fresh memory costs about as much as computing
// what is stored in it (page faults: ~50 ms for 48 MB, bench/GRADIENTS.md). So buffers given
// back are kept, already touched, for the next vjp() of the process (a training loop calls it
// again and again), up to kBufferPoolBytes in all. Thread-safe.
#include <cstddef>
#include <vector>

namespace ranvier::runtime {

inline constexpr std::size_t kBufferPoolBytes = std::size_t{256} << 20;

// A vector of n doubles (contents unspecified): a recycled one when the pool has one.
std::vector<double> take_buffer(std::size_t n);
// Returns a buffer to the pool (dropped when the pool is full).
void give_buffer(std::vector<double>&& buffer) noexcept;
// Bytes held by the pool now (for tests).
std::size_t pooled_bytes();

}  // namespace ranvier::runtime

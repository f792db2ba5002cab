#pragma once
// A barrier for a few threads that meet several times per time step: spinning is cheaper
// than a futex at microsecond intervals; after a while it yields, so an oversubscribed
// machine still makes progress.
#include <atomic>
#include <thread>

namespace ranvier::runtime {

class SpinBarrier {
 public:
  explicit SpinBarrier(int n) : n_(n) {}
  void wait() {
    const int generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
      return;
    }
    for (int spins = 0; generation_.load(std::memory_order_acquire) == generation; ++spins)
      if (spins > 2000) std::this_thread::yield();
  }

 private:
  const int n_;
  std::atomic<int> arrived_{0};
  std::atomic<int> generation_{0};
};

}  // namespace ranvier::runtime

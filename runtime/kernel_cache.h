#pragma once
// Bounded caches of compiled kernels (LLVM forward kernels, LLVM adjoint kernels, NVRTC
// output), keyed by the kernel IR text and the target. Each is an LRU with a size limit in
// entries: compiling many model structures in one process (a parameter sweep over
// morphologies, a long-running server) no longer grows JIT memory without bound. An evicted
// entry stays alive while a compiled model still holds it (shared_ptr), so eviction never
// invalidates a model; it only means the next compile of that structure runs the compiler.
//
// The limit is RANVIER_KERNEL_CACHE_SIZE (entries per cache) when set, else 64;
// set_kernel_cache_limit() changes it at run time (0 = keep nothing).
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace ranvier {

struct KernelCacheInfo {
  std::size_t entries = 0;  // kernels held now, all caches together
  std::size_t limit = 0;    // entries each cache may hold
  std::size_t hits = 0;     // lookups that found a kernel
  std::size_t misses = 0;   // lookups that compiled one
  std::size_t evictions = 0;
};

// All kernel caches of the process: sizes summed, limit and clearing applied to each.
KernelCacheInfo kernel_cache_info();
void set_kernel_cache_limit(std::size_t entries);
// Forgets every cached kernel (models compiled before keep theirs): the next compile of any
// model runs the compiler again. For measuring compile time, and to free JIT memory.
void clear_kernel_cache();

namespace runtime {

class KernelCacheBase {
 public:
  KernelCacheBase();  // registers with the functions above
  virtual ~KernelCacheBase() = default;
  virtual void clear() = 0;
  virtual void set_limit(std::size_t entries) = 0;
  virtual KernelCacheInfo info() const = 0;
};

// The limit the process started with (RANVIER_KERNEL_CACHE_SIZE, else 64); refuses a value
// that is not a non-negative integer.
std::size_t initial_kernel_cache_limit();
// The limit now (the last set_kernel_cache_limit()), which a cache made later starts with.
std::size_t current_kernel_cache_limit();

template <typename V>
class LruCache final : public KernelCacheBase {
 public:
  LruCache() : limit_(current_kernel_cache_limit()) {}

  // The cached value for key (now the most recently used), or null.
  std::shared_ptr<V> find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  void insert(const std::string& key, std::shared_ptr<V> value) {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(value);
      order_.splice(order_.begin(), order_, it->second);
    } else {
      order_.emplace_front(key, std::move(value));
      index_[key] = order_.begin();
    }
    evict_to(limit_);
  }

  void clear() override {
    std::lock_guard lock(mutex_);
    evictions_ += order_.size();
    order_.clear();
    index_.clear();
  }
  void set_limit(std::size_t entries) override {
    std::lock_guard lock(mutex_);
    limit_ = entries;
    evict_to(limit_);
  }
  KernelCacheInfo info() const override {
    std::lock_guard lock(mutex_);
    return {order_.size(), limit_, hits_, misses_, evictions_};
  }

 private:
  void evict_to(std::size_t n) {
    while (order_.size() > n) {
      index_.erase(order_.back().first);
      order_.pop_back();
      ++evictions_;
    }
  }

  mutable std::mutex mutex_;
  std::size_t limit_;
  std::list<std::pair<std::string, std::shared_ptr<V>>> order_;  // most recently used first
  std::unordered_map<std::string, typename decltype(order_)::iterator> index_;
  std::size_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

}  // namespace runtime
}  // namespace ranvier

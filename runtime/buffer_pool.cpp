#include "runtime/buffer_pool.h"

#include <map>
#include <mutex>
#include <new>

namespace ranvier::runtime {
namespace {

struct Pool {
  std::mutex mutex;
  std::map<std::size_t, std::vector<std::vector<double>>> free;  // by size
  std::size_t bytes = 0;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: buffers may be given back during static destruction
  return *p;
}

}  // namespace

std::vector<double> take_buffer(std::size_t n) {
  Pool& p = pool();
  {
    std::lock_guard lock(p.mutex);
    auto it = p.free.find(n);
    if (it != p.free.end() && !it->second.empty()) {
      std::vector<double> v = std::move(it->second.back());
      it->second.pop_back();
      p.bytes -= n * sizeof(double);
      return v;
    }
  }
  return std::vector<double>(n);
}

void give_buffer(std::vector<double>&& buffer) noexcept {
  if (buffer.empty()) return;
  Pool& p = pool();
  const std::size_t bytes = buffer.size() * sizeof(double);
  std::lock_guard lock(p.mutex);
  if (p.bytes + bytes > kBufferPoolBytes) return;  // full: the buffer is freed
  // Called from destructors, also while an out-of-memory error unwinds: when the pool's own
  // bookkeeping cannot allocate, the buffer is freed instead (a throw here would terminate).
  try {
    p.free[buffer.size()].push_back(std::move(buffer));
    p.bytes += bytes;
  } catch (const std::bad_alloc&) {
    std::vector<double>().swap(buffer);
  }
}

std::size_t pooled_bytes() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  return p.bytes;
}

}  // namespace ranvier::runtime

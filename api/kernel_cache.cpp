#include "api/kernel_cache.h"

#include <atomic>
#include <map>
#include <mutex>

namespace ranvier::api {
namespace {
std::mutex g_mutex;
std::atomic<std::size_t> g_compilations{0};
std::map<std::string, std::shared_ptr<const void>>& entries() {
  static std::map<std::string, std::shared_ptr<const void>> m;
  return m;
}
}  // namespace

std::shared_ptr<const void> cached(const std::string& key, const std::function<std::shared_ptr<const void>()>& make) {
  std::lock_guard lock(g_mutex);
  if (auto it = entries().find(key); it != entries().end()) return it->second;
  std::shared_ptr<const void> made = make();
  ++g_compilations;
  entries()[key] = made;
  return made;
}

std::size_t kernel_cache_entries() {
  std::lock_guard lock(g_mutex);
  return entries().size();
}

std::size_t kernel_compilations() { return g_compilations.load(); }

}  // namespace ranvier::api

namespace ranvier {
void clear_kernel_cache() {
  std::lock_guard lock(api::g_mutex);
  api::entries().clear();
}
}  // namespace ranvier

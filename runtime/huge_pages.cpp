#include "runtime/huge_pages.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ranvier::runtime {

void assign_zeros_on_huge_pages(std::vector<double>& out, std::size_t n) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;  // bytes per x86-64 huge page
  std::vector<double>().swap(out);
  out.reserve(n);  // allocates without touching
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto begin = reinterpret_cast<std::uintptr_t>(out.data());
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1), last = (begin + n * sizeof(double)) & ~(kHuge - 1);
  // Advice only: where it is refused the pages are ordinary ones.
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
  out.assign(n, 0.0);
}

}  // namespace ranvier::runtime

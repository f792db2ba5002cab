#pragma once
// Large result buffers on transparent huge pages. In the VMs measured, the first touch of
// fresh memory costs one page fault per 4 KiB page (~1 ms per MB: 50 ms for 48 MB), which for
// a batch of B single compartments is a good part of the whole run. Where the kernel offers
// transparent huge pages on request (`madvise` mode, Debian's default), asking for them before
// the first touch takes 512 times fewer faults. Elsewhere it is a no-op.
#include <cstddef>
#include <vector>

namespace ranvier::runtime {

// out = n zeros; when n doubles span at least one 2 MiB huge page, the allocation is
// advised to use huge pages before it is first written.
void assign_zeros_on_huge_pages(std::vector<double>& out, std::size_t n);

}  // namespace ranvier::runtime

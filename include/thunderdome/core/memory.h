// include/thunderdome/core/memory.h
#pragma once

#include <cstdint>
#include <string_view>

namespace td {

/// On request (TD_HUGEPAGES=1 in the environment), makes glibc's malloc back large allocations
/// with transparent huge pages (2 MiB) when the kernel offers them only on request (THP
/// "madvise" mode, Debian's default): if the GLIBC_TUNABLES of this process do not say
/// glibc.malloc.hugetlb yet, it adds glibc.malloc.hugetlb=1 and re-executes the program with the
/// same arguments (the process id stays the same). Call it first thing in main(), before any
/// thread or MPI starts. Returns only when it does not re-execute: TD_HUGEPAGES not 1, THP in
/// another mode, the tunable already set, or exec failing. Whether it pays depends on the
/// machine: on one 2-core VM the tabular feature job ran 2x faster with it (fewer page faults),
/// on another it ran slower (the kernel compacting memory to find huge pages); see
/// bench/README.md.
void useHugePageMalloc(char** argv);

/// Makes glibc's malloc give allocations of 4 MiB and more their own mapping, returned to the
/// kernel when freed (M_MMAP_THRESHOLD; by default the threshold grows up to 32 MiB as large
/// blocks are freed, after which they come from the heap, which keeps them when freed). A
/// pipeline that builds column-sized arrays block by block then holds the memory it uses, not
/// also what it used before (tabular feature job: peak 662 -> 609 MB). Call it first thing in
/// main(); MALLOC_MMAP_THRESHOLD_ in the environment (the user's own choice) wins.
void limitHeapRetention();

/// Hands the memory malloc holds free back to the kernel (malloc_trim: the free pages inside
/// every arena, not only at their tops). What a long job calls after it let a large structure
/// go (a feature group of a grid search), so that the next one reuses pages the process no
/// longer counts in its resident set; a few milliseconds.
void releaseFreeMemory();

/// This process's memory now: resident set (VmRSS) and the bytes malloc has handed out and not
/// had back (mallinfo2: heap in use plus mmapped blocks), which is what is live; RSS can be
/// larger (freed memory the allocator keeps).
struct MemoryUse {
  std::int64_t rssBytes = 0;     ///< VmRSS of /proc/self/status (0 where unreadable)
  std::int64_t mallocBytes = 0;  ///< bytes allocated by malloc and not yet freed
  std::int64_t peakRssBytes = 0; ///< VmHWM: the peak resident set so far
};
/// Reads MemoryUse of this process.
MemoryUse memoryUse();

/// True when TD_TRACE_MEMORY=1: the fit then writes one line per phase to stderr with the
/// memory in use and the bytes of the copies it holds (bytes per non-zero where that applies).
bool traceMemoryEnabled();
/// When traceMemoryEnabled(): writes "[memory T s] <phase>: rss … MB, malloc … MB (peak rss …)
/// <detail>" to stderr (one write, safe from several threads).
void traceMemory(std::string_view phase, std::string_view detail = {});

}  // namespace td

// include/thunderdome/core/memory.h
#pragma once

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

}  // namespace td

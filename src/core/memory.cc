// src/core/memory.cc
#include "thunderdome/core/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace td {

void useHugePageMalloc(char** argv) {
  const char* on = std::getenv("TD_HUGEPAGES");
  if (on == nullptr || std::string(on) != "1") return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  std::string t = tunables != nullptr ? tunables : "";
  if (t.find("glibc.malloc.hugetlb") != std::string::npos) return;  // set (by us or the user)
  std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(mode, line) || line.find("[madvise]") == std::string::npos) return;
  t = t.empty() ? "glibc.malloc.hugetlb=1" : t + ":glibc.malloc.hugetlb=1";
  if (::setenv("GLIBC_TUNABLES", t.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);  // returns only on failure: go on without huge pages
}

void limitHeapRetention() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) return;
  ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

}  // namespace td

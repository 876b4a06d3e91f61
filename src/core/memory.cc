// src/core/memory.cc
#include "thunderdome/core/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <chrono>
#include <cstdio>
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

void releaseFreeMemory() { ::malloc_trim(0); }

MemoryUse memoryUse() {
  MemoryUse m;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) m.rssBytes = std::atoll(line.c_str() + 6) * 1024;
    if (line.rfind("VmHWM:", 0) == 0) m.peakRssBytes = std::atoll(line.c_str() + 6) * 1024;
  }
  const struct mallinfo2 mi = ::mallinfo2();
  m.mallocBytes = static_cast<std::int64_t>(mi.uordblks + mi.hblkhd);
  return m;
}

bool traceMemoryEnabled() {
  static const bool on = [] {
    const char* v = std::getenv("TD_TRACE_MEMORY");
    return v != nullptr && std::string(v) == "1";
  }();
  return on;
}

void traceMemory(std::string_view phase, std::string_view detail) {
  if (!traceMemoryEnabled()) return;
  static const auto start = std::chrono::steady_clock::now();
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const MemoryUse m = memoryUse();
  const auto mb = [](std::int64_t b) { return static_cast<double>(b) / 1e6; };
  std::string line(phase);
  char buf[160];
  std::snprintf(buf, sizeof buf, ": rss %.1f MB, malloc %.1f MB (peak rss %.1f MB)",
                mb(m.rssBytes), mb(m.mallocBytes), mb(m.peakRssBytes));
  char at[32];
  std::snprintf(at, sizeof at, "[memory %.3f s] ", t);
  line = at + line + buf;
  if (!detail.empty()) line += std::string(" ") + std::string(detail);
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace td

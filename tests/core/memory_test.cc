// tests/core/memory_test.cc
#include "thunderdome/core/memory.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace td {
namespace {

bool thpOnRequest() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  return std::getline(f, line) && line.find("[madvise]") != std::string::npos;
}

// Runs useHugePageMalloc in a child whose argv re-runs only this test; the re-executed child
// writes the GLIBC_TUNABLES it sees to TD_HUGEPAGE_PROBE. Returns the child's exit code.
int runChild(const std::string& probe, const char* tunables, const char* on) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("TD_HUGEPAGE_PROBE", probe.c_str(), 1);
    if (tunables) ::setenv("GLIBC_TUNABLES", tunables, 1);
    else ::unsetenv("GLIBC_TUNABLES");
    if (on) ::setenv("TD_HUGEPAGES", on, 1);
    else ::unsetenv("TD_HUGEPAGES");
    char self[] = "/proc/self/exe";
    char filter[] = "--gtest_filter=HugePageMalloc.ReexecutesWithTheTunable";
    char* argv[] = {self, filter, nullptr};
    useHugePageMalloc(argv);
    ::_exit(7);  // not re-executed
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(HugePageMalloc, ReexecutesWithTheTunable) {
  if (const char* probe = std::getenv("TD_HUGEPAGE_PROBE")) {  // the re-executed child
    const char* t = std::getenv("GLIBC_TUNABLES");
    std::ofstream(probe) << (t ? t : "");
    return;
  }
  if (!thpOnRequest()) GTEST_SKIP() << "transparent huge pages are not in madvise mode here";
  const std::string probe =
      (std::filesystem::temp_directory_path() / ("td_hugepage_" + std::to_string(::getpid())))
          .string();
  const auto read = [&] {
    std::ifstream in(probe);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  // Asked for (TD_HUGEPAGES=1): re-executed once, with the tunable added to what was there.
  EXPECT_EQ(runChild(probe, nullptr, "1"), 0);
  EXPECT_EQ(read(), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(runChild(probe, "glibc.malloc.arena_max=2", "1"), 0);
  EXPECT_EQ(read(), "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
  // Not re-executed: not asked for (the default, or TD_HUGEPAGES=0), or the tunable already
  // there (the user's own choice).
  EXPECT_EQ(runChild(probe, nullptr, nullptr), 7);
  EXPECT_EQ(runChild(probe, nullptr, "0"), 7);
  EXPECT_EQ(runChild(probe, "glibc.malloc.hugetlb=0", "1"), 7);
  std::filesystem::remove(probe);
}

}  // namespace
}  // namespace td

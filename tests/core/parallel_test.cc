// tests/core/parallel_test.cc
#include "thunderdome/core/parallel.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace td {
namespace {

TEST(ParallelTest, BlocksCoverRangeExactlyOnce) {
  std::vector<int> hits(1003, 0);
  parallel::forBlocks(1003, 100, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    EXPECT_EQ(begin, b * 100);
    for (std::int64_t i = begin; i < end; ++i) ++hits[static_cast<std::size_t>(i)];
  });
  for (int h : hits) EXPECT_EQ(h, 1);
  EXPECT_EQ(parallel::numBlocks(1003, 100), 11);
  EXPECT_EQ(parallel::numBlocks(0, 100), 0);
}

TEST(ParallelTest, SumIsBitIdenticalAcrossThreadCounts) {
  std::vector<double> v(100000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<double>(i)) * 1e-3 + 1e3;
  auto sum = [&] {
    return parallel::sumBlocks(static_cast<std::int64_t>(v.size()), 4096,
                               [&](std::int64_t b, std::int64_t e) {
                                 double s = 0;
                                 for (auto i = b; i < e; ++i) s += v[static_cast<std::size_t>(i)];
                                 return s;
                               });
  };
  // Allow 4 threads even on a 2-core machine so the comparison is real.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  double one = 0, four = 0;
  tbb::task_arena(1).execute([&] { one = sum(); });
  tbb::task_arena(4).execute([&] { four = sum(); });
  EXPECT_EQ(one, four);
  EXPECT_GT(parallel::defaultConcurrency(), 0);
}

TEST(ParallelTest, ExceptionsPropagateToCaller) {
  EXPECT_THROW(parallel::forBlocks(100, 10,
                                   [](std::int64_t b, std::int64_t, std::int64_t) {
                                     if (b == 3) throw std::runtime_error("boom");
                                   }),
               std::runtime_error);
}

TEST(ParallelTest, TaskGroupRunsEveryTask) {
  auto runAll = [] {
    std::vector<std::atomic<int>> hits(64);
    parallel::TaskGroup group;
    for (std::size_t i = 0; i < hits.size(); ++i) group.run([&hits, i] { ++hits[i]; });
    group.wait();
    for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
  };
  runAll();
  // One thread: the waiting thread runs the tasks itself (isolation must not starve them).
  tbb::task_arena(1).execute(runAll);
  // Tasks that use the pool themselves.
  std::atomic<std::int64_t> items{0};
  parallel::TaskGroup group;
  for (int t = 0; t < 8; ++t)
    group.run([&] {
      parallel::forBlocks(1000, 10,
                          [&](std::int64_t, std::int64_t b, std::int64_t e) { items += e - b; });
    });
  group.wait();
  EXPECT_EQ(items.load(), 8000);
}

TEST(ParallelTest, TaskGroupRethrowsTheFirstFailureAfterAllTasksRan) {
  std::vector<std::atomic<int>> ran(20);
  parallel::TaskGroup group;
  for (std::size_t i = 0; i < ran.size(); ++i)
    group.run([&ran, i] {
      ++ran[i];
      if (i == 5 || i == 12) throw std::runtime_error("task " + std::to_string(i));
    });
  try {
    group.wait();
    ADD_FAILURE() << "wait() did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task 5");  // the earliest-started failure, whatever finished first
  }
  for (const auto& r : ran) EXPECT_EQ(r.load(), 1);
  // The failure is reported once; the group can be used again.
  int more = 0;
  group.run([&] { ++more; });
  EXPECT_NO_THROW(group.wait());
  EXPECT_EQ(more, 1);
}

}  // namespace
}  // namespace td

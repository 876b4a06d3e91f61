// tests/core/parallel_test.cc
#include "thunderdome/core/parallel.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <cmath>
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

}  // namespace
}  // namespace td

// include/thunderdome/core/parallel.h
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace td::parallel {

/// Number of threads the shared pool uses by default (all cores).
int defaultConcurrency();

/// Number of fixed-size blocks covering [0, n).
inline std::int64_t numBlocks(std::int64_t n, std::int64_t blockSize) {
  return n <= 0 ? 0 : (n + blockSize - 1) / blockSize;
}

/// Runs fn(blockIndex, begin, end) for every block of `blockSize` items of [0, n) on the shared
/// oneTBB pool. Block boundaries never depend on the thread count, so per-block results combined
/// in block order are bit-for-bit reproducible. Runs isolated: a waiting thread never picks up
/// unrelated outer tasks (such as another cross-validation fit).
template <class F>
void forBlocks(std::int64_t n, std::int64_t blockSize, F&& fn) {
  const std::int64_t blocks = numBlocks(n, blockSize);
  if (blocks == 0) return;
  if (blocks == 1) {
    fn(std::int64_t{0}, std::int64_t{0}, n);
    return;
  }
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::int64_t>(0, blocks, 1),
        [&](const tbb::blocked_range<std::int64_t>& r) {
          for (std::int64_t b = r.begin(); b < r.end(); ++b) {
            const std::int64_t begin = b * blockSize;
            fn(b, begin, std::min(n, begin + blockSize));
          }
        },
        tbb::simple_partitioner());
  });
}

/// Deterministic parallel sum: fn(begin, end) returns the partial sum of a block; partials are
/// added in block order, so the result does not depend on the thread count.
template <class F>
double sumBlocks(std::int64_t n, std::int64_t blockSize, F&& fn) {
  std::vector<double> partial(static_cast<std::size_t>(numBlocks(n, blockSize)), 0.0);
  forBlocks(n, blockSize, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    partial[static_cast<std::size_t>(b)] = fn(begin, end);
  });
  double s = 0.0;
  for (double p : partial) s += p;
  return s;
}

/// Runs ok(i) for i in [0, n) in parallel blocks of `blockSize`, each block stopping at its first
/// false; returns the first i (in order) where ok was false, or -1. What a stage that checks its
/// rows while it converts them reports its first bad row with.
template <class F>
std::int64_t firstFailure(std::int64_t n, std::int64_t blockSize, F&& ok) {
  std::vector<std::int64_t> fail(static_cast<std::size_t>(numBlocks(n, blockSize)), -1);
  forBlocks(n, blockSize, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      if (!ok(i)) {
        fail[static_cast<std::size_t>(b)] = i;
        return;
      }
    }
  });
  for (const auto f : fail)
    if (f >= 0) return f;
  return -1;
}

/// A group of tasks on the shared oneTBB pool: run() starts a task, wait() waits for all of them.
/// Runs isolated like forBlocks: a thread waiting in wait() only picks up this group's tasks (and
/// what they spawn), never unrelated outer tasks. Every task runs even when another throws;
/// wait() then rethrows the exception of the earliest-started failing task. run() and wait() are
/// called from the thread that owns the group. The destructor waits for unfinished tasks and
/// drops their exceptions.
class TaskGroup {
 public:
  TaskGroup();
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  /// Starts fn on the pool and returns at once.
  void run(std::function<void()> fn);
  /// Waits for every task started so far; rethrows the first failure (in run() order).
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs fn(0) .. fn(n-1) each on its own thread and waits for all: for blocking I/O (network
/// transfers), which must not occupy the compute pool. The first exception is rethrown.
void runIoThreads(int n, const std::function<void(int)>& fn);

}  // namespace td::parallel

namespace td::parallel {

/// Runs fn on the shared pool limited to `threads` threads (0 or more than the pool: unlimited);
/// nested parallel work inside fn stays within that limit.
void runWithThreads(int threads, const std::function<void()>& fn);

}  // namespace td::parallel

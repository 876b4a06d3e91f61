// src/core/parallel.cc
#include "thunderdome/core/parallel.h"

#include <tbb/info.h>

#include <exception>
#include <thread>

namespace td::parallel {

void runIoThreads(int n, const std::function<void(int)>& fn) {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(std::max(n, 0)));
  std::vector<std::thread> threads;
  threads.reserve(errors.size());
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      try {
        fn(i);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

int defaultConcurrency() { return std::max(1, tbb::info::default_concurrency()); }

}  // namespace td::parallel

namespace td::parallel {

void runWithThreads(int threads, const std::function<void()>& fn) {
  if (threads <= 0 || threads >= defaultConcurrency()) {
    fn();
    return;
  }
  tbb::task_arena arena(threads);
  arena.execute([&] { fn(); });
}

}  // namespace td::parallel

// src/core/parallel.cc
// tbb::isolated_task_group is a oneTBB preview feature (present in every oneTBB release); the
// macro must come before the first oneTBB header.
#define TBB_PREVIEW_ISOLATED_TASK_GROUP 1
#include "thunderdome/core/parallel.h"

#include <tbb/info.h>
#include <tbb/task_group.h>

#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

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

struct TaskGroup::Impl {
  tbb::isolated_task_group group;
  std::size_t started = 0;  // tasks run() so far; a task's index orders its failure
  std::mutex mu;
  std::size_t errorIndex = std::numeric_limits<std::size_t>::max();
  std::exception_ptr error;
};

TaskGroup::TaskGroup() : impl_(std::make_unique<Impl>()) {}

TaskGroup::~TaskGroup() {
  try {
    impl_->group.wait();
  } catch (...) {  // tasks catch their own exceptions; nothing to report from a destructor
  }
}

void TaskGroup::run(std::function<void()> fn) {
  const std::size_t index = impl_->started++;
  impl_->group.run([impl = impl_.get(), index, fn = std::move(fn)] {
    try {
      fn();
    } catch (...) {
      std::lock_guard lock(impl->mu);
      if (index < impl->errorIndex) {
        impl->errorIndex = index;
        impl->error = std::current_exception();
      }
    }
  });
}

void TaskGroup::wait() {
  impl_->group.wait();
  std::exception_ptr error;
  {
    std::lock_guard lock(impl_->mu);
    error = std::exchange(impl_->error, nullptr);
    impl_->errorIndex = std::numeric_limits<std::size_t>::max();
  }
  if (error) std::rethrow_exception(error);
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

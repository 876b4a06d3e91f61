// tests/testing/thread_communicator.h — a Communicator whose ranks are threads of the test
// process, for testing collective code (sharded reads, data-parallel fits) without mpirun.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/dist/communicator.h"

namespace td::testing {

/// The rendezvous of ThreadCommunicator: every collective is an allgather of bytes.
class ThreadGroup {
 public:
  explicit ThreadGroup(int n) : n_(n), slots_(static_cast<std::size_t>(n)) {}
  std::vector<std::vector<std::byte>> allgather(int rank, std::span<const std::byte> mine) {
    std::unique_lock lock(mu_);
    slots_[static_cast<std::size_t>(rank)].assign(mine.begin(), mine.end());
    const int gen = generation_;
    if (++arrived_ == n_) {
      result_ = slots_;
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
    } else {
      cv_.wait(lock, [&] { return generation_ != gen; });
    }
    return result_;
  }
  [[nodiscard]] int size() const { return n_; }

  // The service of the group (one at a time): rank 0's handler, called by the other ranks'
  // threads one at a time.
  void setHandler(dist::ServiceHandler h) {
    std::lock_guard lock(serviceMu_);
    handler_ = std::move(h);
  }
  void callHandler(int rank, std::span<const std::byte> request, std::span<std::byte> reply) {
    std::lock_guard lock(serviceMu_);
    std::fill(reply.begin(), reply.end(), std::byte{0});
    handler_(rank, request, reply);
  }

 private:
  int n_;
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0, generation_ = 0;
  std::vector<std::vector<std::byte>> slots_, result_;
  std::mutex serviceMu_;
  dist::ServiceHandler handler_;
};

/// One rank of a ThreadGroup. Sums add the ranks' values in rank order, so every rank gets the
/// same bits (as the MPI implementation promises).
class ThreadCommunicator final : public dist::Communicator {
 public:
  ThreadCommunicator(ThreadGroup& g, int rank) : g_(g), rank_(rank) {}
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return g_.size(); }
  void allreduceSum(std::span<double> values) override {
    reduce(values, [](double a, double b) { return a + b; });
  }
  void allreduceMax(std::span<double> values) override {
    reduce(values, [](double a, double b) { return a > b ? a : b; });
  }
  void broadcast(std::vector<std::byte>& bytes, int root) override {
    bytes = g_.allgather(rank_, bytes)[static_cast<std::size_t>(root)];
  }
  std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) override {
    auto all = g_.allgather(rank_, mine);
    return rank_ == root ? all : std::vector<std::vector<std::byte>>{};
  }
  std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) override {
    return g_.allgather(rank_, mine);
  }
  void barrier() override { g_.allgather(rank_, {}); }
  [[noreturn]] void abort(int) override { std::abort(); }
  std::unique_ptr<dist::WorkQueue> workQueue(std::int64_t) override {
    throw InternalError("ThreadCommunicator has no work queue");
  }
  // The other ranks call rank 0's handler directly (under the group's lock), as MpiService's
  // server thread would answer them.
  std::unique_ptr<dist::Service> service(std::size_t replyBytes,
                                         dist::ServiceHandler handler) override {
    if (rank_ == 0) g_.setHandler(std::move(handler));
    barrier();
    return std::make_unique<Service>(*this, replyBytes);
  }

 private:
  class Service final : public dist::Service {
   public:
    Service(ThreadCommunicator& c, std::size_t replyBytes) : c_(c), replyBytes_(replyBytes) {}
    void call(std::span<const std::byte> request, std::span<std::byte> reply) override {
      if (c_.rank_ == 0 || reply.size() != replyBytes_)
        throw InternalError("ThreadCommunicator::Service::call: rank 0 or a wrong reply size");
      c_.g_.callHandler(c_.rank_, request, reply);
    }
    void finish() override { c_.barrier(); }

   private:
    ThreadCommunicator& c_;
    std::size_t replyBytes_;
  };

  template <class Op>
  void reduce(std::span<double> values, Op op) {
    const auto all = g_.allgather(rank_, std::as_bytes(values));
    for (std::size_t i = 0; i < values.size(); ++i) {
      double acc = reinterpret_cast<const double*>(all[0].data())[i];
      for (std::size_t r = 1; r < all.size(); ++r)
        acc = op(acc, reinterpret_cast<const double*>(all[r].data())[i]);
      values[i] = acc;
    }
  }

  ThreadGroup& g_;
  int rank_;
};

/// Runs body(comm) on n thread-ranks and waits for all of them. An exception on a rank is
/// rethrown (the first by rank) after every thread ended; a test must keep the ranks' collective
/// calls matched or they deadlock, as under MPI.
inline void runRanks(int n, const std::function<void(ThreadCommunicator&)>& body) {
  ThreadGroup group(n);
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r)
    threads.emplace_back([&, r] {
      ThreadCommunicator comm(group, r);
      try {
        body(comm);
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace td::testing

// include/thunderdome/core/context.h
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "thunderdome/core/error.h"

namespace td {

namespace dist {
class Communicator;
}  // namespace dist

/// A cancelled fit, transform or evaluation (CancellationToken::cancel was called).
class CancelledError : public Error {
 public:
  explicit CancelledError(const std::string& message) : Error(ErrorCode::kInternal, message) {}
};

/// Progress of a long-running call, reported after each unit of work (a tuning run: each fit).
struct Progress {
  std::int64_t done = 0;   ///< Units finished (fits, for tuning: all folds and param maps).
  std::int64_t total = 0;  ///< Units in all (for tuning: the grid's fits, without the refit).
  double bestMetric = 0;   ///< Best mean metric over the param maps whose folds have all finished.
};

/// Called after each unit of work, serialised (never concurrently).
using ProgressCallback = std::function<void(const Progress&)>;

/// Cooperative cancellation shared by every copy of a Context: cancel() from any thread (a
/// signal handler's flag, Python's Ctrl-C); work checks it between units (fits, stages, blocks).
class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  /// Asks every call holding this token to stop at its next check.
  void cancel() const { flag_->store(true, std::memory_order_relaxed); }
  /// True once cancel() was called.
  [[nodiscard]] bool cancelled() const { return flag_->load(std::memory_order_relaxed); }
  /// Throws CancelledError naming `what` when cancelled.
  void throwIfCancelled(std::string_view what) const {
    if (cancelled()) throw CancelledError(std::string(what) + ": cancelled");
  }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

/// What a fit, transform or evaluate runs with: how many threads it may use, the ranks it spans
/// (and whether its data is this rank's shard), cancellation and progress. Handed down by
/// Pipeline and the tuners to every stage they run; the default is this process, all cores.
struct Context {
  /// Most threads this call may use (0: all of the shared pool).
  int threads = 0;
  /// The MPI ranks this call spans (null: this process alone). Tuners deal their fits to the
  /// ranks (task-parallel) unless dataParallel is set.
  std::shared_ptr<dist::Communicator> comm;
  /// The data handed to fit is this rank's shard of the training set: estimators sum their
  /// statistics and optimizer sums over comm's ranks, so every rank ends with the same model.
  bool dataParallel = false;
  /// Stops the call at its next check.
  CancellationToken cancel;
  /// Progress reports (tuners report one per finished fit); may be empty.
  ProgressCallback progress;

  /// This context for work that runs on this process alone (no communicator, no progress).
  [[nodiscard]] Context local() const {
    Context c;
    c.threads = threads;
    c.cancel = cancel;
    return c;
  }
  /// True when fits sum over several ranks' shards.
  [[nodiscard]] bool isDataParallel() const { return dataParallel && comm != nullptr; }
};

/// Runs fn with at most ctx.threads threads of the shared pool (all of them when 0).
void runWithContext(const Context& ctx, const std::function<void()>& fn);

}  // namespace td

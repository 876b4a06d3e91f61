// include/thunderdome/dist/communicator.h — the distributed layer behind one interface.
// LocalCommunicator (one process, the default) and an MPI implementation
// (src/dist/mpi_communicator.cc, the only file that includes <mpi.h>; built with TD_WITH_MPI).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "thunderdome/core/error.h"

namespace td::dist {

/// What a worker says of the item it just finished when it asks for the next one: the dealer
/// of a grouped queue learns the items' costs from it (see WorkDealer).
struct ItemDone {
  std::int64_t item = -1;     ///< the item finished; -1: none (the worker's first request)
  double seconds = 0.0;       ///< its wall time, setting up its group included
  double setupSeconds = 0.0;  ///< of which setting up the group (0: it was ready on this rank)
};

/// Hands out work item indices 0..items-1, each exactly once over all ranks, to whichever
/// worker asks first (dynamic load balancing: a slow item never holds the others back).
class WorkQueue {
 public:
  virtual ~WorkQueue() = default;
  /// The next item, or -1 when none is left or the queue was cancelled; `done` reports the
  /// item this worker finished last. Thread-safe.
  virtual std::int64_t next(const ItemDone& done) = 0;
  /// The next item, reporting nothing.
  std::int64_t next() { return next(ItemDone{}); }
  /// Stops handing out items on every rank (after a failure). Thread-safe.
  virtual void cancel() = 0;
  /// Collective: each rank calls it once, after its workers stopped calling next().
  virtual void finish() = 0;
};

/// The dealing logic of a WorkQueue, without transport: items in order, first come first
/// served, remembering which rank got each item. Not thread-safe (callers lock).
class WorkDealer {
 public:
  explicit WorkDealer(std::int64_t items) : owner_(static_cast<std::size_t>(items), -1) {}
  /// Items 0..items-1 in order, with item i in group groups[i] (items of one group share a
  /// costly setup, such as the features of a grid search's feature setting): a rank gets the
  /// first item left of a group it already works on, else the first item of a group no rank
  /// has started, else the first item left. So each rank sets up few groups, while the order
  /// (costliest first) still decides what is dealt first. Empty: plain order.
  /// Once finished items have been reported (next with an ItemDone), the dealer also weighs
  /// that rule against giving the rank the first item left of another group: it estimates each
  /// group's item cost (measured means; else the cheapest measured cost, or twice a running
  /// item's elapsed time if more) and the setup cost (measured mean),
  /// plays the rest of the dealing out for each choice, and takes the one that ends soonest
  /// (the rule's own choice unless another ends at least 1% sooner). So a rank that would sit
  /// idle at the end takes a share of a costly group instead, when that pays for its setup.
  WorkDealer(std::int64_t items, std::vector<std::int64_t> groups);
  /// The next item for `rank`, or -1 when none is left or after cancel().
  std::int64_t next(int rank) { return next(rank, 0.0, ItemDone{}); }
  /// The same, at time `now` (seconds on the dealer's clock, never decreasing), with `done`
  /// the item the asking worker finished last.
  std::int64_t next(int rank, double now, const ItemDone& done);
  void cancel() { cancelled_ = true; }
  [[nodiscard]] bool cancelled() const { return cancelled_; }
  /// The rank each item went to (-1: not handed out).
  [[nodiscard]] const std::vector<int>& owner() const { return owner_; }

 private:
  std::vector<int> owner_;
  std::int64_t next_ = 0;
  bool cancelled_ = false;
  std::vector<std::int64_t> groups_;                 // per item (empty: plain order)
  std::vector<std::vector<std::int64_t>> rankGroups_;  // per rank: the groups it was dealt
  std::vector<std::int64_t> started_;                  // groups some rank was dealt
  std::int64_t dealt_ = 0;
  // Dealing by measured cost (grouped dealing only).
  std::vector<double> dealtAt_;   // per item: when it was dealt
  std::vector<char> finished_;    // per item: reported done
  std::vector<double> costSum_;   // per group index (see groupIndex_): measured item seconds
  std::vector<int> costCount_;
  double setupSum_ = 0.0;
  int setupCount_ = 0;
  std::vector<int> busyMax_;      // per rank: the most items it held at once (its workers)
  std::vector<std::int64_t> groupIds_;    // the distinct groups, in order of first item
  std::vector<std::size_t> groupIndex_;   // per item: its group's index in groupIds_

  [[nodiscard]] std::int64_t affinityPick(int rank, const std::vector<int>& owner,
                                          const std::vector<std::vector<std::int64_t>>& held,
                                          const std::vector<std::int64_t>& started) const;
  [[nodiscard]] std::int64_t costedPick(int rank, double now, std::int64_t rulePick) const;
};

/// A WorkQueue within one process: a WorkDealer behind a mutex.
class LocalWorkQueue final : public WorkQueue {
 public:
  explicit LocalWorkQueue(std::int64_t items) : dealer_(items) {}
  using WorkQueue::next;
  std::int64_t next(const ItemDone& done) override;
  void cancel() override;
  void finish() override {}

 private:
  std::mutex mu_;
  WorkDealer dealer_;
};

/// A request/reply service hosted by rank 0 for a while (AsyncDL's parameter server across
/// ranks): the other ranks' threads call it, rank 0 answers on a thread of its own.
class Service {
 public:
  virtual ~Service() = default;
  /// Ranks other than 0: sends `request` (any size, may be empty) to rank 0's handler and
  /// waits for its reply, which fills `reply` (of the service's reply size). Thread-safe: calls
  /// from several threads of a rank are served one at a time.
  virtual void call(std::span<const std::byte> request, std::span<std::byte> reply) = 0;
  /// Collective: each rank calls it once, after its threads stopped calling; on rank 0 it
  /// returns once every other rank did (the handler has answered its last call).
  virtual void finish() = 0;
};

/// Rank 0's answer to one call of a Service: (calling rank, request, reply to fill: the
/// service's reply size, zeroed). Runs on
/// one thread at a time, concurrently with rank 0's own threads.
using ServiceHandler =
    std::function<void(int rank, std::span<const std::byte> request, std::span<std::byte> reply)>;

/// The collectives thunderdome's distributed code uses. Every collective must be called by
/// all ranks in the same order. Failures of the transport abort the job.
class Communicator {
 public:
  virtual ~Communicator() = default;
  [[nodiscard]] virtual int rank() const = 0;
  [[nodiscard]] virtual int size() const = 0;
  /// Element-wise sum over ranks, in place; every rank gets bit-identical results.
  virtual void allreduceSum(std::span<double> values) = 0;
  /// Element-wise maximum over ranks, in place.
  virtual void allreduceMax(std::span<double> values) = 0;
  /// Root's bytes replace every other rank's `bytes` (sizes may differ before the call).
  virtual void broadcast(std::vector<std::byte>& bytes, int root) = 0;
  /// Every rank's bytes, by rank, on `root` (other ranks get an empty vector).
  virtual std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) = 0;
  /// Every rank's bytes, by rank, on every rank.
  virtual std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) = 0;
  /// Every rank's `mine` (the same size on every rank), by rank, into `all` (size() ·
  /// mine.size() bytes), without allocating: for per-step exchanges.
  virtual void allgatherEqual(std::span<const std::byte> mine, std::span<std::byte> all);
  /// `all` holds size() blocks of equal size, this rank's own (block rank()) filled in: every
  /// rank's block, in place, on every rank.
  virtual void allgatherInPlace(std::span<std::byte> all);
  /// All-to-all of equal blocks: `mine` holds size() blocks of B bytes, block q for rank q;
  /// `theirs` (the same size) receives, as its block r, rank r's block for this rank.
  virtual void alltoallEqual(std::span<const std::byte> mine, std::span<std::byte> theirs);
  virtual void barrier() = 0;
  /// Ends the whole job (every rank) with exit code `code`.
  [[noreturn]] virtual void abort(int code) = 0;
  /// Collective: a queue of `items` shared by all ranks.
  virtual std::unique_ptr<WorkQueue> workQueue(std::int64_t items) = 0;
  /// Collective: a queue of `items` dealt with group affinity (see WorkDealer's constructor;
  /// groups[i] is item i's group, the same on every rank). Default: workQueue(items).
  virtual std::unique_ptr<WorkQueue> groupedWorkQueue(std::int64_t items,
                                                      std::vector<std::int64_t> groups) {
    (void)groups;
    return workQueue(items);
  }
  /// Collective: a Service whose replies hold `replyBytes` bytes, answered by `handler` on
  /// rank 0 until finish(). One rank: a service nobody calls. Transports without messages
  /// between ranks throw ParamError.
  virtual std::unique_ptr<Service> service(std::size_t replyBytes, ServiceHandler handler);
};

/// One process: rank 0 of 1; collectives are copies.
class LocalCommunicator final : public Communicator {
 public:
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }
  void allreduceSum(std::span<double>) override {}
  void allreduceMax(std::span<double>) override {}
  void broadcast(std::vector<std::byte>&, int) override {}
  std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) override;
  std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) override;
  void barrier() override {}
  [[noreturn]] void abort(int code) override;
  std::unique_ptr<WorkQueue> workQueue(std::int64_t items) override {
    return std::make_unique<LocalWorkQueue>(items);
  }
};

/// Thrown identically on every rank when a collective learns that some rank failed; the
/// message names the failing rank, the code is that rank's error code.
class DistributedError : public Error {
 public:
  DistributedError(ErrorCode code, const std::string& message) : Error(code, message) {}
};

/// The code and message of an exception (a td::Error's, kInternal for others), to send to the
/// other ranks.
struct ErrorReport {
  ErrorCode code = ErrorCode::kInternal;
  std::string what = "unknown error";
};
/// The report of `error` (non-null).
ErrorReport reportOf(const std::exception_ptr& error);

/// Collective, for code where each rank checks its own data before the ranks sum anything: when
/// some rank's `local` holds an error, every rank throws the same DistributedError naming the
/// first failing rank (its code and message); otherwise returns. One process: rethrows `local`.
void agreeOnErrors(Communicator& comm, const std::exception_ptr& local);

/// True when thunderdome was built with MPI (TD_WITH_MPI).
bool builtWithMpi();
/// Initialises MPI when built with it and the process was started by an MPI launcher (mpirun,
/// mpiexec, srun with PMI/PMIx); otherwise does nothing. Returns whether MPI is initialised.
/// Called by the CLI's main only.
bool initWorld(int* argc, char*** argv);
/// Finalises MPI if initWorld initialised it.
void finalizeWorld();
/// MPI's world when initialised with more than one rank, else a LocalCommunicator.
std::shared_ptr<Communicator> makeWorldCommunicator();

/// Byte packing for collectives (host byte order: ranks of one job share an architecture).
class ByteWriter {
 public:
  template <class T>
  ByteWriter& put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));  // resize + memcpy: GCC 12 misreads insert() here
    std::memcpy(bytes_.data() + at, &v, sizeof(T));
    return *this;
  }
  ByteWriter& putString(std::string_view s);
  [[nodiscard]] const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    T v{};
    need(sizeof(T));
    std::copy_n(bytes_.data() + pos_, sizeof(T), reinterpret_cast<std::byte*>(&v));
    pos_ += sizeof(T);
    return v;
  }
  std::string getString();

 private:
  void need(std::size_t n) const;
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
};

/// 64-bit FNV-1a, chainable through `h`.
std::uint64_t fnv1a(std::string_view data, std::uint64_t h = 14695981039346656037ULL);

}  // namespace td::dist

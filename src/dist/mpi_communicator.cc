// src/dist/mpi_communicator.cc — the MPI world (the only file that includes <mpi.h>).
// Thread level SERIALIZED: collectives run on the calling (main) thread; during a work queue's
// life rank 0's dealer or server thread is the only caller there, and the other ranks' workers take
// turns under a mutex.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <thread>

#include "thunderdome/dist/communicator.h"

namespace td::dist {

namespace {

constexpr int kTagRequest = 101;
constexpr int kTagReply = 102;
constexpr std::int64_t kMsgNext = 0;
constexpr std::int64_t kMsgCancel = 1;
constexpr std::int64_t kMsgDone = 2;
constexpr int kMsgLength = 4;  // a request: what, the finished item, its seconds, its setup's (us)

bool gInitialisedHere = false;

// How long rank 0's dealer sleeps between polls: from kPollMin after a request, doubling while
// none comes, up to kPollMax. Requests come once per work item (seconds apart in a tuning job),
// so a few ms of latency cost nothing; polling every 200 us throughout woke the thread 5,000
// times a second on the core of rank 0's worker (mpirun binds a rank to its cores) and slowed
// that worker's fits by up to 1.5x (the spam CV job at 10x rows on 2 ranks x 1 thread).
constexpr std::chrono::microseconds kPollMin{200};
constexpr std::chrono::microseconds kPollMax{5000};

// Rank 0 deals items to its own workers directly and to the other ranks' workers through a
// dealer thread answering point-to-point requests; it stops once every other rank said done.
class MpiWorkQueue final : public WorkQueue {
 public:
  MpiWorkQueue(MPI_Comm world, std::int64_t items, std::vector<std::int64_t> groups = {})
      : dealer_(items, std::move(groups)) {
    MPI_Comm_dup(world, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    if (rank_ == 0 && size_ > 1) server_ = std::thread([this] { serve(); });
  }
  ~MpiWorkQueue() override {
    if (server_.joinable()) server_.join();
    MPI_Comm_free(&comm_);
  }

  using WorkQueue::next;
  std::int64_t next(const ItemDone& done) override {
    std::lock_guard lock(mu_);
    if (rank_ == 0) return dealer_.next(0, seconds(), done);
    if (cancelledHere_) return -1;
    // The request carries the finished item and its times (in microseconds).
    std::int64_t msg[kMsgLength] = {kMsgNext, done.item, std::llround(done.seconds * 1e6),
                                    std::llround(done.setupSeconds * 1e6)};
    std::int64_t reply = -1;
    MPI_Send(msg, kMsgLength, MPI_INT64_T, 0, kTagRequest, comm_);
    MPI_Recv(&reply, 1, MPI_INT64_T, 0, kTagReply, comm_, MPI_STATUS_IGNORE);
    return reply;
  }

  void cancel() override {
    std::lock_guard lock(mu_);
    if (rank_ == 0) {
      dealer_.cancel();
      return;
    }
    if (cancelledHere_) return;
    cancelledHere_ = true;
    std::int64_t msg[kMsgLength] = {kMsgCancel, -1, 0, 0};
    MPI_Send(msg, kMsgLength, MPI_INT64_T, 0, kTagRequest, comm_);
  }

  void finish() override {
    if (rank_ == 0) {
      if (server_.joinable()) server_.join();
      return;
    }
    std::lock_guard lock(mu_);
    std::int64_t msg[kMsgLength] = {kMsgDone, -1, 0, 0};
    MPI_Send(msg, kMsgLength, MPI_INT64_T, 0, kTagRequest, comm_);
  }

 private:
  void serve() {
    int done = 0;
    auto pause = kPollMin;
    while (done < size_ - 1) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, comm_, &flag, &st);
      if (!flag) {  // poll gently: rank 0's workers need the cores
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, kPollMax);
        continue;
      }
      pause = kPollMin;
      std::int64_t msg[kMsgLength] = {};
      MPI_Recv(msg, kMsgLength, MPI_INT64_T, st.MPI_SOURCE, kTagRequest, comm_, MPI_STATUS_IGNORE);
      if (msg[0] == kMsgNext) {
        const ItemDone done{msg[1], static_cast<double>(msg[2]) * 1e-6,
                            static_cast<double>(msg[3]) * 1e-6};
        std::int64_t item = -1;
        {
          std::lock_guard lock(mu_);
          item = dealer_.next(st.MPI_SOURCE, seconds(), done);
        }
        MPI_Send(&item, 1, MPI_INT64_T, st.MPI_SOURCE, kTagReply, comm_);
      } else if (msg[0] == kMsgCancel) {
        std::lock_guard lock(mu_);
        dealer_.cancel();
      } else {
        ++done;
      }
    }
  }

  // Seconds since the queue was made: the dealer's clock (rank 0's).
  [[nodiscard]] double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mu_;
  WorkDealer dealer_;
  bool cancelledHere_ = false;
  std::thread server_;
};

constexpr int kTagCall = 103;
constexpr int kTagAnswer = 104;
constexpr int kTagDone = 105;

// Rank 0 answers calls on a thread of its own (the only caller of MPI on rank 0 while the
// service lives); the other ranks' threads call in turn under a mutex.
class MpiService final : public Service {
 public:
  MpiService(MPI_Comm world, std::size_t replyBytes, ServiceHandler handler)
      : replyBytes_(replyBytes), handler_(std::move(handler)) {
    MPI_Comm_dup(world, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    if (rank_ == 0 && size_ > 1) server_ = std::thread([this] { serve(); });
  }
  ~MpiService() override {
    if (server_.joinable()) server_.join();
    MPI_Comm_free(&comm_);
  }

  void call(std::span<const std::byte> request, std::span<std::byte> reply) override {
    if (reply.size() != replyBytes_)
      throw InternalError("Service::call: the reply buffer's size is not the service's");
    std::lock_guard lock(mu_);
    MPI_Send(request.data(), static_cast<int>(request.size()), MPI_BYTE, 0, kTagCall, comm_);
    MPI_Recv(reply.data(), static_cast<int>(reply.size()), MPI_BYTE, 0, kTagAnswer, comm_,
             MPI_STATUS_IGNORE);
  }

  void finish() override {
    if (rank_ == 0) {
      if (server_.joinable()) server_.join();
      return;
    }
    std::lock_guard lock(mu_);
    MPI_Send(nullptr, 0, MPI_BYTE, 0, kTagDone, comm_);
  }

 private:
  void serve() {
    int done = 0, idle = 0;
    std::vector<std::byte> request, reply;
    while (done < size_ - 1) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, &st);
      if (!flag) {  // spin briefly after a call (the next one is usually close), then back off
        if (++idle < 2000) std::this_thread::yield();
        else std::this_thread::sleep_for(std::chrono::microseconds(100));
        continue;
      }
      idle = 0;
      int count = 0;
      MPI_Get_count(&st, MPI_BYTE, &count);
      request.resize(static_cast<std::size_t>(count));
      MPI_Recv(request.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, comm_,
               MPI_STATUS_IGNORE);
      if (st.MPI_TAG == kTagDone) {
        ++done;
        continue;
      }
      reply.assign(replyBytes_, std::byte{0});
      handler_(st.MPI_SOURCE, request, reply);
      MPI_Send(reply.data(), static_cast<int>(reply.size()), MPI_BYTE, st.MPI_SOURCE,
               kTagAnswer, comm_);
    }
  }
  std::size_t replyBytes_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  ServiceHandler handler_;
  std::mutex mu_;
  std::thread server_;
};

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&comm_);
  }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }

  // Reduce to rank 0, then broadcast: MPI_Allreduce does not promise the same bits on every
  // rank, and data-parallel optimizers take the same decisions on every rank only if the sums
  // are identical.
  void allreduceSum(std::span<double> values) override {
    reduceThenBroadcast(values, MPI_SUM);
  }
  void allreduceMax(std::span<double> values) override { reduceThenBroadcast(values, MPI_MAX); }
  void reduceThenBroadcast(std::span<double> values, MPI_Op op) {
    const int n = static_cast<int>(values.size());
    if (rank() == 0)
      MPI_Reduce(MPI_IN_PLACE, values.data(), n, MPI_DOUBLE, op, 0, comm_);
    else
      MPI_Reduce(values.data(), nullptr, n, MPI_DOUBLE, op, 0, comm_);
    MPI_Bcast(values.data(), n, MPI_DOUBLE, 0, comm_);
  }

  void broadcast(std::vector<std::byte>& bytes, int root) override {
    auto n = static_cast<std::int64_t>(bytes.size());
    MPI_Bcast(&n, 1, MPI_INT64_T, root, comm_);
    bytes.resize(static_cast<std::size_t>(n));
    MPI_Bcast(bytes.data(), static_cast<int>(n), MPI_BYTE, root, comm_);
  }

  std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) override {
    return gatherImpl(mine, root);
  }
  std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) override {
    return gatherImpl(mine, -1);
  }

  void allgatherEqual(std::span<const std::byte> mine, std::span<std::byte> all) override {
    if (all.size() != mine.size() * static_cast<std::size_t>(size_))
      throw InternalError("allgatherEqual: 'all' is not size() times 'mine'");
    if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw InternalError("allgatherEqual: more than 2^31 bytes per rank");
    const int n = static_cast<int>(mine.size());
    MPI_Allgather(mine.data(), n, MPI_BYTE, all.data(), n, MPI_BYTE, comm_);
  }

  void allgatherInPlace(std::span<std::byte> all) override {
    const auto R = static_cast<std::size_t>(size_);
    if (all.size() % R != 0) throw InternalError("allgatherInPlace: uneven blocks");
    if (all.size() / R > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw InternalError("allgatherInPlace: more than 2^31 bytes per block");
    MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all.data(), static_cast<int>(all.size() / R),
                  MPI_BYTE, comm_);
  }

  void alltoallEqual(std::span<const std::byte> mine, std::span<std::byte> theirs) override {
    const auto R = static_cast<std::size_t>(size_);
    if (mine.size() != theirs.size() || mine.size() % R != 0)
      throw InternalError("alltoallEqual: buffers of different or uneven sizes");
    if (mine.size() / R > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw InternalError("alltoallEqual: more than 2^31 bytes per block");
    const int n = static_cast<int>(mine.size() / R);
    MPI_Alltoall(mine.data(), n, MPI_BYTE, theirs.data(), n, MPI_BYTE, comm_);
  }

  void barrier() override { MPI_Barrier(comm_); }
  [[noreturn]] void abort(int code) override {
    std::cerr.flush();
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }
  std::unique_ptr<WorkQueue> workQueue(std::int64_t items) override {
    return std::make_unique<MpiWorkQueue>(comm_, items);
  }
  std::unique_ptr<WorkQueue> groupedWorkQueue(std::int64_t items,
                                              std::vector<std::int64_t> groups) override {
    return std::make_unique<MpiWorkQueue>(comm_, items, std::move(groups));
  }
  std::unique_ptr<Service> service(std::size_t replyBytes, ServiceHandler handler) override {
    return std::make_unique<MpiService>(comm_, replyBytes, std::move(handler));
  }

 private:
  // root < 0: allgather.
  std::vector<std::vector<std::byte>> gatherImpl(std::span<const std::byte> mine, int root) {
    const int n = static_cast<int>(mine.size());
    std::vector<int> counts(static_cast<std::size_t>(size_)), displs(counts.size());
    if (root < 0)
      MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_);
    else
      MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm_);
    int total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = total;
      total += counts[r];
    }
    std::vector<std::byte> all(static_cast<std::size_t>(total));
    if (root < 0)
      MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE,
                     comm_);
    else
      MPI_Gatherv(mine.data(), n, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE,
                  root, comm_);
    std::vector<std::vector<std::byte>> out;
    if (root >= 0 && rank_ != root) return out;
    for (std::size_t r = 0; r < counts.size(); ++r)
      out.emplace_back(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
    return out;
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
};

// Started by an MPI launcher? (Open MPI's mpirun, MPICH/Intel hydra, PMI/PMIx as srun sets.)
bool launchedByMpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK",
                        "MPI_LOCALNRANKS"})
    if (std::getenv(v)) return true;
  return false;
}

}  // namespace

bool builtWithMpi() { return true; }

bool initWorld(int* argc, char*** argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised) return true;
  if (!launchedByMpi()) return false;  // plain runs stay MPI-free and fast
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  gInitialisedHere = true;
  if (provided < MPI_THREAD_SERIALIZED) {
    std::cerr << "error: the MPI library does not support MPI_THREAD_SERIALIZED\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return true;
}

void finalizeWorld() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (gInitialisedHere && !finalized) MPI_Finalize();
}

std::shared_ptr<Communicator> makeWorldCommunicator() {
  int initialised = 0, finalized = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalized);
  if (initialised && !finalized) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size > 1) return std::make_shared<MpiCommunicator>();
  }
  return std::make_shared<LocalCommunicator>();
}

}  // namespace td::dist

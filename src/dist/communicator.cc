// src/dist/communicator.cc — LocalCommunicator, the work dealer and byte packing.
#include "thunderdome/dist/communicator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace td::dist {

WorkDealer::WorkDealer(std::int64_t items, std::vector<std::int64_t> groups)
    : owner_(static_cast<std::size_t>(items), -1), groups_(std::move(groups)) {
  if (!groups_.empty() && groups_.size() != owner_.size())
    throw InternalError(fmt::format("WorkDealer: {} groups for {} items", groups_.size(), items));
  if (groups_.empty()) return;
  dealtAt_.assign(owner_.size(), 0.0);
  finished_.assign(owner_.size(), 0);
  for (const std::int64_t g : groups_) {
    auto it = std::find(groupIds_.begin(), groupIds_.end(), g);
    groupIndex_.push_back(static_cast<std::size_t>(it - groupIds_.begin()));
    if (it == groupIds_.end()) groupIds_.push_back(g);
  }
  costSum_.assign(groupIds_.size(), 0.0);
  costCount_.assign(groupIds_.size(), 0);
}

namespace {
bool contains(const std::vector<std::int64_t>& v, std::int64_t g) {
  return std::find(v.begin(), v.end(), g) != v.end();
}
}  // namespace

std::int64_t WorkDealer::affinityPick(int rank, const std::vector<int>& owner,
                                      const std::vector<std::vector<std::int64_t>>& held,
                                      const std::vector<std::int64_t>& started) const {
  static const std::vector<std::int64_t> none;
  const auto& mine = static_cast<std::size_t>(rank) < held.size() ? held[static_cast<std::size_t>(rank)] : none;
  const auto items = static_cast<std::int64_t>(owner.size());
  std::int64_t fresh = -1, first = -1;
  for (std::int64_t i = 0; i < items; ++i) {
    if (owner[static_cast<std::size_t>(i)] >= 0) continue;
    const std::int64_t g = groups_[static_cast<std::size_t>(i)];
    if (first < 0) first = i;
    if (contains(mine, g)) return i;
    if (fresh < 0 && !contains(started, g)) fresh = i;
  }
  return fresh >= 0 ? fresh : first;
}

std::int64_t WorkDealer::costedPick(int rank, double now, std::int64_t rulePick) const {
  const std::size_t numGroups = groupIds_.size();
  double cheapest = std::numeric_limits<double>::infinity();
  for (std::size_t g = 0; g < numGroups; ++g)
    if (costCount_[g] > 0) cheapest = std::min(cheapest, costSum_[g] / costCount_[g]);
  if (rulePick < 0 || !std::isfinite(cheapest)) return rulePick;  // nothing measured yet

  // Estimated item cost per group: the measured mean; else the cheapest measured one (groups
  // come costliest first, so one not measured yet is assumed no costlier), raised to twice the
  // elapsed time of its longest-running item (seen at a random point of its run, an item is
  // half done on average).
  std::vector<double> cost(numGroups);
  for (std::size_t g = 0; g < numGroups; ++g)
    cost[g] = costCount_[g] > 0 ? costSum_[g] / costCount_[g] : cheapest;
  const std::size_t items = owner_.size();
  for (std::size_t i = 0; i < items; ++i)
    if (owner_[i] >= 0 && !finished_[i] && costCount_[groupIndex_[i]] == 0)
      cost[groupIndex_[i]] = std::max(cost[groupIndex_[i]], 2.0 * (now - dealtAt_[i]));
  const double setup = setupCount_ > 0 ? setupSum_ / setupCount_ : 0.0;

  // The choices: the first item left of each group.
  std::vector<std::int64_t> firstOf(numGroups, -1);
  std::size_t choices = 0;
  for (std::size_t i = 0; i < items; ++i)
    if (owner_[i] < 0 && firstOf[groupIndex_[i]] < 0) {
      firstOf[groupIndex_[i]] = static_cast<std::int64_t>(i);
      ++choices;
    }
  if (choices < 2) return rulePick;

  // The workers' slots: when each is free. The asking worker is free now; another worker's
  // item ends at its start plus its estimated cost (now if overdue); a rank's other idle
  // workers (as many as it ever held items at once) are free now.
  struct Slot {
    double free;
    int rank;
  };
  std::vector<Slot> slots0;
  const int ranks = static_cast<int>(rankGroups_.size());
  for (int r = 0; r < ranks; ++r) {
    int running = 0;
    for (std::size_t i = 0; i < items; ++i)
      if (owner_[i] == r && !finished_[i]) {
        ++running;
        slots0.push_back({std::max(now, dealtAt_[i] + cost[groupIndex_[i]]), r});
      }
    const int workers = std::max(1, busyMax_[static_cast<std::size_t>(r)]);
    for (int w = running + (r == rank ? 1 : 0); w < workers; ++w) slots0.push_back({now, r});
  }

  // Plays the rest out, first `pick` for the asking worker, then the rule for whichever
  // worker is free first; returns when the last item ends.
  auto play = [&](std::int64_t pick) {
    std::vector<int> owner = owner_;
    auto held = rankGroups_;
    auto started = started_;
    std::vector<Slot> slots = slots0;
    std::int64_t left = static_cast<std::int64_t>(items) - dealt_;
    auto deal = [&](Slot& slot, std::int64_t item) {
      const std::size_t gi = groupIndex_[static_cast<std::size_t>(item)];
      const std::int64_t g = groupIds_[gi];
      auto& mine = held[static_cast<std::size_t>(slot.rank)];
      slot.free += (contains(mine, g) ? 0.0 : setup) + cost[gi];
      if (!contains(mine, g)) mine.push_back(g);
      if (!contains(started, g)) started.push_back(g);
      owner[static_cast<std::size_t>(item)] = slot.rank;
      --left;
    };
    Slot asking{now, rank};
    deal(asking, pick);
    slots.push_back(asking);
    while (left > 0) {
      std::size_t s = 0;
      for (std::size_t k = 1; k < slots.size(); ++k)
        if (slots[k].free < slots[s].free) s = k;
      deal(slots[s], affinityPick(slots[s].rank, owner, held, started));
    }
    double end = now;
    for (const Slot& slot : slots) end = std::max(end, slot.free);
    return end;
  };
  const double ruleEnd = play(rulePick);
  std::int64_t best = rulePick;
  double bestEnd = ruleEnd;
  for (std::size_t g = 0; g < numGroups; ++g) {
    if (firstOf[g] < 0 || firstOf[g] == rulePick) continue;
    const double end = play(firstOf[g]);
    if (end < bestEnd) {
      bestEnd = end;
      best = firstOf[g];
    }
  }
  // Another choice only when it ends clearly sooner (1% of the time left): estimates are rough.
  return bestEnd < ruleEnd - 0.01 * (ruleEnd - now) ? best : rulePick;
}

std::int64_t WorkDealer::next(int rank, double now, const ItemDone& done) {
  const auto items = static_cast<std::int64_t>(owner_.size());
  if (groups_.empty()) {
    if (cancelled_ || next_ >= items) return -1;
    owner_[static_cast<std::size_t>(next_)] = rank;
    return next_++;
  }
  if (done.item >= 0 && done.item < items) {
    const auto i = static_cast<std::size_t>(done.item);
    if (owner_[i] >= 0 && !finished_[i]) {
      finished_[i] = 1;
      costSum_[groupIndex_[i]] += std::max(0.0, done.seconds - done.setupSeconds);
      ++costCount_[groupIndex_[i]];
      if (done.setupSeconds > 0.0) {
        setupSum_ += done.setupSeconds;
        ++setupCount_;
      }
    }
  }
  if (cancelled_ || dealt_ >= items) return -1;
  const auto r = static_cast<std::size_t>(rank);
  if (r >= rankGroups_.size()) {
    rankGroups_.resize(r + 1);
    busyMax_.resize(r + 1, 0);
  }
  const std::int64_t pick = costedPick(rank, now, affinityPick(rank, owner_, rankGroups_, started_));
  const std::int64_t g = groups_[static_cast<std::size_t>(pick)];
  auto& mine = rankGroups_[r];
  if (!contains(mine, g)) mine.push_back(g);
  if (!contains(started_, g)) started_.push_back(g);
  owner_[static_cast<std::size_t>(pick)] = rank;
  dealtAt_[static_cast<std::size_t>(pick)] = now;
  ++dealt_;
  int busy = 0;
  for (std::size_t i = 0; i < owner_.size(); ++i) busy += owner_[i] == rank && !finished_[i];
  busyMax_[r] = std::max(busyMax_[r], busy);
  return pick;
}

std::int64_t LocalWorkQueue::next(const ItemDone& /*done*/) {
  std::lock_guard lock(mu_);
  return dealer_.next(0);
}

void LocalWorkQueue::cancel() {
  std::lock_guard lock(mu_);
  dealer_.cancel();
}

std::vector<std::vector<std::byte>> LocalCommunicator::gather(std::span<const std::byte> mine,
                                                              int root) {
  if (root != 0) throw InternalError("LocalCommunicator::gather: root must be 0");
  return {std::vector<std::byte>(mine.begin(), mine.end())};
}

std::vector<std::vector<std::byte>> LocalCommunicator::allgather(std::span<const std::byte> mine) {
  return {std::vector<std::byte>(mine.begin(), mine.end())};
}

void LocalCommunicator::abort(int code) { std::_Exit(code); }

namespace {
// One rank: nobody calls.
class NoCallService final : public Service {
 public:
  void call(std::span<const std::byte>, std::span<std::byte>) override {
    throw InternalError("Service::call on rank 0 of 1: rank 0 serves, it does not call");
  }
  void finish() override {}
};
}  // namespace

void Communicator::allgatherEqual(std::span<const std::byte> mine, std::span<std::byte> all) {
  if (all.size() != mine.size() * static_cast<std::size_t>(size()))
    throw InternalError("Communicator::allgatherEqual: 'all' is not size() times 'mine'");
  const auto parts = allgather(mine);
  for (std::size_t r = 0; r < parts.size(); ++r) {
    if (parts[r].size() != mine.size())
      throw InternalError("Communicator::allgatherEqual: ranks sent different sizes");
    std::copy(parts[r].begin(), parts[r].end(),
              all.begin() + static_cast<std::ptrdiff_t>(r * mine.size()));
  }
}

void Communicator::allgatherInPlace(std::span<std::byte> all) {
  const auto R = static_cast<std::size_t>(size());
  if (all.size() % R != 0) throw InternalError("Communicator::allgatherInPlace: uneven blocks");
  const std::size_t block = all.size() / R, me = static_cast<std::size_t>(rank());
  const std::vector<std::byte> mine(all.begin() + static_cast<std::ptrdiff_t>(me * block),
                                    all.begin() + static_cast<std::ptrdiff_t>((me + 1) * block));
  allgatherEqual(mine, all);
}

void Communicator::alltoallEqual(std::span<const std::byte> mine, std::span<std::byte> theirs) {
  const auto R = static_cast<std::size_t>(size());
  if (mine.size() != theirs.size() || mine.size() % R != 0)
    throw InternalError("Communicator::alltoallEqual: buffers of different or uneven sizes");
  // Through allgather: every rank's whole buffer, of which this rank keeps its block.
  const std::size_t block = mine.size() / R, me = static_cast<std::size_t>(rank());
  const auto parts = allgather(mine);
  for (std::size_t r = 0; r < R; ++r)
    std::copy_n(parts[r].begin() + static_cast<std::ptrdiff_t>(me * block), block,
                theirs.begin() + static_cast<std::ptrdiff_t>(r * block));
}

std::unique_ptr<Service> Communicator::service(std::size_t /*replyBytes*/,
                                                ServiceHandler /*handler*/) {
  if (size() == 1) return std::make_unique<NoCallService>();
  throw ParamError(fmt::format(
      "this communicator ({} ranks) has collectives only, no messages to a service on rank 0",
      size()));
}

ByteWriter& ByteWriter::putString(std::string_view s) {
  put<std::uint64_t>(s.size());
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  bytes_.insert(bytes_.end(), p, p + s.size());
  return *this;
}

std::string ByteReader::getString() {
  const auto n = get<std::uint64_t>();
  need(n);
  std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
  pos_ += n;
  return s;
}

void ByteReader::need(std::size_t n) const {
  if (pos_ + n > bytes_.size())
    throw InternalError("ByteReader: message truncated (ranks run different thunderdome builds?)");
}

std::uint64_t fnv1a(std::string_view data, std::uint64_t h) {
  for (const unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

ErrorReport reportOf(const std::exception_ptr& error) {
  ErrorReport r;
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    r.code = e.code();
    r.what = e.what();
  } catch (const std::exception& e) {
    r.what = e.what();
  } catch (...) {
  }
  return r;
}

void agreeOnErrors(Communicator& comm, const std::exception_ptr& local) {
  if (comm.size() < 2) {
    if (local) std::rethrow_exception(local);
    return;
  }
  ByteWriter w;
  w.put<std::uint8_t>(local ? 1 : 0);
  if (local) {
    const ErrorReport e = reportOf(local);
    w.put<std::int32_t>(static_cast<std::int32_t>(e.code)).putString(e.what);
  }
  const auto all = comm.allgather(w.bytes());
  for (std::size_t r = 0; r < all.size(); ++r) {
    ByteReader in(all[r]);
    if (!in.get<std::uint8_t>()) continue;
    const auto code = static_cast<ErrorCode>(in.get<std::int32_t>());
    throw DistributedError(code, fmt::format("rank {} of {}: {}", r, all.size(), in.getString()));
  }
}

}  // namespace td::dist

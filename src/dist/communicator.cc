// src/dist/communicator.cc — LocalCommunicator, the work dealer and byte packing.
#include "thunderdome/dist/communicator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace td::dist {

WorkDealer::WorkDealer(std::int64_t items, std::vector<std::int64_t> groups)
    : owner_(static_cast<std::size_t>(items), -1), groups_(std::move(groups)) {
  if (!groups_.empty() && groups_.size() != owner_.size())
    throw InternalError(fmt::format("WorkDealer: {} groups for {} items", groups_.size(), items));
}

std::int64_t WorkDealer::next(int rank) {
  const auto items = static_cast<std::int64_t>(owner_.size());
  if (groups_.empty()) {
    if (cancelled_ || next_ >= items) return -1;
    owner_[static_cast<std::size_t>(next_)] = rank;
    return next_++;
  }
  if (cancelled_ || dealt_ >= items) return -1;
  if (rank >= static_cast<int>(rankGroups_.size())) rankGroups_.resize(static_cast<std::size_t>(rank) + 1);
  auto& mine = rankGroups_[static_cast<std::size_t>(rank)];
  auto has = [](const std::vector<std::int64_t>& v, std::int64_t g) {
    return std::find(v.begin(), v.end(), g) != v.end();
  };
  std::int64_t pick = -1, fresh = -1, first = -1;
  for (std::int64_t i = 0; i < items && pick < 0; ++i) {
    if (owner_[static_cast<std::size_t>(i)] >= 0) continue;
    const std::int64_t g = groups_[static_cast<std::size_t>(i)];
    if (first < 0) first = i;
    if (has(mine, g)) pick = i;
    else if (fresh < 0 && !has(started_, g)) fresh = i;
  }
  if (pick < 0) pick = fresh >= 0 ? fresh : first;
  const std::int64_t g = groups_[static_cast<std::size_t>(pick)];
  if (!has(mine, g)) mine.push_back(g);
  if (!has(started_, g)) started_.push_back(g);
  owner_[static_cast<std::size_t>(pick)] = rank;
  ++dealt_;
  return pick;
}

std::int64_t LocalWorkQueue::next() {
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

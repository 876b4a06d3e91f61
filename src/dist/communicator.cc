// src/dist/communicator.cc — LocalCommunicator, the work dealer and byte packing.
#include "thunderdome/dist/communicator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace td::dist {

std::int64_t WorkDealer::next(int rank) {
  if (cancelled_ || next_ >= static_cast<std::int64_t>(owner_.size())) return -1;
  owner_[static_cast<std::size_t>(next_)] = rank;
  return next_++;
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

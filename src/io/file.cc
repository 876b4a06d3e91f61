// src/io/file.cc
#include "thunderdome/io/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <filesystem>

#include "thunderdome/core/error.h"
#include "thunderdome/storage/swift.h"

namespace td {

namespace {

bool endsWithGz(std::string_view path) {
  if (path.size() < 3) return false;
  const std::string_view ext = path.substr(path.size() - 3);
  return ext[0] == '.' && (ext[1] == 'g' || ext[1] == 'G') && (ext[2] == 'z' || ext[2] == 'Z');
}

std::string readRaw(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw IoError(fmt::format("cannot open '{}' for reading: {}", path, std::strerror(errno)));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw IoError(fmt::format("cannot stat '{}': {}", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode))
    throw IoError(fmt::format("cannot read '{}': it is a directory", path));
  std::string buf;
  buf.resize(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)));
  std::size_t got = 0;
  for (;;) {
    if (got == buf.size()) buf.resize(std::max<std::size_t>(buf.size() * 2, 1 << 16));
    const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  return buf;
}

}  // namespace

// ---------------------------------------------------------------- gzip

bool hasGzipMagic(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

std::string gunzip(std::string_view data, std::string_view sourceName) {
  // zlib counts in uInt; larger inputs and outputs are fed in pieces.
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK)  // 16: expect a gzip header and trailer
    throw IoError(fmt::format("cannot read '{}': zlib initialisation failed", sourceName));
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&zs};

  std::string out;
  out.resize(std::max<std::size_t>(data.size() * 4, std::size_t{1} << 16));
  std::size_t inPos = 0;   // input handed to zlib so far
  std::size_t outPos = 0;  // output produced so far
  int member = 1;
  for (;;) {
    if (zs.avail_in == 0 && inPos < data.size()) {
      const std::size_t n = std::min(kPiece, data.size() - inPos);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + inPos));
      zs.avail_in = static_cast<uInt>(n);
      inPos += n;
    }
    if (outPos == out.size()) out.resize(out.size() * 2);
    const std::size_t room = std::min(kPiece, out.size() - outPos);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + outPos);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    outPos += room - zs.avail_out;
    if (rc == Z_STREAM_END) {
      const std::size_t consumed = inPos - zs.avail_in;
      if (consumed == data.size()) break;
      // Another member may follow (as `cat a.gz b.gz` makes); anything else is an error.
      if (!hasGzipMagic(data.substr(consumed)))
        throw IoError(fmt::format(
            "cannot read '{}': invalid gzip data: {} bytes of trailing garbage after member {}",
            sourceName, data.size() - consumed, member));
      ++member;
      if (inflateReset(&zs) != Z_OK)
        throw IoError(fmt::format("cannot read '{}': zlib reset failed", sourceName));
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR) {
      if (zs.avail_in == 0 && inPos == data.size())
        throw IoError(fmt::format(
            "cannot read '{}': truncated gzip data (the input ends inside member {})", sourceName,
            member));
      continue;  // the output was full; the loop grows it
    }
    throw IoError(fmt::format("cannot read '{}': corrupt gzip data in member {}: {}", sourceName,
                              member, zs.msg != nullptr ? zs.msg : zError(rc)));
  }
  out.resize(outPos);
  return out;
}

// ---------------------------------------------------------------- reading and paths

std::string readFileToString(const std::string& path) {
  std::string raw;
  if (storage::isSwiftUrl(path)) {
    const auto url = storage::parseSwiftUrl(path);
    if (url.isPrefix())
      throw IoError(fmt::format("cannot read '{}' as one file: it names a prefix", path));
    raw = storage::SwiftClient::fromEnvironment()->get(url.container, url.object);
  } else {
    raw = readRaw(path);
  }
  if (hasGzipMagic(raw)) return gunzip(raw, path);
  return raw;
}

bool isGzipPath(std::string_view path) { return endsWithGz(path); }

std::string stripGzExtension(std::string_view path) {
  return std::string(endsWithGz(path) ? path.substr(0, path.size() - 3) : path);
}

std::vector<std::string> listParts(const std::string& path) {
  // Spark skips hidden and bookkeeping files (_SUCCESS, .crc) in a directory of part files.
  auto visible = [](std::string_view name) {
    const auto slash = name.find_last_of('/');
    const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    return !base.empty() && base[0] != '_' && base[0] != '.';
  };
  std::vector<std::string> parts;
  if (storage::isSwiftUrl(path)) {
    const auto url = storage::parseSwiftUrl(path);
    if (!url.isPrefix()) return {path};
    for (const auto& o : storage::SwiftClient::fromEnvironment()->list(url.container, url.object))
      if (visible(o.name) && o.name.back() != '/')
        parts.push_back("swift://" + url.container + "/" + o.name);
    if (parts.empty())
      throw IoError(fmt::format("'{}': no objects under this prefix", path));
    return parts;
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return {path};
  for (const auto& e : std::filesystem::directory_iterator(path))
    if (e.is_regular_file() && visible(e.path().filename().string())) parts.push_back(e.path().string());
  std::sort(parts.begin(), parts.end());
  if (parts.empty()) throw IoError(fmt::format("'{}': the directory has no data files", path));
  return parts;
}

void writeStringToFile(const std::string& path, std::string_view data) {
  if (storage::isSwiftUrl(path)) {
    const auto url = storage::parseSwiftUrl(path);
    if (url.isPrefix() || url.object.empty())
      throw IoError(fmt::format("cannot write '{}': it names a prefix, not an object", path));
    storage::SwiftClient::fromEnvironment()->put(url.container, url.object, data);
    return;
  }
  AtomicFileWriter file(path);
  file.write(data);
  file.commit();
}

// ---------------------------------------------------------------- AtomicFileWriter

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  std::string tmpl = path_ + ".tmp-XXXXXX";
  fd_ = ::mkstemp(tmpl.data());
  if (fd_ < 0)
    throw IoError(fmt::format("cannot create a temporary file for '{}': {}", path_,
                              std::strerror(errno)));
  tmpPath_ = std::move(tmpl);
  (void)::fchmod(fd_, 0644);  // mkstemp creates 0600; written files are normally world-readable
}

AtomicFileWriter::~AtomicFileWriter() {
  if (committed_) return;
  if (fd_ >= 0) ::close(fd_);
  ::unlink(tmpPath_.c_str());
}

void AtomicFileWriter::write(std::string_view data) {
  if (committed_) throw InternalError("AtomicFileWriter::write after commit");
  buffer_ += data;
  if (buffer_.size() >= (1u << 20)) flush();
}

void AtomicFileWriter::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("cannot write '{}': {}", path_, std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void AtomicFileWriter::commit() {
  if (committed_) return;
  flush();
  if (::fsync(fd_) != 0)
    throw IoError(fmt::format("cannot sync '{}': {}", path_, std::strerror(errno)));
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0)
    throw IoError(fmt::format("cannot close '{}': {}", path_, std::strerror(errno)));
  if (::rename(tmpPath_.c_str(), path_.c_str()) != 0)
    throw IoError(fmt::format("cannot rename '{}' to '{}': {}", tmpPath_, path_,
                              std::strerror(errno)));
  committed_ = true;
}

}  // namespace td

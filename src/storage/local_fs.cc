// src/storage/local_fs.cc — the local filesystem: whole and ranged reads, atomic writes (files
// through a temporary sibling, trees through a temporary sibling directory), listings.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <utility>

#include "thunderdome/core/error.h"
#include "thunderdome/storage/local.h"

namespace td::storage {

namespace fs = std::filesystem;

namespace {

// An open file descriptor, closed at the end of its scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

std::string randomSuffix() {
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

// pread of [begin, end) of `fd`, which is `path`.
std::string preadRange(int fd, const std::string& path, std::int64_t begin, std::int64_t end) {
  std::string out(static_cast<std::size_t>(end - begin), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + got, out.size() - got,
                              static_cast<off_t>(begin + static_cast<std::int64_t>(got)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw IoError(fmt::format("cannot read '{}' at byte {}: {}", path,
                                begin + static_cast<std::int64_t>(got), std::strerror(errno)));
    if (n == 0)
      throw IoError(fmt::format("cannot read '{}': it ended at byte {} (expected {} bytes; did it "
                                "change while being read?)",
                                path, begin + static_cast<std::int64_t>(got), end));
    got += static_cast<std::size_t>(n);
  }
  return out;
}

// A local file opened for pread.
class LocalRandomAccessFile final : public RandomAccessFile {
 public:
  explicit LocalRandomAccessFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError(fmt::format("cannot open '{}': {}", path_, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int err = errno;
      ::close(fd_);
      throw IoError(fmt::format("cannot stat '{}': {}", path_, std::strerror(err)));
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd_);
      throw IoError(fmt::format("cannot read '{}': it is a directory", path_));
    }
    size_ = st.st_size;
  }
  ~LocalRandomAccessFile() override { ::close(fd_); }
  LocalRandomAccessFile(const LocalRandomAccessFile&) = delete;
  LocalRandomAccessFile& operator=(const LocalRandomAccessFile&) = delete;

  [[nodiscard]] std::int64_t size() const override { return size_; }
  std::string read(std::int64_t begin, std::int64_t end) override {
    if (begin < 0 || end < begin || end > size_)
      throw InternalError(fmt::format("'{}': byte range [{}, {}) outside the file's {} bytes",
                                      path_, begin, end, size_));
    return preadRange(fd_, path_, begin, end);
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::int64_t size_ = 0;
};

// An OutputFile over AtomicFileWriter.
class LocalOutputFile final : public OutputFile {
 public:
  explicit LocalOutputFile(const std::string& path) : writer_(path) {}
  void write(std::string_view data) override { writer_.write(data); }
  void commit() override { writer_.commit(); }

 private:
  AtomicFileWriter writer_;
};

}  // namespace

// ---------------------------------------------------------------- LocalFileSystem

std::string LocalFileSystem::pathOf(const std::string& url) {
  // "file://" in any case (schemes are case-insensitive); a plain path stays as it is.
  if (url.size() >= 7 && url.compare(4, 3, "://") == 0 && Storage::schemeOf(url) == "file")
    return url.substr(7);
  return url;
}

std::string LocalFileSystem::read(const std::string& url) {
  const std::string path = pathOf(url);
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0)
    throw IoError(fmt::format("cannot open '{}' for reading: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0)
    throw IoError(fmt::format("cannot stat '{}': {}", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw IoError(fmt::format("cannot read '{}': it is a directory", path));
  std::string buf;
  buf.resize(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)));
  std::size_t got = 0;
  char probe[4096];  // the end of a file read to its stat size is probed here (no growth)
  for (;;) {
    const bool full = got == buf.size();
    char* dst = full ? probe : buf.data() + got;
    const std::size_t room = full ? sizeof probe : buf.size() - got;
    const ssize_t n = ::read(fd.fd, dst, room);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    }
    if (n == 0) break;
    if (full) {  // the file grew (or stat did not know its size): grow geometrically
      buf.resize(std::max<std::size_t>(buf.size() * 2, 1 << 16));
      std::memcpy(buf.data() + got, probe, static_cast<std::size_t>(n));
    }
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  return buf;
}

std::unique_ptr<RandomAccessFile> LocalFileSystem::openRandomAccess(const std::string& url) {
  return std::make_unique<LocalRandomAccessFile>(pathOf(url));
}

FileInfo LocalFileSystem::stat(const std::string& url) {
  const std::string path = pathOf(url);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw IoError(fmt::format("cannot stat '{}': {}", path, std::strerror(errno)));
  return FileInfo{url, fs::path(path).filename().string(), static_cast<std::int64_t>(st.st_size), {}};
}

bool LocalFileSystem::exists(const std::string& url) {
  std::error_code ec;
  return fs::exists(pathOf(url), ec);
}

bool LocalFileSystem::isDirectory(const std::string& url) {
  std::error_code ec;
  return fs::is_directory(pathOf(url), ec);
}

std::vector<FileInfo> LocalFileSystem::list(const std::string& url, bool recursive) {
  const std::string path = pathOf(url);
  std::vector<FileInfo> out;
  auto add = [&](const fs::directory_entry& e) {
    if (!e.is_regular_file()) return;
    const std::string name = recursive ? fs::relative(e.path(), path).generic_string()
                                       : e.path().filename().string();
    out.push_back(FileInfo{e.path().string(), name, static_cast<std::int64_t>(e.file_size()), {}});
  };
  try {
    if (recursive) {
      for (const auto& e : fs::recursive_directory_iterator(path)) add(e);
    } else {
      for (const auto& e : fs::directory_iterator(path)) add(e);
    }
  } catch (const fs::filesystem_error& e) {
    throw IoError(fmt::format("cannot list '{}': {}", path, e.code().message()));
  }
  std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.url < b.url; });
  return out;
}

void LocalFileSystem::write(const std::string& url, std::string_view data) {
  AtomicFileWriter file(pathOf(url));
  file.write(data);
  file.commit();
}

std::unique_ptr<OutputFile> LocalFileSystem::create(const std::string& url) {
  return std::make_unique<LocalOutputFile>(pathOf(url));
}

void LocalFileSystem::remove(const std::string& url) {
  const std::string path = pathOf(url);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw IoError(fmt::format("cannot remove '{}': {}", path, std::strerror(errno)));
}

bool LocalFileSystem::treeExists(const std::string& url, const std::string& /*marker*/) {
  return exists(url);
}

namespace {

// Writes `files` into a new temporary sibling of `target` (the marker last, so that even the
// temporary tree is never complete half-written) and returns its path.
fs::path writeTemporaryTree(const std::string& path, const FileMap& files,
                            const std::string& marker) {
  const fs::path target(path);
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(parent))
    throw IoError(fmt::format("cannot save to '{}': directory '{}' does not exist", path,
                              parent.string()));
  const fs::path tmp = parent / (target.filename().string() + ".tmp-" + randomSuffix());
  try {
    fs::create_directory(tmp);
    auto writeOne = [&](const std::string& rel, const std::string& bytes) {
      const fs::path p = tmp / rel;
      fs::create_directories(p.parent_path());
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.close();
      if (!out) throw IoError(fmt::format("cannot write '{}'", p.string()));
    };
    for (const auto& [rel, bytes] : files)
      if (rel != marker) writeOne(rel, bytes);
    if (auto m = files.find(marker); m != files.end()) writeOne(m->first, m->second);
  } catch (const fs::filesystem_error& e) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw IoError(fmt::format("cannot save to '{}': {}", path, e.code().message()));
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  return tmp;
}

// renameat2 (Linux 3.15+): RENAME_NOREPLACE / RENAME_EXCHANGE. Returns errno (0 on success).
int renameWith(const fs::path& from, const fs::path& to, unsigned flags) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags) == 0 ? 0 : errno;
}

bool unsupported(int err) { return err == EINVAL || err == ENOSYS || err == ENOTSUP; }

}  // namespace

void LocalFileSystem::writeTree(const std::string& url, const FileMap& files,
                                const std::string& marker) {
  const std::string path = pathOf(url);
  const fs::path target(path);
  const fs::path tmp = writeTemporaryTree(path, files, marker);
  std::error_code ec;
  int err = renameWith(tmp, target, RENAME_NOREPLACE);
  if (err == EEXIST) {
    // Swap old and new in one step; the old tree, now at tmp, is then removed.
    err = renameWith(tmp, target, RENAME_EXCHANGE);
    if (unsupported(err)) {  // a filesystem without exchange (NFS): two renames
      const fs::path old = target.parent_path() / (target.filename().string() + ".old-" +
                                                   randomSuffix());
      err = renameWith(target, old, 0);
      if (err == 0) {
        err = renameWith(tmp, target, 0);
        if (err != 0) (void)renameWith(old, target, 0);
        else fs::remove_all(old, ec);
      }
    }
  } else if (unsupported(err)) {
    err = renameWith(tmp, target, 0);
  }
  fs::remove_all(tmp, ec);  // the old tree after an exchange, or what failed to move
  if (err != 0)
    throw IoError(fmt::format("cannot save to '{}': {}", path, std::strerror(err)));
}

void LocalFileSystem::writeNewTree(const std::string& url, const FileMap& files,
                                   const std::string& marker) {
  const std::string path = pathOf(url);
  if (treeExists(url, marker))
    throw IoError(fmt::format("'{}' already exists (use --overwrite to replace it)", path));
  const fs::path tmp = writeTemporaryTree(path, files, marker);
  int err = renameWith(tmp, fs::path(path), RENAME_NOREPLACE);
  if (unsupported(err)) err = fs::exists(path) ? EEXIST : renameWith(tmp, fs::path(path), 0);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (err == EEXIST)
    throw IoError(fmt::format("'{}' was created by another run while this one was saving; it "
                              "was left as it is (use --overwrite to replace it)",
                              path));
  if (err != 0)
    throw IoError(fmt::format("cannot save to '{}': {}", path, std::strerror(err)));
}

FileMap LocalFileSystem::readTree(const std::string& url) {
  const fs::path root(pathOf(url));
  if (!fs::exists(root)) return {};
  if (!fs::is_directory(root))
    throw IoError(fmt::format("'{}' is not a directory (a tree of files was expected)", root.string()));
  FileMap files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw IoError(fmt::format("cannot read '{}'", entry.path().string()));
    files[fs::relative(entry.path(), root).generic_string()] = std::move(bytes);
  }
  return files;
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

}  // namespace td::storage

// include/thunderdome/storage/storage.h — one storage layer behind every reader, writer and the
// model store: a FileSystem interface, and a Storage that picks the FileSystem for a path or URL
// by its scheme (a plain path or file:// is local, swift:// is OpenStack Swift).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace td::storage {

/// What stat() and list() say about one file or object.
struct FileInfo {
  std::string url;      ///< The file's path or URL, as the readers accept it.
  std::string name;     ///< list(): the path relative to the listed directory or prefix.
  std::int64_t bytes = 0;
  std::string version;  ///< Pins ranged reads to this version (a Swift ETag); empty locally.
};

/// Files of a directory tree: path relative to the tree's root -> content.
using FileMap = std::map<std::string, std::string>;

/// One file or object opened for reads of byte ranges (shards, record boundaries).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  /// Its size in bytes (when it was opened).
  [[nodiscard]] virtual std::int64_t size() const = 0;
  /// Bytes [begin, end), 0 <= begin <= end <= size(); throws IoError naming the file, also when
  /// it changed or ended early.
  virtual std::string read(std::int64_t begin, std::int64_t end) = 0;
};

/// A file being written: appended to, then committed whole; destroyed without commit() it leaves
/// nothing behind (and an existing file at its path untouched).
class OutputFile {
 public:
  virtual ~OutputFile() = default;
  /// Appends `data`; throws IoError naming the file on a failed write.
  virtual void write(std::string_view data) = 0;
  /// Makes the content visible at the path, all at once; throws IoError naming the file.
  virtual void commit() = 0;
};

/// The operations the readers, writers and the model store need from one kind of storage. Every
/// function takes the full path or URL (scheme included) and throws IoError naming it on failure.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// True when reads go over a network: readers then parse the bytes as they arrive (stream())
  /// instead of reading the whole file first.
  [[nodiscard]] virtual bool remote() const = 0;

  /// The whole content, as stored (no decompression).
  virtual std::string read(const std::string& url) = 0;
  /// Passes the content to `sink` chunk by chunk, in order (a chunk is valid only during the
  /// call); by default one chunk, read().
  virtual void stream(const std::string& url, const std::function<void(std::string_view)>& sink);
  /// Opens the file for ranged reads.
  virtual std::unique_ptr<RandomAccessFile> openRandomAccess(const std::string& url) = 0;
  /// Bytes [begin, end) of the file (clamped to its size).
  std::string readRange(const std::string& url, std::int64_t begin, std::int64_t end);
  /// Size (and version) of one file; throws IoError when it does not exist.
  virtual FileInfo stat(const std::string& url) = 0;
  /// Whether a file, directory or object exists at `url`.
  virtual bool exists(const std::string& url) = 0;
  /// Whether `url` names a directory (local) or a prefix of objects (ending in '/', or only a
  /// container), not one file.
  virtual bool isDirectory(const std::string& url) = 0;
  /// The files under the directory or prefix `url`, in name order: the regular files directly
  /// in a local directory (every one below it when `recursive`); in an object store, which has no
  /// directories, every object whose name starts with the prefix (`url` with a '/' appended)
  /// either way. Throws IoError when `url` cannot be listed.
  virtual std::vector<FileInfo> list(const std::string& url, bool recursive) = 0;
  /// Writes `data` as the whole file, atomically: a reader sees the old content or the new, never
  /// a part (local: a temporary sibling renamed into place; Swift: one ETag-checked upload).
  virtual void write(const std::string& url, std::string_view data) = 0;
  /// Opens `url` for writing with the same atomicity as write(), for content produced in pieces.
  virtual std::unique_ptr<OutputFile> create(const std::string& url) = 0;
  /// Removes the file or object; a missing one is not an error.
  virtual void remove(const std::string& url) = 0;

  /// Whether a tree written by writeTree exists at `url`: a local directory (complete or not;
  /// writeTree makes them appear whole), or in an object store the tree's `marker` file.
  virtual bool treeExists(const std::string& url, const std::string& marker) = 0;
  /// Writes `files` as the directory tree `url`, replacing whatever tree was there, so that
  /// a tree is never seen half-written: locally a temporary sibling directory renamed into
  /// place; in an object store the old `marker` is removed first, `marker` is uploaded last and
  /// objects of the old tree that `files` lacks are removed at the end.
  virtual void writeTree(const std::string& url, const FileMap& files, const std::string& marker) = 0;
  /// As writeTree, but only where no tree exists yet: a tree that appears at `url` while this
  /// one is being written (another run saving to the same place) is kept and IoError thrown.
  /// Default: treeExists then writeTree (not atomic; the local and Swift file systems are).
  virtual void writeNewTree(const std::string& url, const FileMap& files,
                            const std::string& marker);
  /// Every file of the tree at `url` (paths relative to it); empty when there is no tree there.
  virtual FileMap readTree(const std::string& url) = 0;
};

/// Chooses the FileSystem for a path or URL by its scheme: a plain path and file:// are the
/// local filesystem, swift:// is OpenStack Swift (its client made from the environment's
/// credentials on first swift:// use, so a local-only run never needs any); more schemes can be
/// registered. Thread-safe; one Storage shares one client per scheme between all its users.
class Storage {
 public:
  /// Makes the FileSystem of a scheme when it is first needed.
  using Factory = std::function<std::shared_ptr<FileSystem>()>;

  /// The default schemes: "file" (plain paths too) and "swift" (from the environment).
  Storage();
  /// Tag for a Storage with no scheme at all.
  struct Empty {};
  /// No scheme at all; add() them.
  explicit Storage(Empty);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  /// Registers (or replaces) `scheme` (lower case, without "://"), made by `factory` on first use.
  void add(const std::string& scheme, Factory factory);
  /// Registers (or replaces) `scheme` with a FileSystem already made.
  void add(const std::string& scheme, std::shared_ptr<FileSystem> fileSystem);

  /// The FileSystem for `url` (created on first use); throws ParamError naming the URL, its
  /// scheme and the known schemes when the scheme is not registered.
  [[nodiscard]] std::shared_ptr<FileSystem> fileSystem(std::string_view url) const;
  /// The registered schemes, in name order.
  [[nodiscard]] std::vector<std::string> schemes() const;

  /// The scheme of `url` in lower case ("swift" for swift://c/o); "file" for a plain path.
  static std::string schemeOf(std::string_view url);

 private:
  struct Entry {
    Factory factory;
    std::shared_ptr<FileSystem> made;
  };
  mutable std::mutex mu_;
  mutable std::map<std::string, Entry> schemes_;
};

}  // namespace td::storage

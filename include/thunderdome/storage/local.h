// include/thunderdome/storage/local.h — the local filesystem behind plain paths and file:// URLs.
#pragma once

#include <string>
#include <string_view>

#include "thunderdome/storage/storage.h"

namespace td::storage {

/// A file written through a temporary sibling (`path` + ".tmp-XXXXXX") that commit() renames
/// into place; destroyed without commit() it removes the temporary, so no partial file remains.
class AtomicFileWriter {
 public:
  /// Creates the temporary file next to `path`; throws IoError naming the path on failure.
  explicit AtomicFileWriter(std::string path);
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  /// Appends `data` (buffered); throws IoError on a failed write.
  void write(std::string_view data);
  /// Flushes, syncs and renames the temporary onto the final path; throws IoError on failure.
  void commit();
  /// The final path.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  void flush();
  std::string path_;
  std::string tmpPath_;
  std::string buffer_;
  int fd_ = -1;
  bool committed_ = false;
};

/// The local filesystem: plain paths and file:// URLs (file:///abs/path, file://rel/path). Files
/// are read with read(2)/pread(2), written through AtomicFileWriter, trees through a temporary
/// sibling directory renamed into place.
class LocalFileSystem final : public FileSystem {
 public:
  [[nodiscard]] bool remote() const override { return false; }
  std::string read(const std::string& url) override;
  std::unique_ptr<RandomAccessFile> openRandomAccess(const std::string& url) override;
  FileInfo stat(const std::string& url) override;
  bool exists(const std::string& url) override;
  bool isDirectory(const std::string& url) override;
  std::vector<FileInfo> list(const std::string& url, bool recursive) override;
  void write(const std::string& url, std::string_view data) override;
  std::unique_ptr<OutputFile> create(const std::string& url) override;
  void remove(const std::string& url) override;
  bool treeExists(const std::string& url, const std::string& marker) override;
  /// Renamed into place with one atomic exchange: the path holds the old tree or the new one at
  /// every instant, even if the process is killed.
  void writeTree(const std::string& url, const FileMap& files, const std::string& marker) override;
  /// Renamed into place only if nothing is there (RENAME_NOREPLACE): of two runs saving to one
  /// path, one wins and the other fails, never a mix.
  void writeNewTree(const std::string& url, const FileMap& files,
                    const std::string& marker) override;
  FileMap readTree(const std::string& url) override;

  /// The filesystem path of a plain path or file:// URL ("file:///tmp/a" -> "/tmp/a").
  static std::string pathOf(const std::string& url);
};

}  // namespace td::storage

// include/thunderdome/io/file.h
#pragma once

#include <string>
#include <vector>
#include <string_view>

namespace td {

/// The whole content of the file at `path`, read at once. Gzip content (recognised by its magic
/// bytes 1f 8b, whatever the file is called) is decompressed transparently, concatenated members
/// included. Throws IoError naming the path and the reason when the file cannot be opened or
/// read, or when its gzip content is corrupt or truncated.
std::string readFileToString(const std::string& path);

/// Writes `data` to `path` atomically (see AtomicFileWriter); throws IoError naming the path.
void writeStringToFile(const std::string& path, std::string_view data);

/// The data files `path` stands for, in name order: a local directory's visible regular files
/// (names starting with '_' or '.' are skipped, as Spark does), every object under a
/// `swift://container/prefix/`, or just `path` itself. Throws IoError when a directory or
/// prefix holds no data files.
std::vector<std::string> listParts(const std::string& path);

/// True when `path` ends in ".gz" (any case).
bool isGzipPath(std::string_view path);

/// `path` without a trailing ".gz" (any case); unchanged when it has none.
std::string stripGzExtension(std::string_view path);

/// True when `data` starts with the gzip magic bytes 1f 8b.
bool hasGzipMagic(std::string_view data);

/// Decompresses gzip `data` (one or more concatenated members); `sourceName` names the input in
/// the IoError thrown when the data is corrupt, truncated or followed by garbage.
std::string gunzip(std::string_view data, std::string_view sourceName = "<string>");

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

}  // namespace td

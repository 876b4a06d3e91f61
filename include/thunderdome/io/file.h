// include/thunderdome/io/file.h
#pragma once

#include <string>
#include <vector>
#include <string_view>

#include "thunderdome/storage/local.h"
#include "thunderdome/storage/storage.h"

namespace td {

/// The whole content of the file at `path`, read at once. Gzip content (recognised by its magic
/// bytes 1f 8b, whatever the file is called) is decompressed transparently, concatenated members
/// included. Throws IoError naming the path and the reason when the file cannot be opened or
/// read, and DataError when its gzip content is corrupt or truncated.
/// Reads through a Storage from the environment (storage::Storage()).
std::string readFileToString(const std::string& path);
/// As above, through `storage` (which picks the file system by the path's scheme).
std::string readFileToString(const std::string& path, const storage::Storage& storage);

/// Writes `data` to `path` atomically (a local file through a temporary sibling and a rename,
/// a Swift object by one checked upload); throws IoError naming the path.
void writeStringToFile(const std::string& path, std::string_view data);
/// As above, through `storage`.
void writeStringToFile(const std::string& path, std::string_view data,
                       const storage::Storage& storage);

/// The data files `path` stands for, in name order: a local directory's visible regular files
/// (names starting with '_' or '.' are skipped, as Spark does), every object under a
/// `swift://container/prefix/`, or just `path` itself. Throws IoError when a directory or
/// prefix holds no data files.
std::vector<std::string> listParts(const std::string& path);
/// As above, through `storage`.
std::vector<std::string> listParts(const std::string& path, const storage::Storage& storage);

/// True when `path` ends in ".gz" (any case).
bool isGzipPath(std::string_view path);

/// `path` without a trailing ".gz" (any case); unchanged when it has none.
std::string stripGzExtension(std::string_view path);

/// True when `data` starts with the gzip magic bytes 1f 8b.
bool hasGzipMagic(std::string_view data);

/// Decompresses gzip `data` (one or more concatenated members); `sourceName` names the input in
/// the DataError thrown when the data is corrupt, truncated or followed by garbage.
std::string gunzip(std::string_view data, std::string_view sourceName = "<string>");

/// A file written through a temporary sibling that commit() renames into place (moved to the
/// storage layer; the name stays for existing callers).
using AtomicFileWriter = storage::AtomicFileWriter;

}  // namespace td

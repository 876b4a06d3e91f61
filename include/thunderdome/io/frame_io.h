// include/thunderdome/io/frame_io.h
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "thunderdome/frame/frame.h"
#include "thunderdome/io/csv.h"
#include "thunderdome/io/jsonl.h"
#include "thunderdome/io/libsvm.h"

namespace td {

/// The file formats readFrame and writeFrame handle.
enum class FileFormat { kCsv, kTsv, kLibSvm, kJsonl };

/// The canonical name of a format: "csv", "tsv", "libsvm", "jsonl".
std::string_view toString(FileFormat format);

/// The format called `name` ("csv", "tsv", "libsvm", "svm", "jsonl", "json"; any case);
/// throws ParamError listing the valid names otherwise.
FileFormat formatFromName(std::string_view name);

/// The format of `path` by its extension, after removing a trailing ".gz" (.csv, .tsv, .libsvm,
/// .svm, .jsonl, .json; any case); throws ParamError naming the path, listing the supported
/// extensions and suggesting --format otherwise.
FileFormat formatForPath(const std::string& path);

/// Options of readFrame: the format (a name for formatFromName; nullopt = by extension) and
/// the options of each reader.
struct ReadOptions {
  /// Format name; nullopt chooses it from the path's extension.
  std::optional<std::string> format;
  /// CSV/TSV options; for TSV the separator is a tab unless it was changed from ','.
  CsvOptions csv;
  /// LibSVM options.
  LibSvmOptions libsvm;
  /// JSON Lines options.
  JsonlOptions jsonl;
  /// Optional progress hook: called with the number of data rows parsed so far after each chunk
  /// the reader has parsed (with a single local file: once), e.g. to time the first row.
  RowsCallback onRows;
};

/// Reads the file at `path` (gzip-compressed or not) in the format the options or its
/// extension name; throws ParamError for an unknown format and the reader's errors otherwise.
/// A local file is read whole; a swift://container/object is parsed as it downloads; a local
/// directory or a swift:// prefix of part files is read as one dataset, the parts streamed in
/// name order (a CSV part's header line is dropped after the first part's when `header` is
/// set), so parsing starts while later parts are still to be fetched.
Frame readFrame(const std::string& path, const ReadOptions& options = {});

/// Options of writeFrame.
struct WriteOptions {
  /// Format name; nullopt chooses it from the path's extension.
  std::optional<std::string> format;
  /// CSV/TSV options; for TSV the separator is a tab unless it was changed from ','.
  CsvOptions csv;
  /// LibSVM: the numeric label column.
  std::string labelCol = "label";
  /// LibSVM: the vector features column.
  std::string featuresCol = "features";
};

/// Writes `frame` to `path` atomically (nothing is left there on error) in the format the
/// options or its extension name; throws ParamError for an unknown format or a ".gz" path
/// (compressed output is not supported).
void writeFrame(const Frame& frame, const std::string& path, const WriteOptions& options = {});

}  // namespace td

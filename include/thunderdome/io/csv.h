// include/thunderdome/io/csv.h
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "thunderdome/frame/frame.h"

namespace td {

/// Options of the CSV/TSV reader and writer, named as Spark's DataFrameReader options.
/// Malformed input (wrong field count, unterminated quote, unparsable value) always throws.
struct CsvOptions {
  /// The first line holds the column names (without it, columns are named _c0, _c1, ...).
  bool header = true;
  /// Field separator; '\t' for TSV.
  char sep = ',';
  /// Quote character; nullopt disables quoting entirely (a bare '"' is ordinary text).
  std::optional<char> quote = '"';
  /// Escapes a quote inside a quoted field; equal to `quote` means RFC 4180 doubled quotes.
  char escape = '"';
  /// Infer bigint/double/string per column; when false every column is a string.
  bool inferSchema = true;
  /// Explicit column names and types (bigint, double, string, array<string>, vector); takes
  /// precedence over the header names and over inference.
  std::optional<Schema> schema;
  /// The text of a missing value: NaN in double columns, "" in string columns.
  std::string nullValue;

  /// Default options with `sep` chosen by the extension of `path` (".tsv" -> tab, else comma).
  static CsvOptions forPath(const std::string& path);
};

/// Reads a CSV/TSV file into a Frame; throws IoError if it cannot be read, DataError on
/// malformed rows or values (naming the file and the 1-based physical line).
Frame readCsv(const std::string& path, const CsvOptions& options = {});

/// Parses CSV/TSV text; `sourceName` stands for the file name in error messages.
Frame readCsvString(std::string_view text, const CsvOptions& options = {},
                    std::string_view sourceName = "<string>");

/// Writes `frame` as CSV/TSV atomically (temporary sibling file, then rename); on any error
/// nothing is left at `path` (an existing file there is untouched).
void writeCsv(const Frame& frame, const std::string& path, const CsvOptions& options = {});

/// Renders `frame` as CSV/TSV text: doubles in shortest round-trip form (Spark style: 1.0, NaN,
/// Infinity), string arrays as ["a","b"], vectors as VectorView::toString(); with quoting
/// disabled a value containing the separator or a newline throws DataError (0-based row).
std::string writeCsvString(const Frame& frame, const CsvOptions& options = {});

/// The whole content of the file at `path`, read at once; throws IoError naming the path and
/// the system's reason when it cannot be opened or read.
std::string readFileToString(const std::string& path);

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

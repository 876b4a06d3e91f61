// include/thunderdome/io/csv.h
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "thunderdome/frame/frame.h"
#include "thunderdome/io/file.h"
#include "thunderdome/io/read_mode.h"  // readFileToString, AtomicFileWriter (formerly declared here)
#include "thunderdome/io/stream.h"

namespace td {

/// Options of the CSV/TSV reader and writer, named as Spark's DataFrameReader options.
/// Malformed input (an unterminated quote, an unparsable value) always throws; `mode` decides
/// what happens to rows with the wrong number of fields or with invalid text.
struct CsvOptions {
  /// The first line holds the column names (without it, columns are named _c0, _c1, ...).
  bool header = true;
  /// Field separator; '\t' for TSV.
  char sep = ',';
  /// Quote character; nullopt disables quoting entirely (a bare '"' is ordinary text).
  std::optional<char> quote = '"';
  /// Escapes a quote inside a quoted field; equal to `quote` means RFC 4180 doubled quotes.
  char escape = '"';
  /// Infer bigint/double/string per column from its non-null values (Spark's inferSchema,
  /// on by default here, off in Spark); when false every column is a string.
  bool inferSchema = true;
  /// Explicit column names and types (bigint, double, string, array<string>, vector); takes
  /// precedence over the header names and over inference. A vector cell is JSON (dense [v,...]
  /// or sparse {"size":N,"indices":[...],"values":[...]}) or Spark's text form (N,[i,...],[v,...]).
  std::optional<Schema> schema;
  /// The text of a missing value (Spark's nullValue, default: an empty field): a null in any
  /// column (its placeholder is NaN in double columns, 0 in bigint, "" in string columns).
  std::string nullValue;
  /// The text of a not-a-number value in numeric columns (Spark's nanValue); "NaN", "nan",
  /// "Inf" and "Infinity" are always accepted too.
  std::string nanValue = "NaN";
  /// Malformed rows (the wrong number of fields, invalid UTF-8 or a NUL byte in a field): an
  /// error (FAILFAST, the default), repaired (PERMISSIVE) or dropped (DROPMALFORMED).
  ReadMode mode = ReadMode::kFailFast;
  /// The input's character encoding; ISO-8859-1 text is transcoded to UTF-8.
  TextEncoding encoding = TextEncoding::kUtf8;
  /// Optional: receives what PERMISSIVE repaired and DROPMALFORMED dropped (added to).
  ReadCounts* counts = nullptr;

  /// Default options with `sep` chosen by the extension of `path` (".tsv" -> tab, else comma).
  static CsvOptions forPath(const std::string& path);
};

/// Reads a CSV/TSV file (gzip-compressed or not) into a Frame; throws IoError if it cannot be
/// read, DataError on malformed rows or values (naming the file and the 1-based physical line).
/// A local file is read whole; a swift://container/object is parsed as it downloads
/// (readCsvStream over pathSource).
Frame readCsv(const std::string& path, const CsvOptions& options = {});
/// As above, reading through `storage`.
Frame readCsv(const std::string& path, const CsvOptions& options, const storage::Storage& storage);

/// Parses CSV/TSV text; `sourceName` stands for the file name in error messages.
Frame readCsvString(std::string_view text, const CsvOptions& options = {},
                    std::string_view sourceName = "<string>");

/// Parses the CSV/TSV text `source` delivers chunk by chunk: complete records are tokenized as
/// the chunks arrive (a record, a quoted field, a doubled quote, a CRLF or the BOM may span
/// chunks), types are inferred and values converted at the end. The Frame, and any error with
/// its line number, is exactly what readCsvString of the concatenated text gives. The bytes are
/// taken as they are (inflateStream decompresses gzip). `onRows` (optional) is called after each
/// chunk with the number of data rows tokenized so far.
Frame readCsvStream(const ChunkSource& source, const CsvOptions& options = {},
                    std::string_view sourceName = "<stream>", const RowsCallback& onRows = {});

/// Writes `frame` as CSV/TSV atomically (temporary sibling file, then rename); on any error
/// nothing is left at `path` (an existing file there is untouched).
void writeCsv(const Frame& frame, const std::string& path, const CsvOptions& options = {});
/// As above, writing through `storage` (a Swift object: one checked upload at the end).
void writeCsv(const Frame& frame, const std::string& path, const CsvOptions& options,
              const storage::Storage& storage);

/// Renders `frame` as CSV/TSV text: doubles in shortest round-trip form (Spark style: 1.0, NaN,
/// Infinity), string arrays as ["a","b"], vectors as the JSON that JSON Lines uses (dense
/// [0.5,1.0], sparse {"size":10,"indices":[1,7],"values":[1.0,2.0]}); with quoting disabled a
/// value containing the separator or a newline throws DataError (0-based row).
std::string writeCsvString(const Frame& frame, const CsvOptions& options = {});

}  // namespace td

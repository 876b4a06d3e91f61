// include/thunderdome/io/jsonl.h
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/frame/frame.h"
#include "thunderdome/io/read_mode.h"
#include "thunderdome/io/stream.h"
#include "thunderdome/storage/storage.h"

namespace td {

/// Options of the JSON Lines reader (one JSON object per line, like Spark's JSON source).
///
/// Inference (no schema): columns appear in the order their keys are first seen. A column of
/// integers is bigint, of numbers (integers mixed with fractions) double, of strings string, of
/// arrays of strings array<string>, of arrays of numbers or vector objects vector. The strings
/// "NaN", "Infinity" and "-Infinity" count as numbers in a column that has numbers (a column of
/// only such strings stays string). Missing keys and nulls: double -> NaN, integers -> the
/// column becomes double with NaN, string -> "", array<string> -> [], vector -> DataError; a
/// column with no value at all is string. Booleans and other nested objects are rejected.
struct JsonlOptions {
  /// Explicit column names and types; takes precedence over inference. Keys not in the schema
  /// are ignored; a missing key in a bigint or vector column is a DataError; numbers and
  /// booleans are accepted as their JSON text in string columns.
  std::optional<Schema> schema;
  /// Malformed lines (invalid UTF-8, a NUL in a string, invalid JSON): an error (FAILFAST, the
  /// default), repaired where possible (PERMISSIVE: bad bytes become U+FFFD; invalid JSON stays
  /// an error) or dropped (DROPMALFORMED).
  ReadMode mode = ReadMode::kFailFast;
  /// The input's character encoding; ISO-8859-1 text is transcoded to UTF-8.
  TextEncoding encoding = TextEncoding::kUtf8;
  /// Optional: receives what PERMISSIVE repaired and DROPMALFORMED dropped (added to).
  ReadCounts* counts = nullptr;
};

/// Reads a JSON Lines file (gzip-compressed or not); throws IoError if it cannot be read and
/// DataError naming the file, the 1-based line and the key on invalid JSON or values. A
/// swift://container/object is parsed as it downloads.
Frame readJsonl(const std::string& path, const JsonlOptions& options = {});
/// As above, reading through `storage`.
Frame readJsonl(const std::string& path, const JsonlOptions& options,
                const storage::Storage& storage);

/// Parses JSON Lines text; `sourceName` stands for the file name in error messages.
Frame readJsonlString(std::string_view text, const JsonlOptions& options = {},
                      std::string_view sourceName = "<string>");

/// Parses the JSON Lines text `source` delivers chunk by chunk, line by line as the chunks
/// arrive (a line may span chunks); the result and errors are those of readJsonlString on the
/// concatenated text. `onRows` (optional) is called after each chunk with the rows parsed so far.
Frame readJsonlStream(const ChunkSource& source, const JsonlOptions& options = {},
                      std::string_view sourceName = "<stream>", const RowsCallback& onRows = {});

/// Writes `frame` as JSON Lines atomically (temporary sibling file, then rename); on any error
/// nothing is left at `path` (an existing file there is untouched).
void writeJsonl(const Frame& frame, const std::string& path);
/// As above, writing through `storage` (a Swift object: one checked upload at the end).
void writeJsonl(const Frame& frame, const std::string& path, const storage::Storage& storage);

/// Renders `frame` as JSON Lines: one object per row, keys in column order; doubles in shortest
/// round-trip form with NaN/Inf as the strings "NaN", "Infinity", "-Infinity"; string arrays as
/// arrays; vectors as appendVectorJson writes them. A string that is not valid UTF-8 throws
/// DataError (0-based row).
std::string writeJsonlString(const Frame& frame);

/// Appends `v` as JSON: dense as [v,...], sparse as {"size":N,"indices":[...],"values":[...]},
/// with non-finite values as the strings "NaN", "Infinity", "-Infinity".
void appendVectorJson(std::string& out, const VectorView& v);

/// A vector read from JSON by parseVectorJson.
struct JsonVector {
  std::int64_t size = -1;             ///< Dimension when sparse; -1 when dense.
  std::vector<std::int32_t> indices;  ///< Sorted distinct indices (sparse only).
  std::vector<double> values;         ///< Stored values.
  /// The dimension: `size` when sparse, the number of values when dense.
  [[nodiscard]] std::int64_t dim() const {
    return size < 0 ? static_cast<std::int64_t>(values.size()) : size;
  }
};

/// Parses the JSON of one vector: a list of numbers (dense), {"size":N,"indices":[...],
/// "values":[...]} (sparse), or Spark's {"type":0|1,...} form; values may be numbers or the
/// strings "NaN"/"Infinity"/"-Infinity". Returns false, with the reason in `why`, when malformed.
bool parseVectorJson(std::string_view text, JsonVector& out, std::string* why = nullptr);

}  // namespace td

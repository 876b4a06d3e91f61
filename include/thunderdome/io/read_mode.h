// include/thunderdome/io/read_mode.h
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace td {

/// How a text reader treats a malformed record, as Spark's DataFrameReader option `mode`.
/// A record is malformed when its text is not valid in the input's encoding (invalid UTF-8, or
/// a NUL byte), when a CSV row has the wrong number of fields, or when a JSON Lines line is not
/// valid JSON. Values of the wrong type for their column are errors in every mode.
enum class ReadMode {
  /// The first malformed record is a DataError naming the file, the line, the field and the
  /// byte offset (thunderdome's default; Spark's default is PERMISSIVE).
  kFailFast,
  /// Records are repaired and kept: each invalid UTF-8 sequence and each NUL becomes U+FFFD;
  /// a CSV row with too few fields gets missing values, one with too many loses the extra ones.
  /// Malformed JSON is still an error (there is no `_corrupt_record` column).
  kPermissive,
  /// Malformed records are dropped.
  kDropMalformed,
};

/// Spark's name of a mode: "FAILFAST", "PERMISSIVE", "DROPMALFORMED".
std::string_view toString(ReadMode mode);

/// The mode called `name` (any case); throws ParamError listing the three names otherwise.
ReadMode readModeFromName(std::string_view name);

/// The character encoding of text input, as Spark's reader option `encoding` (alias `charset`).
enum class TextEncoding {
  kUtf8,    ///< UTF-8 (the default); a byte sequence that is not UTF-8 is malformed.
  kLatin1,  ///< ISO-8859-1: every byte is a character, transcoded to UTF-8 as it is read.
};

/// The canonical name of an encoding: "UTF-8" or "ISO-8859-1".
std::string_view toString(TextEncoding encoding);

/// The encoding called `name` ("UTF-8", "UTF8", "ISO-8859-1", "latin1"; any case); throws
/// ParamError listing the supported names otherwise.
TextEncoding encodingFromName(std::string_view name);

/// What a reader repaired (PERMISSIVE) or dropped (DROPMALFORMED); readers add to it.
struct ReadCounts {
  std::int64_t rowsDropped = 0;     ///< Malformed records dropped (DROPMALFORMED).
  std::int64_t rowsRepaired = 0;    ///< CSV rows padded or cut to the header's width (PERMISSIVE).
  std::int64_t valuesRepaired = 0;  ///< Fields or lines whose bad bytes became U+FFFD (PERMISSIVE).
  /// What FAILFAST would have reported for the first malformed record ("" when none).
  std::string firstProblem;

  /// True when nothing was repaired or dropped.
  [[nodiscard]] bool empty() const {
    return rowsDropped == 0 && rowsRepaired == 0 && valuesRepaired == 0;
  }
  /// Adds `other`'s counts; keeps this first problem when there is one.
  void add(const ReadCounts& other);
  /// One line for logs and warnings, e.g. "2 malformed rows dropped (mode DROPMALFORMED; the
  /// first: data.csv, line 14: ...)"; "" when empty().
  [[nodiscard]] std::string summary() const;
};

}  // namespace td

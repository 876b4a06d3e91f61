// src/io/io_internal.h — internal: helpers shared by the readers and writers in src/io.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/frame/frame.h"
#include "thunderdome/io/read_mode.h"
#include "thunderdome/io/stream.h"
#include "thunderdome/storage/storage.h"

namespace td::detail {

/// The parts of a dataset as one stream, in order: each part through pathSource (with `storage`),
/// a CSV part's header line dropped after the first part's when `dropHeaders`, a missing final
/// newline added between parts (the same text the parts' concatenation made before reads
/// streamed).
/// When `partStarts` is given, it receives for each part the number of lines ('\n') the stream
/// had delivered before that part (for partOrigins).
ChunkSource partsSource(const std::vector<std::string>& parts, bool dropHeaders,
                        const storage::Storage& storage,
                        std::shared_ptr<std::vector<std::int64_t>> partStarts = nullptr);

/// `frame` (read from the stream partsSource made, lines numbered over the whole stream) with
/// each row's origin moved to its part and its line in that part (row provenance).
Frame partOrigins(const Frame& frame, const std::vector<std::string>& parts, bool dropHeaders,
                  const std::vector<std::int64_t>& partStarts);

/// `storage`, or a new Storage from the environment when it is null.
inline std::shared_ptr<const storage::Storage> storageOr(
    const std::shared_ptr<const storage::Storage>& storage) {
  return storage ? storage : std::make_shared<const storage::Storage>();
}

/// The largest vector dimension the readers accept: int32 indices 0..2^31−1.
constexpr std::int64_t kMaxDim = std::int64_t{2147483647} + 1;

/// ASCII case-insensitive equality with `lower` (given in lower case).
bool iequals(std::string_view a, std::string_view lower);

/// A decimal double, or NaN / Inf / Infinity (any case, optional sign), as Spark accepts; the
/// whole of `s` must be the number. Out-of-range values become ±inf or 0 (strtod).
bool parseDouble(std::string_view s, double& out);

/// Appends `s` as a JSON string literal (quotes, backslash escapes, \u00XX for other control
/// characters); the bytes are not checked for UTF-8.
void appendJsonEscaped(std::string& out, std::string_view s);

/// The offset of the first byte of `s` that starts an invalid UTF-8 sequence (RFC 3629: no
/// overlong forms, no surrogates, nothing above U+10FFFF) or is NUL; npos when there is none.
std::size_t firstBadText(std::string_view s);

/// True when `s` is strict UTF-8 (as firstBadText, but NUL is allowed), as nlohmann's parser
/// requires.
bool validUtf8(std::string_view s);

/// "invalid UTF-8 (byte 0xFF)" or "a NUL byte": what is wrong at `s[offset]`.
std::string describeBadText(std::string_view s, std::size_t offset);

/// `s` with each NUL and each invalid UTF-8 sequence (its maximal valid prefix, as the Unicode
/// standard recommends and Java's decoder does) replaced by U+FFFD.
std::string repairText(std::string_view s);

/// Appends the ISO-8859-1 text `in` to `out` as UTF-8.
void appendLatin1AsUtf8(std::string_view in, std::string& out);

/// Writers build their text in a buffer and hand it to `sink` in pieces of about 1 MiB: call
/// after each row.
template <class Sink>
void flushFull(std::string& buffer, Sink& sink) {
  if (buffer.size() >= (1u << 20)) {
    sink(std::string_view(buffer));
    buffer.clear();
  }
}

}  // namespace td::detail

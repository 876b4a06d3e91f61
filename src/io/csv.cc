// src/io/csv.cc
#include "thunderdome/io/csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/io/file.h"
#include "thunderdome/io/jsonl.h"
#include "thunderdome/storage/storage.h"
#include "io_internal.h"

namespace td {

namespace {

using detail::iequals;
using detail::parseDouble;

constexpr std::int64_t kBlock = 1 << 14;  // rows per parallel conversion block
constexpr std::size_t kParallelBytes = 1 << 20;  // a buffer this large is tokenized in parallel

// The position of the first `c` in data[from, n), or n: eight bytes at a time (the first set
// bit of the zero-byte test is exact; later ones may be borrows). Never reads data[n] or past.
inline std::size_t nextByte(const char* data, std::size_t from, std::size_t n, char c) {
  const std::uint64_t pattern = 0x0101010101010101ULL * static_cast<unsigned char>(c);
  std::size_t q = from;
  for (; q + 8 <= n; q += 8) {
    std::uint64_t w;
    std::memcpy(&w, data + q, 8);
    const std::uint64_t x = w ^ pattern;
    const std::uint64_t hit = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
    if (hit != 0) return q + static_cast<std::size_t>(std::countr_zero(hit) >> 3);
  }
  for (; q < n; ++q)
    if (data[q] == c) return q;
  return n;
}

// A fast hash of a short string (8-byte words, murmur's finalizer): for the per-block tables
// of dictionary encoding, where std::hash's call per cell showed in profiles.
inline std::uint64_t quickHash(std::string_view s) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 32;
  }
  std::uint64_t w = 0;
  std::memcpy(&w, s.data() + i, s.size() - i);
  h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  return h;
}

// ---------------------------------------------------------------- number parsing

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// An optional sign and decimal digits, nothing else (as Java's Long.parseLong).
bool parseInt64(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') {
    ++b;
    if (b == e || !isDigit(*b)) return false;
  }
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e;
}


// Spark-style double text: 1.0, 0.1, 1e+20, NaN, Infinity, -Infinity.
std::string formatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

namespace {

// ---------------------------------------------------------------- tokenizing

// A quoted empty field ("") is a view of this, so that it reads as an empty string while an
// unquoted empty field is a null (Spark's emptyValue vs nullValue).
constexpr char kQuotedEmpty[1] = {0};

// One cell of a parsed file in 4 bytes. In a compact row (every field starting and ending
// within 64 KiB of the row's first byte, the usual case) it is the field's offset from that
// byte and its length, 16 bits each; in an external row (Table::rowExternal) it is an index
// into Table::external, which holds the row's fields as views.
struct Cell {
  Cell() {}  // NOLINT: left uninitialized, so that sizing the table does not touch its pages
  explicit Cell(std::uint32_t v) : bits(v) {}
  static Cell compact(std::size_t off, std::size_t len) {
    return Cell(static_cast<std::uint32_t>(off | (len << 16)));
  }
  std::uint32_t bits;
};
constexpr std::size_t kCompactLimit = 0xFFFF;  // largest offset or length of a compact cell

// The cells of a parsed file, row-major, as offsets into the tokenizer's buffers (quoted fields
// unescaped in place).
struct Table {
  std::vector<std::string> header;     // names from the header line (if any)
  std::int64_t headerLine = 0;         // physical line of the header
  std::vector<Cell> cells;             // rows * width
  std::vector<const char*> rowStart;   // each row's first byte
  std::vector<std::uint8_t> rowExternal;   // 1 for an external row (empty: no such row yet)
  std::vector<std::string_view> external;  // the fields of external rows (also a quoted "",
                                           // PERMISSIVE's repairs and padding)
  std::vector<std::int64_t> rowLine;   // 1-based physical line where each data row starts
  std::size_t width = 0;               // fields per row (0 until known)
  bool widthKnown = false;
  std::deque<std::string> repaired;    // PERMISSIVE: fields whose bad bytes became U+FFFD
  ReadCounts counts;                   // what the mode repaired or dropped
};

// The one CSV tokenizer, for whole buffers and streams alike. Text arrives in chunks (a whole
// file is one last chunk); complete records are split into fields as soon as they are there,
// the bytes of an unfinished record are carried into the next buffer. Every decision that
// depends on a byte not yet seen (the end of an unquoted field, a quote that may be doubled,
// a '\r' that may start a CRLF, the BOM) waits for it, so the result, errors and line numbers
// included, does not depend on how the text was cut. Buffers stay alive (cells point into
// them) until the tokenizer is destroyed.
class Tokenizer {
 public:
  Tokenizer(Table& t, const CsvOptions& opt, std::string_view source)
      : t_(t), opt_(opt), source_(source), needHeader_(opt.header) {
    if (opt.schema && opt.schema->size() > 0) {
      t_.width = opt.schema->size();
      t_.widthKnown = true;
    }
  }

  // The next chunk of the stream (copied).
  void feed(std::string_view chunk) {
    if (opt_.encoding == TextEncoding::kLatin1)
      detail::appendLatin1AsUtf8(chunk, pending_);
    else
      pending_.append(chunk);
    // An unfinished record is scanned again with the next chunk; waiting until the carried
    // bytes have doubled keeps that linear however small the chunks are.
    if (pending_.size() >= nextAttempt_) tokenize(false);
  }

  // Ends the stream; `last` (taken over without a copy when nothing is pending) is its final
  // chunk.
  void finish(std::string last = {}) {
    if (opt_.encoding == TextEncoding::kLatin1)
      detail::appendLatin1AsUtf8(last, pending_);
    else if (pending_.empty())
      pending_ = std::move(last);
    else
      pending_.append(last);
    tokenize(true);
  }

  [[nodiscard]] std::int64_t rows() const { return static_cast<std::int64_t>(t_.rowLine.size()); }

 private:
  static constexpr std::size_t kIncomplete = std::string::npos;

  // Splits the complete records of pending_ (all of it when `final`); what follows the last
  // complete record stays pending.
  void tokenize(bool final) {
    auto buf = std::make_unique<std::string>(std::move(pending_));
    pending_.clear();
    std::string& b = *buf;
    const std::size_t n = b.size();
    std::size_t pos = 0;
    if (!started_) {
      if (n < 3 && !final) {  // the BOM check needs three bytes
        pending_ = std::move(b);
        nextAttempt_ = 3;
        return;
      }
      started_ = true;
      if (n >= 3 && b.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
    }
    const std::size_t rowsBefore = t_.rowLine.size();
    // A whole file in one buffer, with no quote character and no CR in it, is split into rows
    // in parallel once the header (or first row) has fixed the width.
    // (tokenizeInParallel looks for quotes and CRs itself.)
    bool tryParallel = final && rowsBefore == 0 && n - pos >= kParallelBytes;
    // A whole file arriving as one buffer: reserve the cells for its lines at once (one count
    // of the line breaks; the parallel path sizes them itself) instead of growing, which
    // copies them and, at the last doubling, holds up to three times their size.
    std::size_t reserveRows = 0;
    if (final && rowsBefore == 0 && t_.cells.capacity() == 0 && !tryParallel) {
      reserveRows = static_cast<std::size_t>(
                        std::count(b.data() + pos, b.data() + n, '\n')) + 1;
      t_.rowLine.reserve(reserveRows);
      t_.rowStart.reserve(reserveRows);
    }
    while (pos < n) {
      if (tryParallel && !needHeader_ && t_.widthKnown) {
        tryParallel = false;
        if (tokenizeInParallel(b, pos)) {
          pos = n;
          break;
        }
      }
      // Blank lines are skipped (as Spark does).
      if (b[pos] == '\n') {
        ++pos;
        ++line_;
        continue;
      }
      if (b[pos] == '\r') {  // CRLF or a lone CR (old Mac line ending)
        if (pos + 1 == n && !final) break;  // a '\n' may follow in the next chunk
        pos += (pos + 1 < n && b[pos + 1] == '\n') ? 2 : 1;
        ++line_;
        continue;
      }
      const std::int64_t startLine = line_;
      const std::size_t rowBegin = pos;
      row_.clear();
      const std::size_t end = parseRow(b, pos, final);
      if (end == kIncomplete) {
        line_ = startLine;
        break;
      }
      // The fields as parsed are checked, not the record's bytes: parseRow unescapes quoted
      // fields in place, and the bytes it leaves behind can make a bad field's record look
      // clean ("x\"\xE2\xA7" becomes x"\xE2\xA7 followed by a stale \xA7: a valid sequence).
      const bool cleanRecord = std::all_of(row_.begin(), row_.end(), [](std::string_view f) {
        return detail::firstBadText(f) == std::string::npos;
      });
      pos = end;
      if (needHeader_) {
        needHeader_ = false;
        t_.headerLine = startLine;
        if (t_.widthKnown && row_.size() != t_.width) throwWidth(startLine, t_.width, row_.size());
        if (!cleanRecord && !checkText(startLine, /*header=*/true)) continue;
        t_.width = row_.size();
        t_.widthKnown = true;
        t_.header.assign(row_.begin(), row_.end());
        continue;
      }
      if (!t_.widthKnown) {
        t_.width = row_.size();
        t_.widthKnown = true;
      } else if (row_.size() != t_.width) {
        if (opt_.mode == ReadMode::kFailFast) throwWidth(startLine, t_.width, row_.size());
        noteProblem(widthMessage(startLine, t_.width, row_.size()));
        if (opt_.mode == ReadMode::kDropMalformed) {
          ++t_.counts.rowsDropped;
          continue;
        }
        // PERMISSIVE, as Spark: missing fields are missing values, extra ones are dropped.
        row_.resize(t_.width, std::string_view(opt_.nullValue));
        ++t_.counts.rowsRepaired;
      }
      if (!cleanRecord && !checkText(startLine, /*header=*/false)) continue;
      if (reserveRows != 0 && t_.cells.capacity() == 0) t_.cells.reserve(reserveRows * t_.width);
      const char* const first = b.data() + rowBegin;
      const char* const last = b.data() + end;
      bool compact = true;
      for (const std::string_view f : row_)
        compact = compact && f.data() >= first && f.data() + f.size() <= last &&
                  static_cast<std::size_t>(f.data() - first) <= kCompactLimit &&
                  f.size() <= kCompactLimit;
      if (compact) {
        for (const std::string_view f : row_)
          t_.cells.push_back(Cell::compact(static_cast<std::size_t>(f.data() - first), f.size()));
      } else {
        if (t_.external.size() + row_.size() > 0xFFFFFFFFULL)
          throw DataError(fmt::format("{}, line {}: too many long, repaired or quoted empty "
                                      "fields to index",
                                      source_, startLine));
        for (const std::string_view f : row_) {
          t_.cells.push_back(Cell(static_cast<std::uint32_t>(t_.external.size())));
          t_.external.push_back(f);
        }
        t_.rowExternal.resize(t_.rowLine.size(), 0);  // rows before this one are compact
      }
      if (!compact || !t_.rowExternal.empty()) t_.rowExternal.push_back(compact ? 0 : 1);
      t_.rowStart.push_back(first);
      t_.rowLine.push_back(startLine);
    }
    if (pos == n) {
      nextAttempt_ = 0;
    } else if (pos == 0) {  // no record completed: keep collecting
      pending_ = std::move(b);
      nextAttempt_ = 2 * pending_.size();
      return;
    } else {
      pending_.assign(b, pos, n - pos);
      nextAttempt_ = 2 * pending_.size();
    }
    if (t_.rowLine.size() > rowsBefore) buffers_.push_back(std::move(buf));
  }

  // Rows of b[pos, n) (no quotes, no CRs; the width known) split in parallel chunks of lines,
  // straight into the table: a first pass counts each chunk's rows, a second writes their
  // cells. False (the table as before) when a row is irregular (another field count, bad
  // UTF-8, a NUL, a row of 4 GiB): the sequential loop then reads it all, errors and repairs
  // included.
  bool tokenizeInParallel(const std::string& b, std::size_t pos) {
    const char* data = b.data();
    const std::size_t n = b.size();
    const std::size_t width = t_.width;
    const char sep = opt_.sep;
    const std::size_t chunks = std::clamp<std::size_t>((n - pos) >> 20, 1, 64);  // >= 1 MiB each
    std::vector<std::size_t> start(chunks + 1, n);
    start[0] = pos;
    for (std::size_t k = 1; k < chunks; ++k) {
      std::size_t at = std::max(start[k - 1], pos + (n - pos) / chunks * k);
      const void* nl = at < n ? std::memchr(data + at, '\n', n - at) : nullptr;
      start[k] = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1 : n;
    }
    struct Count {
      std::int64_t rows = 0;
      std::int64_t lines = 0;  // line breaks
    };
    std::vector<Count> count(chunks);
    const auto each = [&](auto&& fn) {
      parallel::forBlocks(static_cast<std::int64_t>(chunks), 1,
                          [&](std::int64_t k, std::int64_t, std::int64_t) { fn(static_cast<std::size_t>(k)); });
    };
    std::atomic<bool> irregular{false};
    each([&](std::size_t k) {
      // A quote or a CR anywhere: the sequential tokenizer's case.
      const std::size_t len = start[k + 1] - start[k];
      if ((opt_.quote && std::memchr(data + start[k], *opt_.quote, len) != nullptr) ||
          std::memchr(data + start[k], '\r', len) != nullptr) {
        irregular = true;
        return;
      }
      Count& c = count[k];
      for (std::size_t p = start[k]; p < start[k + 1];) {
        const void* nl = std::memchr(data + p, '\n', start[k + 1] - p);
        const std::size_t e = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : start[k + 1];
        if (e > p) ++c.rows;
        if (nl) ++c.lines;
        p = e + 1;
      }
    });
    if (irregular.load()) return false;
    const std::size_t base = t_.rowLine.size();
    std::vector<std::size_t> firstRow(chunks + 1, base);
    std::vector<std::int64_t> firstLine(chunks + 1, line_);
    for (std::size_t k = 0; k < chunks; ++k) {
      firstRow[k + 1] = firstRow[k] + static_cast<std::size_t>(count[k].rows);
      firstLine[k + 1] = firstLine[k] + count[k].lines;
    }
    const std::size_t rows = firstRow[chunks];
    t_.cells.resize(rows * width);
    t_.rowStart.resize(rows);
    t_.rowLine.resize(rows);
    if (!t_.rowExternal.empty()) t_.rowExternal.resize(rows, 0);  // these rows are compact
    each([&](std::size_t k) {
      std::size_t row = firstRow[k];
      std::int64_t line = firstLine[k];
      for (std::size_t p = start[k]; p < start[k + 1] && !irregular.load(std::memory_order_relaxed);) {
        const void* nl = std::memchr(data + p, '\n', start[k + 1] - p);
        const std::size_t e = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : start[k + 1];
        if (e > p) {
          const std::string_view record(data + p, e - p);
          if (record.size() > kCompactLimit || detail::firstBadText(record) != std::string::npos) {
            irregular = true;
            return;
          }
          Cell* out = t_.cells.data() + row * width;
          std::size_t f = 0;
          for (std::size_t from = p;;) {
            const std::size_t q = nextByte(data, from, e, sep);  // e when it is the last field
            if (f == width) {
              f = width + 1;  // too many fields
              break;
            }
            out[f++] = Cell::compact(from - p, q - from);
            if (q == e) break;
            from = q + 1;
          }
          if (f != width) {
            irregular = true;
            return;
          }
          t_.rowStart[row] = data + p;
          t_.rowLine[row] = line;
          ++row;
        }
        if (nl) ++line;
        p = e + 1;
      }
    });
    if (irregular.load()) {
      t_.cells.resize(base * width);
      t_.rowStart.resize(base);
      t_.rowLine.resize(base);
      if (!t_.rowExternal.empty()) t_.rowExternal.resize(base);
      return false;
    }
    line_ = firstLine[chunks];
    return true;
  }

  [[nodiscard]] std::string widthMessage(std::int64_t line, std::size_t expected,
                                         std::size_t actual) const {
    return fmt::format("{}, line {}: malformed row: expected {} fields but found {}", source_,
                       line, expected, actual);
  }
  [[noreturn]] void throwWidth(std::int64_t line, std::size_t expected, std::size_t actual) const {
    throw DataError(widthMessage(line, expected, actual) +
                    " (the reader option mode=DROPMALFORMED drops such rows, mode=PERMISSIVE "
                    "pads or cuts them)");
  }

  void noteProblem(std::string message) {
    if (t_.counts.firstProblem.empty()) t_.counts.firstProblem = std::move(message);
  }

  // Applies the mode to the text of row_ (the header when `header`): false when the row is to
  // be dropped. Invalid UTF-8 and NUL bytes are an error (FAILFAST), become U+FFFD
  // (PERMISSIVE) or drop the row (DROPMALFORMED; a header is never dropped).
  bool checkText(std::int64_t line, bool header) {
    for (std::size_t f = 0; f < row_.size(); ++f) {
      const std::size_t bad = detail::firstBadText(row_[f]);
      if (bad == std::string_view::npos) continue;
      std::string name;
      if (header)
        name = " (a column name)";
      else if (f < t_.header.size())
        name = fmt::format(" (column '{}')", t_.header[f]);
      const std::string message =
          fmt::format("{}, line {}: field {}{}: {} at byte {} of the value", source_, line,
                      f + 1, name, detail::describeBadText(row_[f], bad), bad);
      if (opt_.mode == ReadMode::kFailFast ||
          (opt_.mode == ReadMode::kDropMalformed && header))
        throw DataError(message +
                        " (the reader option mode=PERMISSIVE replaces such bytes with U+FFFD, "
                        "mode=DROPMALFORMED drops the row, encoding=ISO-8859-1 reads Latin-1 "
                        "text)");
      noteProblem(message);
      if (opt_.mode == ReadMode::kDropMalformed) {
        ++t_.counts.rowsDropped;
        return false;
      }
      t_.repaired.push_back(detail::repairText(row_[f]));
      row_[f] = t_.repaired.back();
      ++t_.counts.valuesRepaired;
    }
    return true;
  }

  // Parses one row of `buf` starting at `pos` (not at a line end) into row_; returns the
  // position after its line terminator, or kIncomplete when the buffer is not `final` and the
  // row may go on past its end. line_ advances over every newline consumed.
  std::size_t parseRow(std::string& buf, std::size_t pos, bool final) {
    const std::size_t n = buf.size();
    char* data = buf.data();
    const char sep = opt_.sep;
    const bool quoting = opt_.quote.has_value();
    const char quote = quoting ? *opt_.quote : '\0';
    const char esc = opt_.escape;
    escaped_.clear();
    for (;;) {
      if (quoting && pos < n && data[pos] == quote) {
        const std::int64_t fieldLine = line_;
        std::size_t r = pos + 1;
        const std::size_t start = r;
        std::size_t firstEscape = std::string::npos;
        for (;;) {
          if (r >= n) {
            if (!final) return kIncomplete;
            throw DataError(fmt::format(
                "{}, line {}: unterminated quoted field (field {} starts with {} but has no "
                "closing quote)",
                source_, fieldLine, row_.size() + 1, quote));
          }
          // An escape or a quote as the last byte of a non-final buffer is decided by the next
          // chunk: the escape is then taken as text up to r >= n above, the quote as closing
          // up to pos >= n below, and both give kIncomplete.
          const char c = data[r];
          if (c == esc && esc != quote && r + 1 < n &&
              (data[r + 1] == quote || data[r + 1] == esc)) {
            if (firstEscape == std::string::npos) firstEscape = r - start;
            r += 2;
            continue;
          }
          if (c == quote) {
            if (esc == quote && r + 1 < n && data[r + 1] == quote) {
              if (firstEscape == std::string::npos) firstEscape = r - start;
              r += 2;
              continue;
            }
            break;  // the closing quote
          }
          if (c == '\n' || (c == '\r' && r + 1 < n && data[r + 1] != '\n')) ++line_;
          ++r;
        }
        // Unescaping waits until the row is complete: an unfinished one is parsed again.
        if (firstEscape != std::string::npos) escaped_.emplace_back(row_.size(), firstEscape);
        row_.emplace_back(r == start ? kQuotedEmpty : data + start, r - start);
        pos = r + 1;
        if (pos >= n) {
          if (!final) return kIncomplete;
          if (!escaped_.empty()) unescape();
          return pos;
        }
        if (data[pos] == sep) {
          ++pos;
          continue;
        }
        if (data[pos] == '\n') {
          ++line_;
          if (!escaped_.empty()) unescape();
          return pos + 1;
        }
        if (data[pos] == '\r') {  // CRLF or a lone CR
          if (pos + 1 == n && !final) return kIncomplete;
          ++line_;
          if (!escaped_.empty()) unescape();
          return (pos + 1 < n && data[pos + 1] == '\n') ? pos + 2 : pos + 1;
        }
        throw DataError(fmt::format(
            "{}, line {}: malformed quoted field {}: unexpected character '{}' after the closing "
            "quote (expected the separator or the end of the line)",
            source_, line_, row_.size(), data[pos]));
      }
      // Unquoted field: up to the separator or the end of the line.
      const std::size_t start = pos;
      while (pos < n && data[pos] != sep && data[pos] != '\n' && data[pos] != '\r') ++pos;
      if (pos < n && data[pos] == sep) {
        row_.emplace_back(data + start, pos - start);
        ++pos;
        continue;
      }
      // A '\r' ending the buffer may be the first half of a CRLF in the next chunk.
      if ((pos == n || (data[pos] == '\r' && pos + 1 == n)) && !final) return kIncomplete;
      row_.emplace_back(data + start, pos - start);
      if (!escaped_.empty()) unescape();
      if (pos < n) {  // at '\n', "\r\n" or a lone '\r'
        ++line_;
        return (data[pos] == '\r' && pos + 1 < n && data[pos + 1] == '\n') ? pos + 2 : pos + 1;
      }
      return pos;
    }
  }

  // Unescapes, in place, the quoted fields of the finished row that hold escapes or doubled
  // quotes (the scan above has paired them up; `escaped_` holds each field and the offset of
  // its first escape).
  void unescape() {
    const char quote = *opt_.quote;  // only quoted fields are listed
    const char esc = opt_.escape;
    for (const auto& [f, first] : escaped_) {
      char* p = const_cast<char*>(row_[f].data());
      const std::size_t len = row_[f].size();
      std::size_t w = first;
      std::size_t r = first;
      if (esc == quote) {
        while (r < len) {  // every quote inside is the first of a pair
          const char c = p[r];
          p[w++] = c;
          r += c == quote ? 2 : 1;
        }
      } else {
        while (r < len) {
          char c = p[r];
          if (c == esc && r + 1 < len && (p[r + 1] == quote || p[r + 1] == esc)) c = p[++r];
          p[w++] = c;
          ++r;
        }
      }
      row_[f] = std::string_view(p, w);
    }
  }

  Table& t_;
  const CsvOptions& opt_;
  std::string_view source_;
  bool needHeader_;
  bool started_ = false;          // the BOM check is done
  std::int64_t line_ = 1;         // physical line at the start of pending_
  std::string pending_;           // bytes not tokenized yet (an unfinished record first)
  std::size_t nextAttempt_ = 0;   // tokenize when pending_ reaches this size
  std::vector<std::unique_ptr<std::string>> buffers_;  // the buffers cells point into
  std::vector<std::string_view> row_;
  std::vector<std::pair<std::size_t, std::size_t>> escaped_;  // (field, first escape) to unescape
};

// ---------------------------------------------------------------- conversion

class Converter {
 public:
  Converter(const Table& t, const CsvOptions& opt, std::string_view source,
            std::vector<std::string> names)
      : t_(t), opt_(opt), source_(source), names_(std::move(names)),
        rows_(static_cast<std::int64_t>(t.rowLine.size())) {}

  [[nodiscard]] std::string_view cell(std::int64_t r, std::size_t c) const {
    const auto u = static_cast<std::size_t>(r);
    const Cell x = t_.cells[u * t_.width + c];
    if (!t_.rowExternal.empty() && t_.rowExternal[u]) return t_.external[x.bits];
    return {t_.rowStart[u] + (x.bits & 0xFFFF), x.bits >> 16};
  }
  [[nodiscard]] bool isNull(std::string_view v) const {
    return v == opt_.nullValue && !(v.empty() && v.data() == kQuotedEmpty);
  }
  [[nodiscard]] bool isNaNText(std::string_view v) const { return v == opt_.nanValue; }
  // "true"/"false" in any case (Scala's toBoolean, what Spark's inference tries).
  static bool parseBool(std::string_view v, std::uint8_t& out) {
    const auto is = [&](std::string_view word) {
      if (v.size() != word.size()) return false;
      for (std::size_t k = 0; k < v.size(); ++k)
        if ((v[k] | 0x20) != word[k]) return false;
      return true;
    };
    if (is("true")) out = 1;
    else if (is("false")) out = 0;
    else return false;
    return true;
  }

  // Infers every column's type (Spark's order: int, bigint, double, boolean, else string; a
  // column of nulls only is a string) in one parallel pass over row blocks. A column whose
  // first value is a number is parsed into its values on the way (`numeric`), so a numeric
  // column's text is parsed once, not once to infer and once to convert.
  [[nodiscard]] std::vector<DataType> inferAll(std::size_t width,
                                               std::vector<ColumnPtr>& numeric) const {
    enum : unsigned { kIntBit = 1, kDoubleBit = 2, kBoolBit = 4, kTextBit = 8 };
    const auto blocks = static_cast<std::size_t>(parallel::numBlocks(rows_, kBlock));
    std::vector<std::vector<unsigned>> kind(width, std::vector<unsigned>(blocks, 0));
    // Speculative values: an int's bits while its block has seen ints only, else the double.
    std::vector<std::vector<double>> spec(width);
    std::vector<NullMask> nulls(width);
    // Sized in parallel (one task a column): zeroing fresh pages is much of the cost.
    parallel::forBlocks(static_cast<std::int64_t>(width), 1, [&](std::int64_t ci, std::int64_t, std::int64_t) {
      const auto c = static_cast<std::size_t>(ci);
      for (std::int64_t r = 0; r < rows_; ++r) {
        const std::string_view v = cell(r, c);
        if (isNull(v)) continue;
        std::int64_t i = 0;
        double d = 0.0;
        if (parseInt64(v, i) || isNaNText(v) || parseDouble(v, d)) {
          spec[c].resize(static_cast<std::size_t>(rows_));
          nulls[c].resize(static_cast<std::size_t>(rows_));
        }
        break;
      }
    });
    parallel::forBlocks(rows_, kBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      for (std::size_t c = 0; c < width; ++c) {
        double* vals = spec[c].empty() ? nullptr : spec[c].data();
        std::uint8_t* isNullRow = vals ? nulls[c].data() : nullptr;
        unsigned k = 0;
        for (std::int64_t r = begin; r < end && !(k & kTextBit); ++r) {
          const std::string_view v = cell(r, c);
          if (isNull(v)) {
            if (vals) isNullRow[r] = 1;
            continue;
          }
          std::int64_t i = 0;
          double d = 0.0;
          std::uint8_t flag = 0;
          if (!(k & kDoubleBit) && parseInt64(v, i)) {
            k |= kIntBit;
            if (vals) vals[r] = std::bit_cast<double>(i);
          } else if (isNaNText(v) ? (d = std::numeric_limits<double>::quiet_NaN(), true)
                                  : parseDouble(v, d)) {
            if (vals && !(k & kDoubleBit))  // the block's ints so far become doubles
              for (std::int64_t q = begin; q < r; ++q)
                if (!isNullRow[q])
                  vals[q] = static_cast<double>(std::bit_cast<std::int64_t>(vals[q]));
            k |= kDoubleBit;
            if (vals) vals[r] = d;
          } else if (parseBool(v, flag)) {
            k |= kBoolBit;
          } else {
            k |= kTextBit;
          }
        }
        kind[c][static_cast<std::size_t>(b)] = k;
      }
    });
    std::vector<DataType> types(width, DataType::kString);
    numeric.assign(width, nullptr);
    for (std::size_t c = 0; c < width; ++c) {
      unsigned k = 0;
      for (const unsigned bk : kind[c]) k |= bk;
      DataType& t = types[c];
      if ((k & kTextBit) || ((k & kBoolBit) && (k & (kIntBit | kDoubleBit)))) t = DataType::kString;
      else if (k & kBoolBit) t = DataType::kBoolean;
      else if (k & kDoubleBit) t = DataType::kDouble;
      else if (k & kIntBit) t = DataType::kInt64;
      if (spec[c].empty() || (t != DataType::kDouble && t != DataType::kInt64)) continue;
      std::vector<double>& vals = spec[c];
      const NullMask& isNullRow = nulls[c];
      if (t == DataType::kDouble) {
        // Blocks that saw ints only still hold int bits; a null's placeholder is NaN.
        parallel::forBlocks(rows_, kBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
          const bool ints = !(kind[c][static_cast<std::size_t>(b)] & kDoubleBit);
          for (std::int64_t r = begin; r < end; ++r) {
            const auto u = static_cast<std::size_t>(r);
            if (isNullRow[u]) vals[u] = std::numeric_limits<double>::quiet_NaN();
            else if (ints) vals[u] = static_cast<double>(std::bit_cast<std::int64_t>(vals[u]));
          }
        });
        auto col = std::make_shared<DoubleColumn>(std::move(vals));
        col->setNulls(std::move(nulls[c]));
        numeric[c] = std::move(col);
      } else {
        std::vector<std::int64_t> out(static_cast<std::size_t>(rows_));
        parallel::forBlocks(rows_, kBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
          for (std::int64_t r = begin; r < end; ++r) {
            const auto u = static_cast<std::size_t>(r);
            out[u] = isNullRow[u] ? 0 : std::bit_cast<std::int64_t>(vals[u]);
          }
        });
        spec[c] = {};
        auto col = std::make_shared<Int64Column>(std::move(out));
        col->setNulls(std::move(nulls[c]));
        numeric[c] = std::move(col);
      }
    }
    return types;
  }

  [[nodiscard]] ColumnPtr convert(std::size_t c, DataType type) const {
    switch (type) {
      case DataType::kInt64: return toInt64(c);
      case DataType::kDouble: return toDouble(c);
      case DataType::kString: return toStringColumn(c);
      case DataType::kStringArray: return toStringArray(c);
      case DataType::kVector: return toVector(c);
      case DataType::kBoolean: return toBoolean(c);
    }
    throw InternalError("csv: unknown column type");
  }

 private:
  [[noreturn]] void throwValue(std::int64_t r, std::size_t c, DataType type,
                               std::string_view why = {}) const {
    const std::string_view v = cell(r, c);
    throw DataError(fmt::format("{}, line {}: column '{}': expected {} but found '{}'{}", source_,
                                t_.rowLine[static_cast<std::size_t>(r)], names_[c],
                                td::toString(type), v, why));
  }

  ColumnPtr toInt64(std::size_t c) const {
    NullMask nulls(static_cast<std::size_t>(rows_));  // filled with the values, in parallel
    std::vector<std::int64_t> out(static_cast<std::size_t>(rows_));
    const auto bad = parallel::firstFailure(rows_, kBlock, [&](std::int64_t r) {
      const std::string_view v = cell(r, c);
      return (nulls[static_cast<std::size_t>(r)] = isNull(v)) ||
             parseInt64(v, out[static_cast<std::size_t>(r)]);
    });
    if (bad >= 0) throwValue(bad, c, DataType::kInt64);
    auto col = std::make_shared<Int64Column>(std::move(out));
    col->setNulls(std::move(nulls));
    return col;
  }

  ColumnPtr toBoolean(std::size_t c) const {
    NullMask nulls(static_cast<std::size_t>(rows_));  // filled with the values, in parallel
    std::vector<std::uint8_t> out(static_cast<std::size_t>(rows_));
    const auto bad = parallel::firstFailure(rows_, kBlock, [&](std::int64_t r) {
      const std::string_view v = cell(r, c);
      return (nulls[static_cast<std::size_t>(r)] = isNull(v)) ||
             parseBool(v, out[static_cast<std::size_t>(r)]);
    });
    if (bad >= 0) throwValue(bad, c, DataType::kBoolean);
    auto col = std::make_shared<BooleanColumn>(std::move(out));
    col->setNulls(std::move(nulls));
    return col;
  }

  ColumnPtr toDouble(std::size_t c) const {
    NullMask nulls(static_cast<std::size_t>(rows_));  // filled with the values, in parallel
    std::vector<double> out(static_cast<std::size_t>(rows_));
    const auto bad = parallel::firstFailure(rows_, kBlock, [&](std::int64_t r) {
      const std::string_view v = cell(r, c);
      double& d = out[static_cast<std::size_t>(r)];
      if ((nulls[static_cast<std::size_t>(r)] = isNull(v)) || isNaNText(v)) {  // a null's placeholder is NaN
        d = std::numeric_limits<double>::quiet_NaN();
        return true;
      }
      return parseDouble(v, d);
    });
    if (bad >= 0) throwValue(bad, c, DataType::kDouble);
    auto col = std::make_shared<DoubleColumn>(std::move(out));
    col->setNulls(std::move(nulls));
    return col;
  }

  // A column with few distinct values (categories, labels) is dictionary-encoded: one code per
  // row and each distinct string once; one with many is a plain column of strings.
  ColumnPtr toStringColumn(std::size_t c) const {
    if (auto col = toDictionaryColumn(c)) return col;
    NullMask nulls(static_cast<std::size_t>(rows_));  // filled with the values, in parallel
    std::vector<std::string> out(static_cast<std::size_t>(rows_));
    parallel::forBlocks(rows_, kBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      for (std::int64_t r = begin; r < end; ++r) {
        const std::string_view v = cell(r, c);
        if (!(nulls[static_cast<std::size_t>(r)] = isNull(v))) out[static_cast<std::size_t>(r)].assign(v);
      }
    });
    auto col = std::make_shared<StringColumn>(std::move(out));
    col->setNulls(std::move(nulls));
    return col;
  }

  // Null when a block has more distinct values than a quarter of its rows (then codes save
  // little) or the column is all nulls. A null row's code is that of "" (a plain column's
  // placeholder), added to the dictionary if needed.
  ColumnPtr toDictionaryColumn(std::size_t c) const {
    const auto blocks = static_cast<std::size_t>(parallel::numBlocks(rows_, kBlock));
    struct Block {
      std::vector<std::string_view> distinct;  // in order of first appearance
    };
    std::vector<Block> parts(blocks);
    NullMask nulls(static_cast<std::size_t>(rows_));
    std::vector<std::int64_t> codes(static_cast<std::size_t>(rows_));
    std::atomic<bool> giveUp{false};
    parallel::forBlocks(rows_, kBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      Block& part = parts[static_cast<std::size_t>(b)];
      const auto limit = static_cast<std::size_t>((end - begin) / 4 + 1);
      // Open addressing, at most a quarter full: slot = code + 1 (0 = empty).
      std::size_t size = 64;
      while (size < 4 * limit) size *= 2;
      std::vector<std::uint32_t> slots(size, 0);
      std::vector<std::uint64_t> hashes;
      for (std::int64_t r = begin; r < end; ++r) {
        const std::string_view v = cell(r, c);
        const auto u = static_cast<std::size_t>(r);
        if ((nulls[u] = isNull(v))) {
          codes[u] = -1;
          continue;
        }
        const std::uint64_t h = quickHash(v);
        std::size_t i = h & (size - 1);
        for (;; i = (i + 1) & (size - 1)) {
          const std::uint32_t slot = slots[i];
          if (slot == 0 || (hashes[slot - 1] == h && part.distinct[slot - 1] == v)) break;
        }
        if (slots[i] == 0) {
          if (part.distinct.size() == limit || giveUp.load(std::memory_order_relaxed)) {
            giveUp.store(true, std::memory_order_relaxed);
            return;
          }
          part.distinct.push_back(v);
          hashes.push_back(h);
          slots[i] = static_cast<std::uint32_t>(part.distinct.size());
        }
        codes[u] = slots[i] - 1;
      }
    });
    if (giveUp.load()) return nullptr;
    // One dictionary: block codes become global codes.
    std::unordered_map<std::string_view, std::int64_t> global;
    std::vector<std::string> distinct;
    std::vector<std::vector<std::int64_t>> remap(blocks);
    for (std::size_t b = 0; b < blocks; ++b)
      for (const auto v : parts[b].distinct) {
        const auto [it, added] =
            global.try_emplace(v, static_cast<std::int64_t>(distinct.size()));
        if (added) distinct.emplace_back(v);
        remap[b].push_back(it->second);
      }
    if (distinct.size() > static_cast<std::size_t>(rows_ / 4 + 1)) return nullptr;
    parallel::forBlocks(rows_, kBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      const auto& m = remap[static_cast<std::size_t>(b)];
      for (std::int64_t r = begin; r < end; ++r) {
        auto& code = codes[static_cast<std::size_t>(r)];
        if (code >= 0) code = m[static_cast<std::size_t>(code)];
      }
    });
    if (std::find(nulls.begin(), nulls.end(), 1) != nulls.end()) {
      if (distinct.empty()) return nullptr;
      const auto it = global.find(std::string_view());
      const std::int64_t nullCode =
          it != global.end() ? it->second : static_cast<std::int64_t>(distinct.size());
      if (it == global.end()) distinct.emplace_back();
      for (auto& code : codes)
        if (code < 0) code = nullCode;
    }
    global.clear();  // its keys view cells, not `distinct`
    auto col = StringColumn::dictionary(std::move(distinct), std::move(codes));
    col->setNulls(std::move(nulls));
    return col;
  }

  // ["a","b"] with JSON string escapes; also accepts a bare [] and whitespace between items.
  static bool parseStringArray(std::string_view s, std::vector<std::string>& out) {
    std::size_t i = 0;
    auto skipWs = [&] {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    };
    skipWs();
    if (i >= s.size() || s[i] != '[') return false;
    ++i;
    skipWs();
    if (i < s.size() && s[i] == ']') {
      ++i;
      skipWs();
      return i == s.size();
    }
    for (;;) {
      skipWs();
      if (i >= s.size() || s[i] != '"') return false;
      ++i;
      std::string item;
      for (;;) {
        if (i >= s.size()) return false;
        const char ch = s[i++];
        if (ch == '"') break;
        if (ch != '\\') {
          item += ch;
          continue;
        }
        if (i >= s.size()) return false;
        const char e = s[i++];
        switch (e) {
          case '"': item += '"'; break;
          case '\\': item += '\\'; break;
          case '/': item += '/'; break;
          case 'n': item += '\n'; break;
          case 'r': item += '\r'; break;
          case 't': item += '\t'; break;
          case 'b': item += '\b'; break;
          case 'f': item += '\f'; break;
          case 'u': {
            if (i + 4 > s.size()) return false;
            unsigned cp = 0;
            auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 4, cp, 16);
            if (ec != std::errc() || p != s.data() + i + 4) return false;
            i += 4;
            // UTF-8 encode (surrogate pairs are not combined; the writer only emits < 0x20).
            if (cp < 0x80) {
              item += static_cast<char>(cp);
            } else if (cp < 0x800) {
              item += static_cast<char>(0xC0 | (cp >> 6));
              item += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              item += static_cast<char>(0xE0 | (cp >> 12));
              item += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              item += static_cast<char>(0x80 | (cp & 0x3F));
            }
            break;
          }
          default: return false;
        }
      }
      out.push_back(std::move(item));
      skipWs();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == ']') {
        ++i;
        skipWs();
        return i == s.size();
      }
      return false;
    }
  }

  ColumnPtr toStringArray(std::size_t c) const {
    std::vector<std::vector<std::string>> rowsOut(static_cast<std::size_t>(rows_));
    const auto bad = parallel::firstFailure(rows_, kBlock, [&](std::int64_t r) {
      return parseStringArray(cell(r, c), rowsOut[static_cast<std::size_t>(r)]);
    });
    if (bad >= 0) throwValue(bad, c, DataType::kStringArray, " (expected [\"a\",\"b\"])");
    return StringArrayColumn::fromRows(rowsOut);
  }

  // A comma-separated list of numbers between `open` and `close`; advances i past `close`.
  template <class T, class Parse>
  static bool parseList(std::string_view s, std::size_t& i, char open, char close,
                        std::vector<T>& out, Parse&& parse) {
    auto skipWs = [&] {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    };
    skipWs();
    if (i >= s.size() || s[i] != open) return false;
    ++i;
    skipWs();
    if (i < s.size() && s[i] == close) {
      ++i;
      return true;
    }
    for (;;) {
      skipWs();
      std::size_t j = i;
      while (j < s.size() && s[j] != ',' && s[j] != close && s[j] != ' ' && s[j] != '\t') ++j;
      T v{};
      if (!parse(s.substr(i, j - i), v)) return false;
      out.push_back(v);
      i = j;
      skipWs();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == close) {
        ++i;
        return true;
      }
      return false;
    }
  }

  struct ParsedVector {
    std::int64_t size = -1;  // -1 = dense
    std::vector<std::int64_t> indices;
    std::vector<double> values;
  };

  // The JSON the writer emits (dense [0.1,0.9], sparse {"size":10,"indices":[1,7],
  // "values":[1.0,2.0]}, see parseVectorJson), or Spark's text "(10,[1,7],[1.0,2.0])".
  static bool parseVector(std::string_view s, ParsedVector& out, std::string* why = nullptr) {
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size() && (s[i] == '[' || s[i] == '{')) {
      // Fast path for a dense list of plain numbers (also the old form with bare NaN).
      if (s[i] == '[' && parseList(s, i, '[', ']', out.values, parseDouble)) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        if (i == s.size()) return true;
      }
      JsonVector jv;
      if (!parseVectorJson(s, jv, why)) return false;
      out.size = jv.size;
      out.indices.assign(jv.indices.begin(), jv.indices.end());
      out.values = std::move(jv.values);
      return true;
    }
    if (i < s.size() && s[i] == '(') {
      ++i;
      std::size_t j = i;
      while (j < s.size() && s[j] != ',') ++j;
      std::string_view sz = s.substr(i, j - i);
      while (!sz.empty() && (sz.front() == ' ')) sz.remove_prefix(1);
      while (!sz.empty() && (sz.back() == ' ')) sz.remove_suffix(1);
      if (!parseInt64(sz, out.size) || out.size < 0 || j >= s.size()) return false;
      i = j + 1;
      if (!parseList(s, i, '[', ']', out.indices, parseInt64)) return false;
      while (i < s.size() && s[i] == ' ') ++i;
      if (i >= s.size() || s[i] != ',') return false;
      ++i;
      if (!parseList(s, i, '[', ']', out.values, parseDouble)) return false;
      while (i < s.size() && s[i] == ' ') ++i;
      if (i >= s.size() || s[i] != ')') return false;
      ++i;
      if (out.indices.size() != out.values.size()) return false;
      for (std::size_t k = 0; k < out.indices.size(); ++k) {
        if (out.indices[k] < 0 || out.indices[k] >= out.size ||
            out.indices[k] > std::numeric_limits<std::int32_t>::max() ||
            (k > 0 && out.indices[k] <= out.indices[k - 1]))
          return false;
      }
    } else {
      return false;
    }
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return i == s.size();
  }

  ColumnPtr toVector(std::size_t c) const {
    std::vector<ParsedVector> vecs(static_cast<std::size_t>(rows_));
    const auto bad = parallel::firstFailure(rows_, kBlock, [&](std::int64_t r) {
      return parseVector(cell(r, c), vecs[static_cast<std::size_t>(r)]);
    });
    if (bad >= 0) {
      ParsedVector ignored;
      std::string why;
      (void)parseVector(cell(bad, c), ignored, &why);
      throwValue(bad, c, DataType::kVector,
                 fmt::format(" (expected [v,...], {{\"size\":N,\"indices\":[...],\"values\":[...]}} "
                             "or (N,[i,...],[v,...]){})",
                             why.empty() ? std::string() : ": " + why));
    }
    auto dimOf = [](const ParsedVector& v) {
      return v.size < 0 ? static_cast<std::int64_t>(v.values.size()) : v.size;
    };
    bool allDense = true;
    const std::int64_t dim = rows_ > 0 ? dimOf(vecs[0]) : 0;
    for (std::int64_t r = 0; r < rows_; ++r) {
      const auto& v = vecs[static_cast<std::size_t>(r)];
      if (dimOf(v) != dim)
        throwValue(r, c, DataType::kVector,
                   fmt::format(" (a vector of size {}, but the first row's has size {})",
                               dimOf(v), dim));
      allDense = allDense && v.size < 0;
    }
    if (allDense) {
      std::vector<double> values;
      values.reserve(static_cast<std::size_t>(rows_ * dim));
      for (const auto& v : vecs) values.insert(values.end(), v.values.begin(), v.values.end());
      return VectorColumn::dense(rows_, dim, std::move(values));
    }
    if (dim > std::int64_t{std::numeric_limits<std::int32_t>::max()} + 1)
      throw DataError(fmt::format("{}: column '{}': vector size {} is too large", source_,
                                  names_[c], dim));
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int32_t> indices;
    std::vector<double> values;
    for (const auto& v : vecs) {
      if (v.size < 0) {
        for (std::size_t k = 0; k < v.values.size(); ++k) {
          if (v.values[k] == 0.0) continue;
          indices.push_back(static_cast<std::int32_t>(k));
          values.push_back(v.values[k]);
        }
      } else {
        for (auto idx : v.indices) indices.push_back(static_cast<std::int32_t>(idx));
        values.insert(values.end(), v.values.begin(), v.values.end());
      }
      offsets.push_back(static_cast<std::int64_t>(values.size()));
    }
    return VectorColumn::sparse(dim, std::move(offsets), std::move(indices), std::move(values));
  }

  const Table& t_;
  const CsvOptions& opt_;
  std::string_view source_;
  std::vector<std::string> names_;
  std::int64_t rows_;
};

void validateOptions(const CsvOptions& o) {
  if (o.sep == '\n' || o.sep == '\r')
    throw ParamError("csv: the separator must not be a line break");
  if (o.quote) {
    if (*o.quote == o.sep)
      throw ParamError(fmt::format("csv: the quote character '{}' equals the separator", o.sep));
    if (*o.quote == '\n' || *o.quote == '\r')
      throw ParamError("csv: the quote character must not be a line break");
    if (o.escape == o.sep || o.escape == '\n' || o.escape == '\r')
      throw ParamError("csv: the escape character must not be the separator or a line break");
  }
}

// The Frame of a tokenized table: names from the schema or the header, types from the schema
// or inferred, values converted (in parallel).
Frame buildFrame(const Table& t, const CsvOptions& opt, std::string_view source) {
  std::vector<std::string> names;
  std::vector<DataType> types;
  if (opt.schema) {
    for (const auto& f : opt.schema->fields()) {
      names.push_back(f.name);
      types.push_back(f.type);
    }
  } else {
    if (!t.widthKnown) return Frame();  // no header, no rows: nothing to name
    for (std::size_t c = 0; c < t.width; ++c) {
      if (opt.header && !t.header[c].empty())
        names.push_back(t.header[c]);
      else
        names.push_back(fmt::format("_c{}", c));
    }
    for (std::size_t i = 0; i < names.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (names[i] == names[j])
          throw ColumnError(fmt::format(
              "{}, line {}: duplicate column name '{}' in the header (fields {} and {})", source,
              t.headerLine, names[i], j + 1, i + 1));
  }

  Converter conv(t, opt, source, names);
  std::vector<ColumnPtr> parsed;  // numeric columns inference has already converted
  if (!opt.schema) {
    types.assign(names.size(), DataType::kString);
    if (opt.inferSchema) types = conv.inferAll(names.size(), parsed);
  }
  // The other columns are converted in parallel (each also in parallel blocks); the first
  // column's error, in column order, is the one reported.
  std::vector<ColumnPtr> converted(names.size());
  std::vector<std::exception_ptr> failed(names.size());
  parallel::forBlocks(static_cast<std::int64_t>(names.size()), 1,
                      [&](std::int64_t ci, std::int64_t, std::int64_t) {
    const auto c = static_cast<std::size_t>(ci);
    if (c < parsed.size() && parsed[c]) {
      converted[c] = std::move(parsed[c]);
      return;
    }
    try {
      converted[c] = conv.convert(c, types[c]);
    } catch (...) {
      failed[c] = std::current_exception();
    }
  });
  for (const auto& e : failed)
    if (e) std::rethrow_exception(e);
  std::vector<std::pair<std::string, ColumnPtr>> cols;
  cols.reserve(names.size());
  for (std::size_t c = 0; c < names.size(); ++c) cols.emplace_back(names[c], std::move(converted[c]));
  if (opt.counts) opt.counts->add(t.counts);
  const Frame frame(std::move(cols));
  if (frame.numColumns() == 0) return frame;
  auto origins = std::make_shared<RowOrigins>();
  origins->sources.emplace_back(source);
  origins->line = t.rowLine;
  return frame.withOrigins(std::move(origins));
}

// ---------------------------------------------------------------- writing

// Emits the CSV text of `frame` in chunks to sink(std::string_view).
template <class Sink>
void emitCsv(const Frame& frame, const CsvOptions& opt, Sink&& sink) {
  validateOptions(opt);
  const auto names = frame.columnNames();
  const std::size_t nc = names.size();
  std::vector<const Column*> cols;
  for (const auto& n : names) cols.push_back(frame.column(n).get());

  std::string line;
  std::string cellText;
  auto needsQuote = [&](std::string_view s) {
    for (const char ch : s)
      if (ch == opt.sep || ch == '\n' || ch == '\r' || (opt.quote && (ch == *opt.quote || ch == opt.escape)))
        return true;
    return false;
  };
  // Appends one field; `row` < 0 means the header.
  auto appendField = [&](std::string_view s, std::int64_t row, std::size_t c) {
    if (!opt.quote) {
      if (s.find_first_of(std::string{opt.sep, '\n', '\r'}) != std::string_view::npos)
        throw DataError(fmt::format(
            "csv: cannot write {} column '{}': the value '{}' contains the separator or a line "
            "break and quoting is disabled",
            row < 0 ? std::string("the header of") : fmt::format("row {} of", row), names[c], s));
      if (s.empty() && nc == 1 && row >= 0)
        throw DataError(fmt::format(
            "csv: cannot write row {} of column '{}': an empty value in a one-column file needs "
            "quoting, which is disabled",
            row, names[c]));
      line += s;
      return;
    }
    const char q = *opt.quote;
    if (s.empty() && nc == 1) {  // a blank line would be skipped on reading
      line += q;
      line += q;
      return;
    }
    if (!needsQuote(s)) {
      line += s;
      return;
    }
    line += q;
    for (const char ch : s) {
      if (ch == q || (opt.escape != q && ch == opt.escape)) line += opt.escape;
      line += ch;
    }
    line += q;
  };

  if (opt.header && nc > 0) {
    for (std::size_t c = 0; c < nc; ++c) {
      if (c) line += opt.sep;
      appendField(names[c], -1, c);
    }
    line += '\n';
  }
  for (std::int64_t r = 0; r < frame.numRows(); ++r) {
    for (std::size_t c = 0; c < nc; ++c) {
      if (c) line += opt.sep;
      const Column* col = cols[c];
      if (col->isNull(r)) {  // Spark writes a null as nullValue (default: an empty field)
        if (opt.nullValue.empty() && nc > 1) continue;
        appendField(opt.nullValue, r, c);
        continue;
      }
      if (opt.quote && col->type() == DataType::kString &&
          static_cast<const StringColumn&>(*col)[r].empty()) {
        line += *opt.quote;  // an empty string, as Spark writes it: "" (not a null)
        line += *opt.quote;
        continue;
      }
      switch (col->type()) {
        case DataType::kInt64: {
          char tmp[24];
          auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, static_cast<const Int64Column&>(*col)[r]);
          appendField(std::string_view(tmp, static_cast<std::size_t>(p - tmp)), r, c);
          break;
        }
        case DataType::kDouble:
          appendField(formatDouble(static_cast<const DoubleColumn&>(*col)[r]), r, c);
          break;
        case DataType::kString:
          appendField(static_cast<const StringColumn&>(*col)[r], r, c);
          break;
        case DataType::kBoolean:
          appendField(static_cast<const BooleanColumn&>(*col)[r] ? "true" : "false", r, c);
          break;
        case DataType::kStringArray: {
          cellText = "[";
          const auto arr = static_cast<const StringArrayColumn&>(*col)[r];
          for (std::size_t k = 0; k < arr.size(); ++k) {
            if (k) cellText += ',';
            detail::appendJsonEscaped(cellText, arr[k]);
          }
          cellText += ']';
          appendField(cellText, r, c);
          break;
        }
        case DataType::kVector:
          cellText.clear();
          appendVectorJson(cellText, static_cast<const VectorColumn&>(*col)[r]);
          appendField(cellText, r, c);
          break;
      }
    }
    line += '\n';
    detail::flushFull(line, sink);
  }
  if (!line.empty()) sink(std::string_view(line));
}

}  // namespace

// ---------------------------------------------------------------- public API

CsvOptions CsvOptions::forPath(const std::string& path) {
  CsvOptions o;
  const std::string base = stripGzExtension(path);  // "data.tsv.gz" is TSV too
  const auto dot = base.rfind('.');
  const auto slash = base.find_last_of('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash) &&
      iequals(std::string_view(base).substr(dot), ".tsv"))
    o.sep = '\t';
  return o;
}

Frame readCsv(const std::string& path, const CsvOptions& options) {
  return readCsv(path, options, storage::Storage());
}

Frame readCsv(const std::string& path, const CsvOptions& options, const storage::Storage& storage) {
  if (storage.fileSystem(path)->remote())  // parsed as it downloads
    return readCsvStream(pathSource(path, storage), options, path);
  std::string buf = readFileToString(path, storage);  // a local file: one read, one last chunk
  validateOptions(options);
  Table t;
  Tokenizer tokenizer(t, options, path);  // owns the buffer the cells point into
  tokenizer.finish(std::move(buf));
  return buildFrame(t, options, path);
}

Frame readCsvString(std::string_view text, const CsvOptions& options,
                    std::string_view sourceName) {
  validateOptions(options);
  Table t;
  Tokenizer tokenizer(t, options, sourceName);
  tokenizer.finish(std::string(text));  // a copy: quoted fields are unescaped in place
  return buildFrame(t, options, sourceName);
}

Frame readCsvStream(const ChunkSource& source, const CsvOptions& options,
                    std::string_view sourceName, const RowsCallback& onRows) {
  validateOptions(options);
  Table t;
  Tokenizer tokenizer(t, options, sourceName);
  source([&](std::string_view chunk) {
    tokenizer.feed(chunk);
    if (onRows) onRows(tokenizer.rows());
  });
  tokenizer.finish();
  if (onRows) onRows(tokenizer.rows());
  return buildFrame(t, options, sourceName);
}

std::string writeCsvString(const Frame& frame, const CsvOptions& options) {
  std::string out;
  emitCsv(frame, options, [&](std::string_view s) { out += s; });
  return out;
}

void writeCsv(const Frame& frame, const std::string& path, const CsvOptions& options) {
  writeCsv(frame, path, options, storage::Storage());
}

void writeCsv(const Frame& frame, const std::string& path, const CsvOptions& options,
              const storage::Storage& storage) {
  const auto file = storage.fileSystem(path)->create(path);
  emitCsv(frame, options, [&](std::string_view s) { file->write(s); });
  file->commit();
}

}  // namespace td

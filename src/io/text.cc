// src/io/text.cc — text validity (UTF-8, NUL), repair and transcoding shared by the text
// readers, and the names of the reader modes and encodings.
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "io_internal.h"
#include "thunderdome/core/error.h"

namespace td {

std::string_view toString(ReadMode mode) {
  switch (mode) {
    case ReadMode::kFailFast: return "FAILFAST";
    case ReadMode::kPermissive: return "PERMISSIVE";
    case ReadMode::kDropMalformed: return "DROPMALFORMED";
  }
  return "?";
}

ReadMode readModeFromName(std::string_view name) {
  if (detail::iequals(name, "failfast")) return ReadMode::kFailFast;
  if (detail::iequals(name, "permissive")) return ReadMode::kPermissive;
  if (detail::iequals(name, "dropmalformed")) return ReadMode::kDropMalformed;
  throw ParamError(fmt::format(
      "reader option 'mode' must be FAILFAST, PERMISSIVE or DROPMALFORMED, got \"{}\"", name));
}

std::string_view toString(TextEncoding encoding) {
  return encoding == TextEncoding::kLatin1 ? "ISO-8859-1" : "UTF-8";
}

TextEncoding encodingFromName(std::string_view name) {
  if (detail::iequals(name, "utf-8") || detail::iequals(name, "utf8")) return TextEncoding::kUtf8;
  if (detail::iequals(name, "iso-8859-1") || detail::iequals(name, "latin1") ||
      detail::iequals(name, "iso8859-1") || detail::iequals(name, "iso-8859-1") ||
      detail::iequals(name, "latin-1"))
    return TextEncoding::kLatin1;
  throw ParamError(fmt::format(
      "reader option 'encoding' must be UTF-8 or ISO-8859-1 (latin1), got \"{}\"", name));
}

void ReadCounts::add(const ReadCounts& other) {
  rowsDropped += other.rowsDropped;
  rowsRepaired += other.rowsRepaired;
  valuesRepaired += other.valuesRepaired;
  if (firstProblem.empty()) firstProblem = other.firstProblem;
}

std::string ReadCounts::summary() const {
  if (empty()) return {};
  std::string out;
  auto add = [&](std::int64_t n, std::string_view what) {
    if (n == 0) return;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, what);
  };
  add(rowsDropped, rowsDropped == 1 ? "malformed row dropped" : "malformed rows dropped");
  add(rowsRepaired, rowsRepaired == 1 ? "row padded or cut to the header's width"
                                      : "rows padded or cut to the header's width");
  add(valuesRepaired, valuesRepaired == 1 ? "value with invalid UTF-8 or NUL repaired to U+FFFD"
                                          : "values with invalid UTF-8 or NUL repaired to U+FFFD");
  out += fmt::format(" (mode {}", rowsDropped > 0 ? "DROPMALFORMED" : "PERMISSIVE");
  if (!firstProblem.empty()) out += "; the first: " + firstProblem;
  out += ")";
  return out;
}

namespace detail {

namespace {

// The length of the valid UTF-8 sequence at p (p < e, *p >= 0x80), or 0 when it is invalid;
// `prefix` receives the length of its maximal valid prefix (at least 1) when invalid.
std::size_t utf8Sequence(const unsigned char* p, const unsigned char* e, std::size_t& prefix) {
  const unsigned c = *p;
  int n = 0;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    prefix = 1;
    return 0;
  }
  std::size_t k = 1;
  for (; k <= static_cast<std::size_t>(n); ++k) {
    if (p + k >= e) break;
    const unsigned b = p[k];
    const unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (b < l || b > h) break;
  }
  if (k == static_cast<std::size_t>(n) + 1) return k;
  prefix = k;
  return 0;
}


}  // namespace

std::size_t firstBadText(std::string_view s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = b + s.size();
  const auto* p = b;
  while (p < e) {
#if defined(__SSE2__)
    // Sixteen bytes at a time: skip to the first byte that is not ASCII or is NUL.
    if (e - p >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const int mask =
          _mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
      if (mask == 0) {
        p += 16;
        continue;
      }
      p += __builtin_ctz(static_cast<unsigned>(mask));
    }
#else
    // Eight ASCII bytes, none of them NUL, at a time.
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    if (e - p >= 8) {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      if (((((v - kOnes) & ~v) | v) & kHigh) == 0) {
        p += 8;
        continue;
      }
    }
#endif
    const unsigned c = *p;
    if (c == 0) return static_cast<std::size_t>(p - b);
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t prefix = 0;
    const std::size_t len = utf8Sequence(p, e, prefix);
    if (len == 0) return static_cast<std::size_t>(p - b);
    p += len;
  }
  return std::string_view::npos;
}

bool validUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  while (p < e) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    std::size_t prefix = 0;
    const std::size_t len = utf8Sequence(p, e, prefix);
    if (len == 0) return false;
    p += len;
  }
  return true;
}

std::string describeBadText(std::string_view s, std::size_t offset) {
  const auto c = static_cast<unsigned char>(s[offset]);
  if (c == 0) return "a NUL byte";
  return fmt::format("invalid UTF-8 (byte 0x{:02X})", c);
}

std::string repairText(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = b + s.size();
  const auto* p = b;
  while (p < e) {
    const unsigned c = *p;
    if (c != 0 && c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++p;
      continue;
    }
    std::size_t prefix = 1;
    const std::size_t len = c == 0 ? 0 : utf8Sequence(p, e, prefix);
    if (len > 0) {
      out.append(reinterpret_cast<const char*>(p), len);
      p += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      p += prefix;
    }
  }
  return out;
}

void appendLatin1AsUtf8(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size());
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
}

}  // namespace detail
}  // namespace td

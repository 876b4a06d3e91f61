// src/feature/tokenizer.cc
#include "thunderdome/feature/tokenizer.h"

#include <fmt/format.h>

#include <regex>

#include "thunderdome/core/parallel.h"
#include "thunderdome/core/shared_params.h"

namespace td {

namespace {

constexpr std::int64_t kRowBlock = 512;

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Lower case of a BMP code point for the scripts Java lowercases most often.
std::uint32_t lowerCodePoint(std::uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if (c <= 0xDE && c != 0xD7) return c + 32;                            // Latin-1
  if (c >= 0x100 && c <= 0x137 && (c % 2 == 0)) return c + 1;           // Latin Ext-A
  if (c >= 0x139 && c <= 0x148 && (c % 2 == 1)) return c + 1;
  if (c >= 0x14A && c <= 0x177 && (c % 2 == 0)) return c + 1;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E && (c % 2 == 1)) return c + 1;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;            // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 32;                          // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}


// Appends the lower case of `s` to `out` (see toLowerUtf8).
void appendLowerUtf8(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      const std::uint32_t cp = ((c & 0x1FU) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3FU);
      appendUtf8(out, lowerCodePoint(cp));
      i += 2;
    } else {
      out += static_cast<char>(c);  // 3/4-byte sequences and stray bytes pass through
      ++i;
    }
  }
}

template <class F>
Frame addArrayColumn(const Frame& input, const std::string& in, const std::string& out, F&& split) {
  const auto& col = input.col<StringColumn>(in);
  return input.withColumn(
      out, buildStringArrayColumn(col.size(), kRowBlock, [&](std::int64_t r, StringArrayBlock& b) {
        split(col[r], b);
      }));
}

inline bool isJavaWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\x0B' || c == '\f' || c == '\r';
}

// Java String.split("\\s") on lowercased text, appending to `out`: the row is lowercased
// straight into the buffer and split in place (separators squeezed out).
void splitWhitespace(std::string_view text, StringArrayBlock& out) {
  const std::size_t base = out.bytes.size();
  appendLowerUtf8(out.bytes, text);
  const std::size_t end = out.bytes.size();
  const std::size_t first = out.ends.size();
  if (end == base) {  // "" -> [""]
    out.ends.push_back(static_cast<std::int64_t>(base));
    return;
  }
  char* p = out.bytes.data();
  std::size_t w = base;
  for (std::size_t r = base; r < end; ++r) {
    if (isJavaWhitespace(p[r])) {
      out.ends.push_back(static_cast<std::int64_t>(w));
    } else {
      p[w++] = p[r];
    }
  }
  out.ends.push_back(static_cast<std::int64_t>(w));
  out.bytes.resize(w);
  // Trailing empty strings are dropped.
  while (out.ends.size() > first) {
    const std::int64_t start =
        out.ends.size() - 1 > first ? out.ends[out.ends.size() - 2] : static_cast<std::int64_t>(base);
    if (out.ends.back() != start) break;
    out.ends.pop_back();
  }
}

}  // namespace

std::string toLowerUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  appendLowerUtf8(out, s);
  return out;
}

// ---------------------------------------------------------------- Tokenizer
Tokenizer::Tokenizer() : Tokenizer(randomUid(kUidPrefix)) {}
Tokenizer::Tokenizer(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

std::vector<std::string> Tokenizer::tokenize(std::string_view text) {
  StringArrayBlock buf;
  splitWhitespace(text, buf);
  std::vector<std::string> out;
  std::int64_t start = 0;
  for (auto e : buf.ends) {
    out.emplace_back(buf.bytes.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(e - start)));
    start = e;
  }
  return out;
}

Schema Tokenizer::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kString);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kStringArray});
}

Frame Tokenizer::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  return addArrayColumn(input, getInputCol(), getOutputCol(), splitWhitespace);
}

// ---------------------------------------------------------------- RegexTokenizer
RegexTokenizer::RegexTokenizer() : RegexTokenizer(randomUid(kUidPrefix)) {}
RegexTokenizer::RegexTokenizer(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema RegexTokenizer::transformSchema(const Schema& input) const {
  input.requireType(describe(), get(inputCol), DataType::kString);
  input.requireAbsent(describe(), get(outputCol));
  try {
    std::regex re(get(pattern));
  } catch (const std::regex_error& e) {
    throw ParamError(fmt::format("{}: parameter 'pattern' given invalid value \"{}\" ({})",
                                 describe(), get(pattern), e.what()));
  }
  return input.with({get(outputCol), DataType::kStringArray});
}

namespace {
// UTF-16 length as Java counts it: 4-byte UTF-8 sequences are 2 code units.
std::int64_t javaLength(std::string_view s) {
  std::int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
    if ((c & 0xF8) == 0xF0) ++n;
  }
  return n;
}
}  // namespace

Frame RegexTokenizer::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const std::regex re(get(pattern));
  const bool gaps = get(RegexTokenizer::gaps);
  const bool lower = get(toLowercase);
  const std::int64_t minLen = get(minTokenLength);
  auto split = [&](std::string_view text, StringArrayBlock& out) {
    const std::string s = lower ? toLowerUtf8(text) : std::string(text);
    std::vector<std::string> tokens;
    if (gaps) {
      std::size_t start = 0;
      for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator();
           ++it) {
        const auto pos = static_cast<std::size_t>(it->position());
        const auto len = static_cast<std::size_t>(it->length());
        if (len == 0 && pos == 0) continue;  // Java: no leading empty token for a zero-width match
        if (len == 0 && pos >= s.size()) break;
        tokens.push_back(s.substr(start, pos - start));
        start = pos + len;
      }
      tokens.push_back(s.substr(start));
      while (!tokens.empty() && tokens.back().empty()) tokens.pop_back();
      if (tokens.empty() && s.empty()) tokens.emplace_back();
    } else {
      for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator();
           ++it)
        tokens.push_back(it->str());
    }
    for (const auto& t : tokens)
      if (javaLength(t) >= minLen) out.add(t);
  };
  return addArrayColumn(input, get(inputCol), get(outputCol), split);
}

}  // namespace td

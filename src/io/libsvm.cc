// src/io/libsvm.cc
#include "thunderdome/io/libsvm.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/io/file.h"

namespace td {

namespace {

constexpr std::int64_t kMaxDim = std::int64_t{std::numeric_limits<std::int32_t>::max()} + 1;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// A decimal double, or NaN / Inf / Infinity (any case, optional sign).
bool parseDouble(std::string_view s, double& out) {
  bool neg = false;
  std::string_view rest = s;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    neg = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) return false;
  if (!(rest[0] >= '0' && rest[0] <= '9') && rest[0] != '.') {
    if (iequals(rest, "nan")) {
      out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    if (iequals(rest, "inf") || iequals(rest, "infinity")) {
      out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      return true;
    }
    return false;
  }
  const char* e = rest.data() + rest.size();
  double v = 0.0;
  auto [p, ec] = std::from_chars(rest.data(), e, v, std::chars_format::general);
  if (p != e) return false;
  if (ec == std::errc::result_out_of_range)
    v = std::strtod(std::string(rest).c_str(), nullptr);
  else if (ec != std::errc())
    return false;
  out = neg ? -v : v;
  return true;
}

// Spark-style double text: 1.0, 0.5, 1e+20, NaN, Infinity.
void appendDouble(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";
  } else if (std::isinf(d)) {
    out += d > 0 ? "Infinity" : "-Infinity";
  } else {
    const std::size_t at = out.size();
    fmt::format_to(std::back_inserter(out), "{}", d);
    if (out.find_first_of(".e", at) == std::string::npos) out += ".0";
  }
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

Frame parseLibSvm(std::string_view text, const LibSvmOptions& options, std::string_view source) {
  if (options.numFeatures < 0 || options.numFeatures > kMaxDim)
    throw ParamError(fmt::format("readLibSvm: numFeatures must be in [0, {}] (0 = infer), got {}",
                                 kMaxDim, options.numFeatures));
  std::vector<double> labels;
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> indices;
  std::vector<double> values;
  std::int64_t maxIndex = 0;  // 1-based

  std::size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  std::int64_t lineNo = 0;
  while (pos < text.size()) {
    ++lineNo;
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);

    std::size_t i = 0;
    auto nextToken = [&]() -> std::string_view {
      while (i < line.size() && isSpace(line[i])) ++i;
      const std::size_t b = i;
      while (i < line.size() && !isSpace(line[i])) ++i;
      return line.substr(b, i - b);
    };
    const std::string_view labelTok = nextToken();
    if (labelTok.empty()) continue;  // blank or comment-only line
    double label = 0.0;
    if (!parseDouble(labelTok, label))
      throw DataError(fmt::format("{}, line {}: invalid label '{}' (expected a number)", source,
                                  lineNo, labelTok));
    labels.push_back(label);
    std::int64_t prev = 0;
    for (std::string_view tok = nextToken(); !tok.empty(); tok = nextToken()) {
      const auto colon = tok.find(':');
      if (colon == std::string_view::npos)
        throw DataError(fmt::format("{}, line {}: invalid feature token '{}' (expected index:value)",
                                    source, lineNo, tok));
      const std::string_view idxText = tok.substr(0, colon);
      const std::string_view valText = tok.substr(colon + 1);
      std::int64_t idx = 0;
      auto [p, ec] = std::from_chars(idxText.data(), idxText.data() + idxText.size(), idx);
      if (idxText.empty() || ec != std::errc() || p != idxText.data() + idxText.size())
        throw DataError(fmt::format(
            "{}, line {}: invalid feature token '{}' (the index is not an integer)", source,
            lineNo, tok));
      if (idx < 1)
        throw DataError(fmt::format(
            "{}, line {}: invalid feature token '{}': indices must be one-based (>= 1)", source,
            lineNo, tok));
      if (idx <= prev)
        throw DataError(fmt::format(
            "{}, line {}: invalid feature token '{}': indices must be strictly increasing "
            "(previous index {})",
            source, lineNo, tok, prev));
      if (options.numFeatures > 0 && idx > options.numFeatures)
        throw DataError(fmt::format(
            "{}, line {}: invalid feature token '{}': index {} exceeds numFeatures = {}", source,
            lineNo, tok, idx, options.numFeatures));
      if (idx > kMaxDim)
        throw DataError(fmt::format("{}, line {}: invalid feature token '{}': index too large",
                                    source, lineNo, tok));
      double v = 0.0;
      if (!parseDouble(valText, v))
        throw DataError(fmt::format(
            "{}, line {}: invalid feature token '{}' (the value is not a number)", source, lineNo,
            tok));
      prev = idx;
      maxIndex = std::max(maxIndex, idx);
      indices.push_back(static_cast<std::int32_t>(idx - 1));
      values.push_back(v);
    }
    offsets.push_back(static_cast<std::int64_t>(values.size()));
  }
  const std::int64_t dim = options.numFeatures > 0 ? options.numFeatures : maxIndex;
  auto features = VectorColumn::sparse(dim, std::move(offsets), std::move(indices), std::move(values));
  return Frame({{"label", makeDoubleColumn(std::move(labels))}, {"features", std::move(features)}});
}

template <class Sink>
void emitLibSvm(const std::vector<double>& labels, const VectorColumn& features, Sink&& sink) {
  std::string out;
  for (std::int64_t r = 0; r < features.size(); ++r) {
    appendDouble(out, labels[static_cast<std::size_t>(r)]);
    features[r].forEach([&](std::int64_t j, double v) {
      if (v == 0.0) return;
      fmt::format_to(std::back_inserter(out), " {}:", j + 1);
      appendDouble(out, v);
    });
    out += '\n';
    if (out.size() >= (1u << 20)) {
      sink(std::string_view(out));
      out.clear();
    }
  }
  if (!out.empty()) sink(std::string_view(out));
}

}  // namespace

Frame readLibSvm(const std::string& path, const LibSvmOptions& options) {
  const std::string text = readFileToString(path);
  return parseLibSvm(text, options, path);
}

Frame readLibSvmString(std::string_view text, const LibSvmOptions& options,
                       std::string_view sourceName) {
  return parseLibSvm(text, options, sourceName);
}

std::string writeLibSvmString(const Frame& frame, const std::string& labelCol,
                              const std::string& featuresCol) {
  const std::vector<double> labels = frame.numeric(labelCol);
  const auto& features = frame.col<VectorColumn>(featuresCol);
  std::string out;
  emitLibSvm(labels, features, [&](std::string_view s) { out += s; });
  return out;
}

void writeLibSvm(const Frame& frame, const std::string& path, const std::string& labelCol,
                 const std::string& featuresCol) {
  // Columns are checked before any file is created.
  const std::vector<double> labels = frame.numeric(labelCol);
  const auto& features = frame.col<VectorColumn>(featuresCol);
  AtomicFileWriter file(path);
  emitLibSvm(labels, features, [&](std::string_view s) { file.write(s); });
  file.commit();
}

}  // namespace td

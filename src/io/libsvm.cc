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
#include "thunderdome/storage/storage.h"
#include "io_internal.h"

namespace td {

namespace {

using detail::kMaxDim;
using detail::parseDouble;


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

// Parses LibSVM line by line (the lines a LineSplitter cuts from the text or stream).
class Parser {
 public:
  Parser(const LibSvmOptions& options, std::string_view source)
      : options_(options), source_(source) {
    if (options.numFeatures < 0 || options.numFeatures > kMaxDim)
      throw ParamError(fmt::format(
          "readLibSvm: numFeatures must be in [0, {}] (0 = infer), got {}", kMaxDim,
          options.numFeatures));
  }

  void line(std::string_view line, std::int64_t lineNo) {
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
    if (labelTok.empty()) return;  // blank or comment-only line
    const std::string_view source = source_;
    double label = 0.0;
    if (!parseDouble(labelTok, label))
      throw DataError(fmt::format("{}, line {}: invalid label '{}' (expected a number)", source,
                                  lineNo, labelTok));
    if (!options_.allowNonFinite && !std::isfinite(label))
      throw DataError(fmt::format(
          "{}, line {}: invalid label '{}' (labels must be finite numbers)", source, lineNo,
          labelTok));
    labels_.push_back(label);
    lines_.push_back(lineNo);
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
      if (options_.numFeatures > 0 && idx > options_.numFeatures)
        throw DataError(fmt::format(
            "{}, line {}: invalid feature token '{}': index {} exceeds numFeatures = {}", source,
            lineNo, tok, idx, options_.numFeatures));
      if (idx > kMaxDim)
        throw DataError(fmt::format("{}, line {}: invalid feature token '{}': index too large",
                                    source, lineNo, tok));
      double v = 0.0;
      if (!parseDouble(valText, v))
        throw DataError(fmt::format(
            "{}, line {}: invalid feature token '{}' (the value is not a number)", source, lineNo,
            tok));
      if (!options_.allowNonFinite && !std::isfinite(v))
        throw DataError(fmt::format(
            "{}, line {}: invalid feature token '{}': feature {} has the non-finite value {} "
            "(features must be finite numbers)",
            source, lineNo, tok, idx, valText));
      prev = idx;
      maxIndex_ = std::max(maxIndex_, idx);
      indices_.push_back(static_cast<std::int32_t>(idx - 1));
      values_.push_back(v);
    }
    offsets_.push_back(static_cast<std::int64_t>(values_.size()));
  }

  [[nodiscard]] std::int64_t rows() const { return static_cast<std::int64_t>(labels_.size()); }

  Frame finish() {
    const std::int64_t dim = options_.numFeatures > 0 ? options_.numFeatures : maxIndex_;
    auto features = VectorColumn::sparse(dim, std::move(offsets_), std::move(indices_),
                                         std::move(values_));
    const Frame frame(
        {{"label", makeDoubleColumn(std::move(labels_))}, {"features", std::move(features)}});
    auto origins = std::make_shared<RowOrigins>();
    origins->sources.emplace_back(source_);
    origins->line = std::move(lines_);
    return frame.withOrigins(std::move(origins));
  }

 private:
  const LibSvmOptions& options_;
  std::string_view source_;
  std::vector<double> labels_;
  std::vector<std::int64_t> lines_;  // the line of each row (row provenance)
  std::vector<std::int64_t> offsets_{0};
  std::vector<std::int32_t> indices_;
  std::vector<double> values_;
  std::int64_t maxIndex_ = 0;  // 1-based
};

// Parses what `source` delivers; the whole-text readers pass their text as one chunk.
Frame parseLibSvm(const ChunkSource& source, const LibSvmOptions& options,
                  std::string_view sourceName, const RowsCallback& onRows) {
  Parser parser(options, sourceName);
  LineSplitter lines([&](std::string_view line, std::int64_t lineNo) { parser.line(line, lineNo); });
  source([&](std::string_view chunk) {
    lines.feed(chunk);
    if (onRows) onRows(parser.rows());
  });
  lines.finish();
  if (onRows) onRows(parser.rows());
  return parser.finish();
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
  return readLibSvm(path, options, storage::Storage());
}

Frame readLibSvm(const std::string& path, const LibSvmOptions& options,
                 const storage::Storage& storage) {
  if (storage.fileSystem(path)->remote())  // parsed as it downloads
    return parseLibSvm(pathSource(path, storage), options, path, {});
  const std::string text = readFileToString(path, storage);
  return parseLibSvm(bufferSource(text), options, path, {});
}

Frame readLibSvmString(std::string_view text, const LibSvmOptions& options,
                       std::string_view sourceName) {
  return parseLibSvm(bufferSource(text), options, sourceName, {});
}

Frame readLibSvmStream(const ChunkSource& source, const LibSvmOptions& options,
                       std::string_view sourceName, const RowsCallback& onRows) {
  return parseLibSvm(source, options, sourceName, onRows);
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
  writeLibSvm(frame, path, labelCol, featuresCol, storage::Storage());
}

void writeLibSvm(const Frame& frame, const std::string& path, const std::string& labelCol,
                 const std::string& featuresCol, const storage::Storage& storage) {
  // Columns are checked before any file is created.
  const std::vector<double> labels = frame.numeric(labelCol);
  const auto& features = frame.col<VectorColumn>(featuresCol);
  const auto file = storage.fileSystem(path)->create(path);
  emitLibSvm(labels, features, [&](std::string_view s) { file->write(s); });
  file->commit();
}

}  // namespace td

// src/feature/binarizer.cc
#include "thunderdome/feature/binarizer.h"

#include <fmt/format.h>

#include <cmath>
#include <tuple>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {

constexpr std::int64_t kRowBlock = 1024;

// threshold >= 0: only stored non-zero values above it are kept, as 1.0 (Spark's sparse path).
ColumnPtr binarizeSparse(const VectorColumn& col, double t) {
  const std::int64_t rows = col.size();
  const auto nb = static_cast<std::size_t>(parallel::numBlocks(rows, kRowBlock));
  std::vector<std::vector<std::int32_t>> blockIdx(nb);
  std::vector<std::vector<std::int64_t>> blockCounts(nb);
  parallel::forBlocks(rows, kRowBlock, [&](std::int64_t blk, std::int64_t begin, std::int64_t end) {
    auto& idx = blockIdx[static_cast<std::size_t>(blk)];
    auto& counts = blockCounts[static_cast<std::size_t>(blk)];
    for (std::int64_t r = begin; r < end; ++r) {
      const std::size_t before = idx.size();
      col[r].forEach([&](std::int64_t j, double v) {
        if (v != 0.0 && v > t) idx.push_back(static_cast<std::int32_t>(j));
      });
      counts.push_back(static_cast<std::int64_t>(idx.size() - before));
    }
  });
  std::vector<std::int64_t> offsets{0};
  offsets.reserve(static_cast<std::size_t>(rows) + 1);
  std::vector<std::int32_t> indices;
  for (std::size_t b = 0; b < nb; ++b) {
    for (auto c : blockCounts[b]) offsets.push_back(offsets.back() + c);
    indices.insert(indices.end(), blockIdx[b].begin(), blockIdx[b].end());
    std::vector<std::int32_t>().swap(blockIdx[b]);
  }
  std::vector<double> values(indices.size(), 1.0);
  return VectorColumn::sparse(col.dim(), std::move(offsets), std::move(indices),
                              std::move(values));
}

// threshold < 0: every position 1.0 but the stored non-zero values <= threshold (Spark's dense
// path; NaN and implicit zeros stay 1.0).
ColumnPtr binarizeDense(const VectorColumn& col, double t) {
  const std::int64_t rows = col.size();
  const std::int64_t d = col.dim();
  std::vector<double> values(static_cast<std::size_t>(rows * d), 1.0);
  parallel::forBlocks(rows, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      double* out = values.data() + r * d;
      col[r].forEach([&](std::int64_t j, double v) {
        if (v != 0.0 && v <= t) out[j] = 0.0;
      });
    }
  });
  return VectorColumn::dense(rows, d, std::move(values));
}

}  // namespace

Binarizer::Binarizer() : Binarizer(randomUid(kUidPrefix)) {}
Binarizer::Binarizer(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

std::vector<std::tuple<std::string, std::string, double>> Binarizer::columns() const {
  const auto fail = [&](const std::string& why) {
    throw ParamError(fmt::format("{}: {}", describe(), why));
  };
  const bool single = isSet(inputCol);
  if (single && isSet(inputCols))
    fail("requires exactly one of inputCol, inputCols Params to be set, but both are set");
  if (!single && !isSet(inputCols))
    fail("requires exactly one of inputCol, inputCols Params to be set, but neither is set");
  if (single) {
    if (isSet(outputCols))
      fail(
          "has the inputCol Param set for single-column transform. The following Params are "
          "not applicable and should not be set: outputCols");
    if (isSet(thresholds)) fail("thresholds can't be set for single-column Binarizer");
    return {{getInputCol(), getOutputCol(), getThreshold()}};
  }
  if (isSet(outputCol))
    fail(
        "has the inputCols Param set for multi-column transform. The following Params are not "
        "applicable and should not be set: outputCol");
  if (!isSet(outputCols))
    fail(
        "has the inputCols Param set for multi-column transform. The following Params must be "
        "defined but are not set: outputCols");
  const auto ins = getInputCols();
  const auto outs = getOutputCols();
  if (ins.size() != outs.size())
    fail(fmt::format(
        "has mismatched Params for multi-column transform. Params (inputCols, outputCols) "
        "should have equal lengths, but they have different lengths: ({}, {})",
        ins.size(), outs.size()));
  std::vector<double> ts(ins.size(), getThreshold());
  if (isSet(thresholds)) {
    ts = getThresholds();
    if (ts.size() != ins.size())
      fail(fmt::format(
          "has mismatched Params for multi-column transform. Params (inputCols, outputCols, "
          "thresholds) should have equal lengths, but they have different lengths: ({}, {}, {})",
          ins.size(), outs.size(), ts.size()));
    if (isSet(threshold))
      fail("exactly one of threshold, thresholds Params to be set, but both are set");
  }
  std::vector<std::tuple<std::string, std::string, double>> out;
  for (std::size_t k = 0; k < ins.size(); ++k) out.emplace_back(ins[k], outs[k], ts[k]);
  return out;
}

Schema Binarizer::transformSchema(const Schema& input) const {
  Schema out = input;
  for (const auto& [in, o, t] : columns()) {
    const DataType type = input.field(in).type;  // ColumnError naming `in` when missing
    if (type != DataType::kDouble && type != DataType::kVector)
      throw ColumnError(fmt::format("{}: column '{}' must be of type double or vector but is {}",
                                    describe(), in, toString(type)));
    out.requireAbsent(describe(), o);
    out = out.with({o, type});
  }
  return out;
}

Frame Binarizer::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  Frame out = input;
  for (const auto& [in, o, t] : columns()) {
    ColumnPtr result;
    if (input.schema().field(in).type == DataType::kDouble) {
      const auto x = input.col<DoubleColumn>(in).values();
      std::vector<double> v(x.size());
      const double thr = t;
      parallel::forBlocks(static_cast<std::int64_t>(x.size()), kRowBlock * 64,
                          [&](std::int64_t, std::int64_t begin, std::int64_t end) {
                            for (std::int64_t k = begin; k < end; ++k)
                              v[k] = !std::isnan(x[k]) && x[k] > thr ? 1.0 : 0.0;
                          });
      result = makeDoubleColumn(std::move(v));
    } else {
      const auto& col = input.col<VectorColumn>(in);
      result = t >= 0.0 ? binarizeSparse(col, t) : binarizeDense(col, t);
    }
    out = out.withColumn(o, std::move(result));
  }
  return out;
}

}  // namespace td

// src/feature/bucketizer.cc
#include "thunderdome/feature/bucketizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 4096;

// Java's Double.toString for the values in Spark's messages: 5.0, -Infinity, 0.25.
std::string javaDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == std::floor(v) && std::fabs(v) < 1e7) return fmt::format("{:.1f}", v);
  return fmt::format("{}", v);
}

// Java's Double.compare for non-NaN values: numeric order, and -0.0 below 0.0.
bool javaLess(double a, double b) {
  if (a < b) return true;
  if (a > b) return false;
  return std::bit_cast<std::int64_t>(a) < std::bit_cast<std::int64_t>(b);
}

// A numeric input column as doubles (Spark casts numeric columns to double).
std::vector<double> numericValues(const Frame& f, const std::string& name) {
  return f.numeric(name);
}
}  // namespace

bool Bucketizer::checkSplits(std::span<const double> splits) {
  if (splits.size() < 3) return false;
  for (std::size_t i = 0; i + 1 < splits.size(); ++i)
    if (splits[i] >= splits[i + 1] || std::isnan(splits[i])) return false;
  return !std::isnan(splits.back());
}

double Bucketizer::binarySearchForBuckets(std::span<const double> splits, double feature,
                                          bool keepInvalid) {
  if (std::isnan(feature)) {
    if (keepInvalid) return static_cast<double>(splits.size() - 1);
    throw DataError(
        "Bucketizer encountered NaN value. To handle or skip NaNs, try setting "
        "Bucketizer.handleInvalid.");
  }
  if (feature == splits.back()) return static_cast<double>(splits.size() - 2);
  // java.util.Arrays.binarySearch: the index of an equal value, else the insertion point.
  const auto it = std::lower_bound(splits.begin(), splits.end(), feature, javaLess);
  const auto pos = static_cast<std::size_t>(it - splits.begin());
  if (it != splits.end() && !javaLess(feature, *it)) return static_cast<double>(pos);
  if (pos == 0 || pos == splits.size())
    throw DataError(fmt::format(
        "Feature value {} out of Bucketizer bounds [{}, {}].  Check your features, or loosen "
        "the lower/upper bound constraints.",
        javaDouble(feature), javaDouble(splits.front()), javaDouble(splits.back())));
  return static_cast<double>(pos - 1);
}

Bucketizer::Bucketizer() : Bucketizer(randomUid(kUidPrefix)) {}
Bucketizer::Bucketizer(std::string uid) : Model(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

bool Bucketizer::isRowWise() const { return getHandleInvalid() != "skip"; }

std::vector<std::pair<std::string, std::string>> Bucketizer::inOutCols() const {
  return shared::singleOrMultiColumns(*this);
}

Schema Bucketizer::transformSchema(const Schema& input) const {
  const auto pairs = inOutCols();
  (void)getSplits();  // required: a ParamError naming it when unset
  Schema out = input;
  for (const auto& [in, o] : pairs) {
    const DataType t = input.field(in).type;  // ColumnError listing the columns if missing
    if (t != DataType::kDouble && t != DataType::kInt64)
      throw ColumnError(fmt::format("{}: column '{}' must be numeric (double or bigint) but is {}",
                                    describe(), in, toString(t)),
                        in);
    out.requireAbsent(describe(), o);
    out = out.with({o, DataType::kDouble});
  }
  return out;
}

Frame Bucketizer::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto pairs = inOutCols();
  const std::vector<double> splits = getSplits();
  const std::string handle = getHandleInvalid();
  std::vector<std::vector<double>> columns;
  for (const auto& p : pairs) columns.push_back(numericValues(input, p.first));
  Frame base = input;
  if (handle == "skip") {
    // Spark: dataset.na.drop(inputCols): rows with a NaN in any input column go.
    std::vector<std::int64_t> keep;
    for (std::int64_t r = 0; r < input.numRows(); ++r) {
      bool ok = true;
      for (const auto& c : columns) ok = ok && !std::isnan(c[static_cast<std::size_t>(r)]);
      if (ok) keep.push_back(r);
    }
    if (static_cast<std::int64_t>(keep.size()) != input.numRows()) {
      base = input.take(keep);
      for (auto& c : columns) {
        std::vector<double> kept;
        kept.reserve(keep.size());
        for (auto r : keep) kept.push_back(c[static_cast<std::size_t>(r)]);
        c = std::move(kept);
      }
    }
  }
  const bool keepInvalid = handle == "keep";
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const auto& in = columns[k];
    const auto n = static_cast<std::int64_t>(in.size());
    std::vector<double> out(in.size());
    // The first failing row of each block; the earliest one is reported.
    std::vector<std::int64_t> bad(static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)), -1);
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      for (std::int64_t r = begin; r < end; ++r) {
        const double x = in[static_cast<std::size_t>(r)];
        if (std::isnan(x) && !keepInvalid) {
          bad[static_cast<std::size_t>(b)] = r;
          return;
        }
        if (!std::isnan(x) && (javaLess(x, splits.front()) || splits.back() < x)) {
          bad[static_cast<std::size_t>(b)] = r;
          return;
        }
        out[static_cast<std::size_t>(r)] = binarySearchForBuckets(splits, x, keepInvalid);
      }
    });
    for (std::int64_t r : bad) {
      if (r < 0) continue;
      try {
        (void)binarySearchForBuckets(splits, in[static_cast<std::size_t>(r)], keepInvalid);
      } catch (const DataError& e) {
        throw DataError(fmt::format("{}: column '{}', {}: {}", describe(), pairs[k].first,
                                    base.rowLocation(r), e.what()));
      }
    }
    base = base.withColumn(pairs[k].second, makeDoubleColumn(std::move(out)));
  }
  return base;
}

}  // namespace td

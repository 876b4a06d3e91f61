// src/feature/quantile_discretizer.cc
#include "thunderdome/feature/quantile_discretizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace td {

QuantileDiscretizer::QuantileDiscretizer() : QuantileDiscretizer(randomUid(kUidPrefix)) {}
QuantileDiscretizer::QuantileDiscretizer(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema QuantileDiscretizer::transformSchema(const Schema& input) const {
  const std::string in = getInputCol();
  const DataType t = input.field(in).type;  // ColumnError listing the columns if missing
  if (t != DataType::kDouble && t != DataType::kInt64)
    throw ColumnError(fmt::format("{}: column '{}' must be numeric (double or bigint) but is {}",
                                  describe(), in, toString(t)),
                      in);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kDouble});
}

std::vector<double> QuantileDiscretizer::splitsFor(std::vector<double> values) const {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  if (values.empty())
    throw DataError(fmt::format("{}: column '{}' holds no value that is not NaN: no quantile "
                                "to split at",
                                describe(), getInputCol()));
  std::sort(values.begin(), values.end());
  const std::int64_t numBuckets = getNumBuckets();
  const double relativeError = getRelativeError();
  const auto count = static_cast<std::int64_t>(values.size());
  // Spark's QuantileSummaries.query on a summary that holds every value.
  const auto quantile = [&](double q) {
    if (q <= relativeError) return values.front();
    if (q >= 1.0 - relativeError) return values.back();
    const auto rank = static_cast<std::int64_t>(std::ceil(q * static_cast<double>(count)));
    return values[static_cast<std::size_t>(std::clamp<std::int64_t>(rank - 1, 0, count - 1))];
  };
  // Spark's getDistinctSplits: ends replaced by -Inf/+Inf, -0.0 as 0.0, distinct, sorted.
  std::vector<double> splits;
  splits.reserve(static_cast<std::size_t>(numBuckets) + 1);
  splits.push_back(-std::numeric_limits<double>::infinity());
  for (std::int64_t i = 1; i < numBuckets; ++i) {
    const double s = quantile(static_cast<double>(i) / static_cast<double>(numBuckets));
    splits.push_back(s == 0.0 ? 0.0 : s);
  }
  splits.push_back(std::numeric_limits<double>::infinity());
  std::sort(splits.begin(), splits.end());
  splits.erase(std::unique(splits.begin(), splits.end()), splits.end());
  if (splits.size() < 3)
    throw DataError(fmt::format(
        "{}: the quantiles of column '{}' are infinite: the splits [-Infinity, Infinity] "
        "make fewer than 2 buckets (Spark fails setting them on the Bucketizer)",
        describe(), getInputCol()));
  return splits;
}

std::shared_ptr<Model> QuantileDiscretizer::fitImpl(const Frame& data,
                                                    const Context& /*ctx*/) const {
  auto splits = splitsFor(data.numeric(getInputCol()));
  auto model = std::make_shared<Bucketizer>(uid());
  model->setHandleInvalid(getHandleInvalid());
  model->setSplits(splits);
  // Spark's copyValues: the params both declare (inputCol, outputCol, handleInvalid).
  for (const auto& [name, value] : userValues())
    if (model->hasParam(name)) model->set(name, value);
  return model;
}

}  // namespace td

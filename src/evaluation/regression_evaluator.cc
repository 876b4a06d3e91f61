// src/evaluation/regression_evaluator.cc
#include "thunderdome/evaluation/regression_evaluator.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "thunderdome/core/error.h"

namespace td {

RegressionEvaluator::RegressionEvaluator() : RegressionEvaluator(randomUid(kUidPrefix)) {}
RegressionEvaluator::RegressionEvaluator(std::string uid) : Evaluator(std::move(uid), schema()) {}

bool RegressionEvaluator::isLargerBetter() const {
  const std::string m = getMetricName();
  return m == "r2" || m == "var";
}

double RegressionEvaluator::evaluateImpl(const Frame& predictions) const {
  const std::string predCol = getPredictionCol();
  const std::string label = getLabelCol();
  const bool weighted = isDefined("weightCol") && !get(weightCol).empty();
  std::vector<std::string> cols{predCol, label};
  if (weighted) cols.push_back(get(weightCol));
  std::vector<std::vector<double>> values;
  for (const auto& c : cols) {
    try {
      predictions.requireNoNulls(describe(), c);
      values.push_back(predictions.numeric(c));
    } catch (const ColumnError& e) {
      throw ColumnError(describe() + ": " + e.what(), e.column());
    }
  }
  const std::int64_t n = predictions.numRows();
  if (n == 0)
    throw DataError(fmt::format("{}: cannot compute {} of an empty dataset", describe(),
                                getMetricName()));
  const auto& yhat = values[0];
  const auto& y = values[1];
  const auto weight = [&](std::size_t i) { return weighted ? values[2][i] : 1.0; };
  // Spark's RegressionMetrics: weighted sums over (y, y - ŷ, ŷ).
  double w = 0.0, w2 = 0.0, sy = 0.0, ssy = 0.0, sserr = 0.0, sae = 0.0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    const double wi = weight(i);
    for (std::size_t c = 0; c < values.size(); ++c)
      if (!std::isfinite(values[c][i]))
        throw DataError(fmt::format("{}: column '{}' holds {} at {}", describe(), cols[c],
                                    values[c][i], predictions.rowLocation(static_cast<std::int64_t>(i))));
    if (wi < 0.0)
      throw DataError(fmt::format("{}: weight column '{}' holds the negative weight {} at {}",
                                  describe(), cols[2], wi,
                                  predictions.rowLocation(static_cast<std::int64_t>(i))));
    const double err = y[i] - yhat[i];
    w += wi;
    w2 += wi * wi;
    sy += wi * y[i];
    ssy += wi * y[i] * y[i];
    sserr += wi * err * err;
    sae += wi * std::abs(err);
  }
  if (!(w > 0.0))
    throw DataError(fmt::format("{}: the weights in column '{}' sum to {}", describe(),
                                weighted ? cols[2] : std::string("(none)"), w));
  const double ybar = sy / w;
  double m2 = 0.0, ssreg = 0.0;  // Σw(y - ȳ)², Σw(ŷ - ȳ)²
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    const double wi = weight(i);
    m2 += wi * (y[i] - ybar) * (y[i] - ybar);
    ssreg += wi * (yhat[i] - ybar) * (yhat[i] - ybar);
  }
  const std::string metric = getMetricName();
  if (metric == "mse") return sserr / w;
  if (metric == "rmse") return std::sqrt(sserr / w);
  if (metric == "mae") return sae / w;
  if (metric == "var") return ssreg / w;
  // r2. Spark: SStot = variance(y) * (weightSum - 1), its unbiased weighted variance being
  // M2 / (W - ΣW²/W): Σ(y - ȳ)² for unit weights.
  if (getThroughOrigin()) return 1.0 - sserr / ssy;
  const double denom = w - w2 / w;
  const double sstot = denom > 0.0 ? m2 / denom * (w - 1.0) : 0.0;
  return 1.0 - sserr / sstot;
}

}  // namespace td

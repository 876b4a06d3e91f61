// src/evaluation/multiclass_classification_evaluator.cc
#include "thunderdome/evaluation/multiclass_classification_evaluator.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "thunderdome/core/error.h"

namespace td {

namespace {

// The rows' values of the numeric column `name` (nulls refused), errors prefixed by `who`.
std::vector<double> numbers(const Frame& f, const std::string& who, const std::string& name) {
  try {
    f.requireNoNulls(who, name);
    return f.numeric(name);
  } catch (const ColumnError& e) {
    throw ColumnError(who + ": " + e.what(), e.column());
  }
}

}  // namespace

MulticlassClassificationEvaluator::MulticlassClassificationEvaluator()
    : MulticlassClassificationEvaluator(randomUid(kUidPrefix)) {}
MulticlassClassificationEvaluator::MulticlassClassificationEvaluator(std::string uid)
    : Evaluator(std::move(uid), schema()) {}

bool MulticlassClassificationEvaluator::isLargerBetter() const {
  const std::string m = getMetricName();
  return !(m == "weightedFalsePositiveRate" || m == "falsePositiveRateByLabel" ||
           m == "logLoss" || m == "hammingLoss");
}

ConfusionCounts MulticlassClassificationEvaluator::confusion(const Frame& predictions) const {
  const std::int64_t n = predictions.numRows();
  if (n == 0)
    throw DataError(fmt::format("{}: cannot compute {} of an empty dataset", describe(),
                                getMetricName()));
  const auto prediction = numbers(predictions, describe(), getPredictionCol());
  const auto label = numbers(predictions, describe(), getLabelCol());
  const bool weighted = isDefined("weightCol") && !get(weightCol).empty();
  const auto weight = weighted ? numbers(predictions, describe(), get(weightCol))
                               : std::vector<double>();
  ConfusionCounts c;
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    const double w = weighted ? weight[i] : 1.0;
    const auto where = [&] { return predictions.rowLocation(static_cast<std::int64_t>(i)); };
    if (std::isnan(label[i]) || std::isnan(prediction[i]))
      throw DataError(fmt::format("{}: {} '{}' is NaN at {}", describe(),
                                  std::isnan(label[i]) ? "label column" : "prediction column",
                                  std::isnan(label[i]) ? getLabelCol() : getPredictionCol(),
                                  where()));
    if (!(w >= 0.0) || std::isinf(w))
      throw DataError(fmt::format("{}: weight column '{}' holds {} at {} (weights must be finite "
                                  "and non-negative)",
                                  describe(), get(weightCol), w, where()));
    c.cells[{label[i], prediction[i]}] += w;
    c.byLabel[label[i]] += w;
    c.total += w;
    if (label[i] == prediction[i]) c.truePositives[label[i]] += w;
    else c.falsePositives[prediction[i]] += w;
  }
  if (!(c.total > 0.0))
    throw DataError(fmt::format("{}: the weights in column '{}' sum to {}", describe(),
                                get(weightCol), c.total));
  return c;
}

double MulticlassClassificationEvaluator::evaluateImpl(const Frame& predictions) const {
  const std::string metric = getMetricName();
  if (metric == "logLoss") {
    // Spark's logLoss: -Σ w log(clip(p[label], eps, 1 - eps)) / Σ w.
    const std::string probCol = getProbabilityCol();
    const auto& prob = [&]() -> const VectorColumn& {
      try {
        predictions.requireNoNulls(describe(), probCol);
        return predictions.col<VectorColumn>(probCol);
      } catch (const ColumnError& e) {
        throw ColumnError(describe() + ": " + e.what(), e.column());
      }
    }();
    const auto label = numbers(predictions, describe(), getLabelCol());
    const bool weighted = isDefined("weightCol") && !get(weightCol).empty();
    const auto weight = weighted ? numbers(predictions, describe(), get(weightCol))
                                 : std::vector<double>();
    if (predictions.numRows() == 0)
      throw DataError(fmt::format("{}: cannot compute logLoss of an empty dataset", describe()));
    const double eps = getEps();
    double loss = 0.0, total = 0.0;
    for (std::int64_t i = 0; i < predictions.numRows(); ++i) {
      const auto u = static_cast<std::size_t>(i);
      const double y = label[u];
      if (!(y >= 0.0) || y != std::floor(y) || y >= static_cast<double>(prob.dim()))
        throw DataError(fmt::format(
            "{}: label {} at {} is not a class index of the {}-class probability column '{}'",
            describe(), y, predictions.rowLocation(i), prob.dim(), probCol));
      const double w = weighted ? weight[u] : 1.0;
      if (!(w >= 0.0) || std::isinf(w))
        throw DataError(fmt::format("{}: weight column '{}' holds {} at {}", describe(),
                                    get(weightCol), w, predictions.rowLocation(i)));
      const double p = prob[i].at(static_cast<std::int64_t>(y));
      const double l = p < eps ? -std::log(eps) : p > 1.0 - eps ? -std::log1p(-eps) : -std::log(p);
      loss += l * w;
      total += w;
    }
    if (!(total > 0.0))
      throw DataError(fmt::format("{}: the weights sum to {}", describe(), total));
    return loss / total;
  }

  const ConfusionCounts c = confusion(predictions);
  const auto at = [](const std::map<double, double>& m, double k) {
    const auto it = m.find(k);
    return it == m.end() ? 0.0 : it->second;
  };
  const auto recall = [&](double l) { return at(c.truePositives, l) / c.byLabel.at(l); };
  const auto precision = [&](double l) {
    const double tp = at(c.truePositives, l), fp = at(c.falsePositives, l);
    return tp + fp == 0.0 ? 0.0 : tp / (tp + fp);
  };
  const auto fpr = [&](double l) {
    const double negatives = c.total - c.byLabel.at(l);
    if (!(negatives > 0.0))
      throw DataError(fmt::format(
          "{}: the false positive rate of label {} is undefined: every row has that label",
          describe(), l));
    return at(c.falsePositives, l) / negatives;
  };
  const double beta = getBeta();
  const auto fMeasure = [&](double l) {
    const double p = precision(l), r = recall(l), b2 = beta * beta;
    return p + r == 0.0 ? 0.0 : (1.0 + b2) * p * r / (b2 * p + r);
  };
  const auto weightedBy = [&](auto&& perLabel) {
    double s = 0.0;
    for (const auto& [l, count] : c.byLabel) s += perLabel(l) * count / c.total;
    return s;
  };
  const auto byLabel = [&](auto&& perLabel) {
    const double l = getMetricLabel();
    if (!c.byLabel.contains(l))
      throw DataError(fmt::format("{}: metricLabel {} is not a label of column '{}' (labels: {})",
                                  describe(), l, getLabelCol(), [&] {
                                    std::string s;
                                    for (const auto& [k, v] : c.byLabel)
                                      s += (s.empty() ? "" : ", ") + fmt::format("{}", k);
                                    return s;
                                  }()));
    return perLabel(l);
  };
  if (metric == "accuracy") {
    double tp = 0.0;
    for (const auto& [l, w] : c.truePositives) tp += w;
    return tp / c.total;
  }
  if (metric == "hammingLoss") {
    double wrong = 0.0;
    for (const auto& [key, w] : c.cells)
      if (key.first != key.second) wrong += w;
    return wrong / c.total;
  }
  if (metric == "weightedPrecision") return weightedBy(precision);
  if (metric == "weightedRecall" || metric == "weightedTruePositiveRate") return weightedBy(recall);
  if (metric == "weightedFalsePositiveRate") return weightedBy(fpr);
  if (metric == "f1") {
    const auto f1 = [&](double l) {
      const double p = precision(l), r = recall(l);
      return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r);
    };
    return weightedBy(f1);
  }
  if (metric == "weightedFMeasure") return weightedBy(fMeasure);
  if (metric == "truePositiveRateByLabel" || metric == "recallByLabel") return byLabel(recall);
  if (metric == "falsePositiveRateByLabel") return byLabel(fpr);
  if (metric == "precisionByLabel") return byLabel(precision);
  return byLabel(fMeasure);  // fMeasureByLabel
}

}  // namespace td

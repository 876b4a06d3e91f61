// src/evaluation/binary_classification_evaluator.cc
#include "thunderdome/evaluation/binary_classification_evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "thunderdome/core/shared_params.h"

namespace td {

BinaryCurves binaryCurves(const std::vector<double>& scores, const std::vector<double>& labels,
                          const std::vector<double>& weights, std::int64_t numBins) {
  const std::size_t n = scores.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  // One entry per distinct score: (score, positive weight, negative weight), descending.
  struct Bin { double score, pos, neg; };
  std::vector<Bin> bins;
  double totalPos = 0.0, totalNeg = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    const double w = weights.empty() ? 1.0 : weights[i];
    const bool positive = labels[i] > 0.5;
    if (bins.empty() || bins.back().score != scores[i]) bins.push_back({scores[i], 0.0, 0.0});
    (positive ? bins.back().pos : bins.back().neg) += w;
    (positive ? totalPos : totalNeg) += w;
  }
  // Spark's down-sampling: merge runs of `grouping` consecutive distinct scores.
  if (numBins > 0) {
    const auto grouping = static_cast<std::int64_t>(bins.size()) / numBins;
    if (grouping >= 2) {
      std::vector<Bin> merged;
      for (std::size_t k = 0; k < bins.size(); k += static_cast<std::size_t>(grouping)) {
        Bin m{0.0, 0.0, 0.0};
        const std::size_t end = std::min(bins.size(), k + static_cast<std::size_t>(grouping));
        for (std::size_t j = k; j < end; ++j) {
          m.pos += bins[j].pos;
          m.neg += bins[j].neg;
        }
        m.score = bins[end - 1].score;  // Spark 3: the chunk's last (lowest) score
        merged.push_back(m);
      }
      bins = std::move(merged);
    }
  }
  BinaryCurves out;
  out.roc.push_back({0.0, 0.0});
  double tp = 0.0, fp = 0.0;
  for (const Bin& b : bins) {
    tp += b.pos;
    fp += b.neg;
    const double tpr = totalPos > 0 ? tp / totalPos : 0.0;
    const double fpr = totalNeg > 0 ? fp / totalNeg : 0.0;
    const double precision = (tp + fp) > 0 ? tp / (tp + fp) : 1.0;
    out.roc.push_back({fpr, tpr});
    out.pr.push_back({tpr, precision});
    out.thresholds.push_back(b.score);
  }
  out.roc.push_back({1.0, 1.0});
  const double p0 = out.pr.empty() ? 1.0 : out.pr.front().y;
  out.pr.insert(out.pr.begin(), {0.0, p0});
  return out;
}

double areaUnderCurve(const std::vector<CurvePoint>& points) {
  double area = 0.0;
  for (std::size_t k = 1; k < points.size(); ++k)
    area += (points[k].x - points[k - 1].x) * (points[k].y + points[k - 1].y) / 2.0;
  return area;
}

BinaryClassificationEvaluator::BinaryClassificationEvaluator()
    : BinaryClassificationEvaluator(randomUid(kUidPrefix)) {}
BinaryClassificationEvaluator::BinaryClassificationEvaluator(std::string uid)
    : Evaluator(std::move(uid), schema()) {}

BinaryCurves BinaryClassificationEvaluator::curves(const Frame& predictions) const {
  const std::string rawCol = get(rawPredictionCol);
  const std::string labelCol = get(BinaryClassificationEvaluator::labelCol);
  const Schema& sc = predictions.schema();
  (void)sc.field(rawCol);
  const DataType rawType = sc.field(rawCol).type;
  if (rawType != DataType::kVector && rawType != DataType::kDouble)
    throw ColumnError(fmt::format("{}: column '{}' must be of type vector or double but is {}",
                                  describe(), rawCol, toString(rawType)));
  const std::int64_t n = predictions.numRows();
  if (n == 0)
    throw DataError(fmt::format("{}: cannot compute {} of an empty dataset", describe(),
                                getMetricName()));
  std::vector<double> labels;
  try {
    labels = predictions.numeric(labelCol);
  } catch (const ColumnError& e) {
    throw ColumnError(describe() + ": " + e.what());
  }
  std::vector<double> weights;
  if (isDefined("weightCol") && !get(weightCol).empty())
    weights = predictions.numeric(get(weightCol));
  std::vector<double> scores(static_cast<std::size_t>(n));
  if (rawType == DataType::kVector) {
    const auto& v = predictions.col<VectorColumn>(rawCol);
    if (v.dim() < 2)
      throw ColumnError(fmt::format("{}: vector column '{}' must have 2 elements, has {}",
                                    describe(), rawCol, v.dim()));
    for (std::int64_t i = 0; i < n; ++i) scores[static_cast<std::size_t>(i)] = v[i].at(1);
  } else {
    const auto s = predictions.col<DoubleColumn>(rawCol).values();
    scores.assign(s.begin(), s.end());
  }
  bool anyPos = false, anyNeg = false;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (std::isnan(scores[k]))
      throw DataError(fmt::format("{}: row {} has a NaN score in column '{}'", describe(), i,
                                  rawCol));
    if (std::isnan(labels[k]))
      throw DataError(fmt::format("{}: row {} has a NaN label in column '{}'", describe(), i,
                                  labelCol));
    (labels[k] > 0.5 ? anyPos : anyNeg) = true;
  }
  if (!anyPos || !anyNeg)
    throw DataError(fmt::format(
        "{}: {} is undefined when label column '{}' holds a single class (all {} rows are {})",
        describe(), getMetricName(), labelCol, n, anyPos ? "positive" : "negative"));
  return binaryCurves(scores, labels, weights, get(numBins));
}

double BinaryClassificationEvaluator::evaluateImpl(const Frame& predictions) const {
  const BinaryCurves c = curves(predictions);
  return areaUnderCurve(getMetricName() == "areaUnderPR" ? c.pr : c.roc);
}

}  // namespace td

// cli/scoring.cc
#include "scoring.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <map>
#include <set>

#include "options.h"
#include "thunderdome/core/error.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/evaluation/multiclass_classification_evaluator.h"
#include "thunderdome/evaluation/regression_evaluator.h"

namespace td::cli {

namespace {

constexpr const char* kRawPredictionCol = "rawPrediction";

std::string where(const Frame& data, std::int64_t row, const std::string& path) {
  return data.origins() ? data.rowLocation(row) : fmt::format("{}, row {}", path, row);
}

// The width of a vector column, or 0 when it is not one.
std::int64_t vectorWidth(const Frame& f, const std::string& col) {
  if (!f.schema().contains(col) || f.schema().field(col).type != DataType::kVector) return 0;
  return f.col<VectorColumn>(col).dim();
}

bool isNumeric(const Frame& f, const std::string& col) {
  if (!f.schema().contains(col)) return false;
  const DataType t = f.schema().field(col).type;
  return t == DataType::kDouble || t == DataType::kInt64;
}

// The three evaluator classes, each with its metric names.
std::vector<std::shared_ptr<Evaluator>> evaluatorClasses() {
  return {std::make_shared<BinaryClassificationEvaluator>("evaluator"),
          std::make_shared<MulticlassClassificationEvaluator>("evaluator"),
          std::make_shared<RegressionEvaluator>("evaluator")};
}

bool accepts(const Evaluator& e, const std::string& metric) {
  try {
    (void)e.validate("metricName", ParamValue(metric));
    return true;
  } catch (const ParamError&) {
    return false;
  }
}

// Label, prediction and weight columns of `frames`, pooled into one frame.
Frame pooled(const std::vector<Frame>& frames, const std::string& label,
             const std::string& prediction, const std::string& weight) {
  std::vector<double> y, p, w;
  const bool weighted = !weight.empty() && !frames.empty() && isNumeric(frames[0], weight);
  for (const Frame& f : frames) {
    const auto fy = f.numeric(label), fp = f.numeric(prediction);
    y.insert(y.end(), fy.begin(), fy.end());
    p.insert(p.end(), fp.begin(), fp.end());
    if (weighted) {
      const auto fw = f.numeric(weight);
      w.insert(w.end(), fw.begin(), fw.end());
    }
  }
  std::vector<std::pair<std::string, ColumnPtr>> cols;
  cols.emplace_back(label, std::make_shared<DoubleColumn>(std::move(y)));
  if (prediction != label) cols.emplace_back(prediction, std::make_shared<DoubleColumn>(std::move(p)));
  if (weighted && weight != label && weight != prediction)
    cols.emplace_back(weight, std::make_shared<DoubleColumn>(std::move(w)));
  return Frame(std::move(cols));
}

}  // namespace

PredictionKind predictionKind(const Frame& predictions) {
  if (!predictions.schema().contains(kRawPredictionCol)) return PredictionKind::kRegression;
  return vectorWidth(predictions, kRawPredictionCol) > 2 ? PredictionKind::kMulticlass
                                                         : PredictionKind::kBinary;
}

std::shared_ptr<Evaluator> defaultEvaluator(PredictionKind kind) {
  switch (kind) {
    case PredictionKind::kMulticlass:
      return std::make_shared<MulticlassClassificationEvaluator>("evaluator");
    case PredictionKind::kRegression: return std::make_shared<RegressionEvaluator>("evaluator");
    case PredictionKind::kBinary: break;
  }
  return std::make_shared<BinaryClassificationEvaluator>("evaluator");
}

std::shared_ptr<Evaluator> evaluatorForMetric(const std::string& metric, const Evaluator& base) {
  if (accepts(base, metric)) {
    auto e = base.copyEvaluator({});
    e->set("metricName", metric);
    return e;
  }
  std::vector<std::string> known;
  for (auto& e : evaluatorClasses()) {
    if (accepts(*e, metric)) {
      for (const char* p : {"labelCol", "predictionCol", "weightCol"})
        if (e->hasParam(p) && base.hasParam(p) && base.isSet(p)) e->set(p, base.getOrDefault(p));
      e->set("metricName", metric);
      return e;
    }
    known.push_back(fmt::format("{}: {}", e->className(), e->spec("metricName").validator.rule));
  }
  throw ParamError(fmt::format("unknown metric '{}'; the metrics are: {}", metric,
                               fmt::join(known, "; ")));
}

void checkLabels(const Evaluator& evaluator, const Frame& predictions, const std::string& path) {
  const bool binary = dynamic_cast<const BinaryClassificationEvaluator*>(&evaluator) != nullptr;
  const bool multiclass =
      dynamic_cast<const MulticlassClassificationEvaluator*>(&evaluator) != nullptr;
  if (!binary && !multiclass) return;
  const std::string metric = evaluator.getString("metricName");
  if (binary) {
    const std::string raw = evaluator.getString("rawPredictionCol");
    if (!predictions.schema().contains(raw))
      throw ParamError(fmt::format(
          "{} scores a binary classifier's column '{}', which the model does not write (a "
          "regression model writes only a prediction): use a regression metric such as rmse, "
          "mae or r2 (RegressionEvaluator)",
          metric, raw));
    if (const auto k = vectorWidth(predictions, raw); k > 2)
      throw ParamError(fmt::format(
          "{} scores a binary classifier, but the model predicts {} classes (column '{}' has "
          "{} values a row): use a multiclass metric such as f1 or accuracy "
          "(MulticlassClassificationEvaluator)",
          metric, k, raw, k));
  }
  const std::string label = evaluator.getString("labelCol");
  if (!isNumeric(predictions, label)) return;  // the evaluator names the column's problem
  const std::vector<double> y = predictions.numeric(label);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double v = y[i];
    const bool ok = binary ? (v == 0.0 || v == 1.0)
                           : (std::isfinite(v) && v >= 0.0 && v == std::floor(v));
    if (ok) continue;
    const std::string at = where(predictions, static_cast<std::int64_t>(i), path);
    if (binary)
      throw DataError(fmt::format(
          "{}: label column '{}' has invalid value {}: {} scores two classes, labelled 0.0 and "
          "1.0 (for more classes use a multiclass metric such as f1 or accuracy)",
          at, label, v, metric));
    throw DataError(fmt::format(
        "{}: label column '{}' has invalid value {}: {} scores classes, whose labels must be "
        "the integers 0, 1, ..., K-1",
        at, label, v, metric));
  }
}

void checkBinaryClasses(const Evaluator& evaluator, const Frame& data, const std::string& path) {
  if (!dynamic_cast<const BinaryClassificationEvaluator*>(&evaluator)) return;
  const std::string label = evaluator.getString("labelCol");
  if (!isNumeric(data, label)) return;
  const std::vector<double> y = data.numeric(label);
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!(y[i] >= 2.0 && y[i] == std::floor(y[i]))) continue;
    throw DataError(fmt::format(
        "{}: label column '{}' has value {} (a class beyond 0 and 1), but the evaluator's {} "
        "scores two classes: for K classes use a MulticlassClassificationEvaluator (f1, "
        "accuracy, ...)",
        where(data, static_cast<std::int64_t>(i), path), label, y[i],
        evaluator.getString("metricName")));
  }
}

double evaluateData(const Evaluator& evaluator, const Frame& predictions, const Frame& input,
                    const std::string& path) {
  try {
    checkLabels(evaluator, predictions, path);
    return evaluator.evaluate(predictions);
  } catch (const ColumnError& e) {
    // A column of the input (or missing from both) is the file's problem.
    if (!predictions.schema().contains(e.column()) || input.schema().contains(e.column()))
      throw asInputColumnError(e, input, path);
    throw;
  }
}

void addHeldOutPlots(ReportData& report, const Evaluator& evaluator,
                     const std::vector<Frame>& predictions) {
  if (predictions.empty()) return;
  if (const auto* b = dynamic_cast<const BinaryClassificationEvaluator*>(&evaluator)) {
    const std::string raw = b->getRawPredictionCol();
    std::vector<double> scores, labels;
    for (const Frame& p : predictions) {
      const auto lab = p.numeric(b->getLabelCol());
      labels.insert(labels.end(), lab.begin(), lab.end());
      if (p.schema().field(raw).type == DataType::kVector) {
        const auto& v = p.col<VectorColumn>(raw);
        for (std::int64_t i = 0; i < p.numRows(); ++i) scores.push_back(v[i].at(1));
      } else {
        const auto s = p.numeric(raw);
        scores.insert(scores.end(), s.begin(), s.end());
      }
    }
    report.curves = binaryCurves(scores, labels, {}, 0);
  } else if (const auto* m = dynamic_cast<const MulticlassClassificationEvaluator*>(&evaluator)) {
    std::map<std::pair<double, double>, double> cells;
    std::set<double> classes;
    for (const Frame& p : predictions) {
      for (const auto& [key, w] : m->confusion(p).cells) {
        cells[key] += w;
        classes.insert(key.first);
        classes.insert(key.second);
      }
    }
    ConfusionMatrix cm;
    cm.classes.assign(classes.begin(), classes.end());
    std::map<double, std::size_t> index;
    for (std::size_t i = 0; i < cm.classes.size(); ++i) index[cm.classes[i]] = i;
    cm.counts.assign(cm.classes.size(), std::vector<double>(cm.classes.size(), 0.0));
    for (const auto& [key, w] : cells) cm.counts[index[key.first]][index[key.second]] += w;
    report.confusion = std::move(cm);
  } else if (const auto* r = dynamic_cast<const RegressionEvaluator*>(&evaluator)) {
    const Frame all = pooled(predictions, r->getLabelCol(), r->getPredictionCol(),
                             r->isSet("weightCol") ? r->getWeightCol() : std::string());
    RegressionPlot plot;
    for (const char* metric : {"rmse", "mae", "r2"}) {
      auto e = r->copyEvaluator({});
      e->set("metricName", std::string(metric));
      plot.metrics.emplace_back(metric, e->evaluate(all));
    }
    const auto y = all.numeric(r->getLabelCol());
    const auto p = all.numeric(r->getPredictionCol());
    plot.totalRows = all.numRows();
    for (const std::size_t i : subsampleIndices(y.size())) {
      plot.actual.push_back(y[i]);
      plot.predicted.push_back(p[i]);
    }
    report.regression = std::move(plot);
  }
}

}  // namespace td::cli

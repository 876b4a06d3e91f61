// include/thunderdome/report/html_report.h
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "thunderdome/evaluation/binary_classification_evaluator.h"

namespace td {

/// One param map's row of the tuning table.
struct ReportRow {
  std::string params;               ///< The param map as text (any characters; escaped on output).
  double mean = 0;                  ///< Mean metric over folds (NaN allowed).
  double std = 0;                   ///< Standard deviation over folds (NaN allowed).
  std::vector<double> foldMetrics;  ///< Each fold's metric (NaN allowed).
  bool best = false;                ///< Highlighted as the chosen param map.
};

/// A multiclass classifier's (weighted) confusion matrix on held-out data.
struct ConfusionMatrix {
  std::vector<double> classes;              ///< Class labels, ascending: actual and predicted ones.
  std::vector<std::vector<double>> counts;  ///< counts[a][p]: weight of rows of class a predicted p.
};

/// A regression model's predictions on held-out data: the points to plot (at most
/// kMaxRegressionPoints, see subsampleIndices) and the metrics over all rows.
struct RegressionPlot {
  std::vector<double> actual;     ///< Labels of the plotted rows.
  std::vector<double> predicted;  ///< Predictions of the plotted rows.
  std::int64_t totalRows = 0;     ///< Rows before subsampling.
  std::vector<std::pair<std::string, double>> metrics;  ///< e.g. ("rmse", 0.28), over all rows.
};

/// The most points a regression plot draws.
inline constexpr std::size_t kMaxRegressionPoints = 2000;

/// Which of `n` rows to plot when at most `max` fit: all of them, else `max` rows evenly spread
/// (row floor(i * n / max) for i < max), the same every time.
std::vector<std::size_t> subsampleIndices(std::size_t n, std::size_t max = kMaxRegressionPoints);

/// Everything the report shows.
struct ReportData {
  std::string title;       ///< Page title and heading.
  std::string metricName;  ///< e.g. "areaUnderROC".
  bool largerBetter = true;
  std::vector<ReportRow> rows;
  std::optional<BinaryCurves> curves;  ///< Best model on validation data; no ROC/PR charts if absent.
  std::optional<ConfusionMatrix> confusion;  ///< Multiclass: a K x K table and per-class rates.
  std::optional<RegressionPlot> regression;  ///< Regression: predicted vs actual, residuals.
  std::vector<std::pair<std::string, std::string>> facts;  ///< e.g. ("folds","3"), ("elapsed","1.2 s").
};

/// Renders one self-contained HTML page (inline CSS and inline SVG, no scripts, no network
/// resources): facts, the tuning table, a metric-per-param-map chart and, on held-out data, ROC
/// and PR curves (binary), a confusion matrix with per-class precision and recall (multiclass)
/// or predicted-vs-actual and residual plots (regression).
std::string renderHtmlReport(const ReportData& data);

/// Writes renderHtmlReport(data) to `path` atomically; throws IoError naming the path on failure.
void writeHtmlReport(const ReportData& data, const std::string& path);

}  // namespace td

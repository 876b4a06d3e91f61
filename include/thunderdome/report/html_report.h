// include/thunderdome/report/html_report.h
#pragma once

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

/// Everything the report shows.
struct ReportData {
  std::string title;       ///< Page title and heading.
  std::string metricName;  ///< e.g. "areaUnderROC".
  bool largerBetter = true;
  std::vector<ReportRow> rows;
  std::optional<BinaryCurves> curves;  ///< Best model on validation data; no ROC/PR charts if absent.
  std::vector<std::pair<std::string, std::string>> facts;  ///< e.g. ("folds","3"), ("elapsed","1.2 s").
};

/// Renders one self-contained HTML page (inline CSS and inline SVG, no scripts, no network
/// resources): facts, the tuning table, a metric-per-param-map chart and, with curves, ROC and PR.
std::string renderHtmlReport(const ReportData& data);

/// Writes renderHtmlReport(data) to `path` atomically; throws IoError naming the path on failure.
void writeHtmlReport(const ReportData& data, const std::string& path);

}  // namespace td

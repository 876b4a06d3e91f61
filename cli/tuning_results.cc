// cli/tuning_results.cc — tuning results as tables and JSON, shared by fit and show.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "commands.h"
#include "thunderdome/persist/param_json.h"
#include "thunderdome/tuning/validator.h"

namespace td::cli {

using nlohmann::json;

std::optional<TuningResults> tuningResults(const PipelineStage& model) {
  if (const TuningModel* t = model.asTuningModel()) return t->tuningSummary();
  return std::nullopt;
}

std::string describeParamMap(const ParamMap& m) {
  std::string out;
  for (const auto& [key, value] : m.entries())
    out += fmt::format("{}{}.{}={}", out.empty() ? "" : ", ", key.first, key.second,
                       value.toString());
  return out.empty() ? "(defaults)" : out;
}

json paramMapToJson(const ParamMap& m) {
  json j = json::object();
  for (const auto& [key, value] : m.entries()) j[key.first + "." + key.second] = paramToJson(value);
  return j;
}

namespace {
std::string metricText(double v) { return std::isnan(v) ? "NaN" : fmt::format("{:.6f}", v); }
}  // namespace

std::string formatTuningTable(const TuningResults& r) {
  // Columns: #, one per grid key (in key order), metric.
  std::vector<std::string> keys;
  for (const auto& m : r.maps)
    for (const auto& [key, value] : m.entries()) {
      const std::string k = key.first + "." + key.second;
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  const bool withStd = !r.stdMetrics.empty();
  const std::string metricHeader =
      withStd ? fmt::format("{} (mean ± std over {} folds)", r.metricName, r.numFolds)
              : fmt::format("{} (validation)", r.metricName);
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"#"});
  for (const auto& k : keys) rows[0].push_back(k);
  rows[0].push_back(metricHeader);
  for (std::size_t i = 0; i < r.maps.size(); ++i) {
    std::vector<std::string> row{std::to_string(i)};
    for (const auto& k : keys) {
      const auto dot = k.rfind('.');  // "uid.param"; a nested stage's uid has dots itself
      const auto v = r.maps[i].get(k.substr(0, dot), k.substr(dot + 1));
      row.push_back(v ? v->toString() : "-");
    }
    std::string metric = metricText(r.avgMetrics[i]);
    if (withStd) metric += " ± " + metricText(r.stdMetrics[i]);
    if (static_cast<std::int64_t>(i) == r.bestIndex) metric += "  <- best";
    row.push_back(metric);
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(rows[0].size(), 0);
  auto displayWidth = [](const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count UTF-8 code points (±)
    return n;
  };
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], displayWidth(row[c]));
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - displayWidth(row[c]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

json tuningToJson(const TuningResults& r) {
  json maps = json::array();
  for (const auto& m : r.maps) maps.push_back(paramMapToJson(m));
  auto doubles = [](const std::vector<double>& v) {
    json a = json::array();
    for (double d : v) a.push_back(doubleToJson(d));
    return a;
  };
  json j{{"method", r.method},
         {"metricName", r.metricName},
         {"isLargerBetter", r.largerBetter},
         {"estimatorParamMaps", maps},
         {"bestIndex", r.bestIndex},
         {"bestParams", paramMapToJson(r.maps[static_cast<std::size_t>(r.bestIndex)])}};
  if (r.method == "crossValidator") {
    j["numFolds"] = r.numFolds;
    j["avgMetrics"] = doubles(r.avgMetrics);
    j["stdMetrics"] = doubles(r.stdMetrics);
    json folds = json::array();
    for (const auto& f : r.foldMetrics) folds.push_back(doubles(f));
    j["foldMetrics"] = folds;
  } else {
    j["validationMetrics"] = doubles(r.avgMetrics);
  }
  return j;
}

}  // namespace td::cli

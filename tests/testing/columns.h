// tests/testing/columns.h — the stages' tests' small data sets: reference CSV files read into
// rows, and vector columns made from rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "thunderdome/frame/column.h"

namespace td::testing {

/// Rows of numbers, one vector per row.
using Rows = std::vector<std::vector<double>>;

/// A small row-major data set: labels, row weights (empty when the file has none) and dense
/// features.
struct LabeledRows {
  std::vector<double> y, w;
  Rows x;
  [[nodiscard]] std::size_t n() const { return y.size(); }
  [[nodiscard]] std::size_t d() const { return x.empty() ? 0 : x[0].size(); }
};

/// Reads a reference CSV of tests/data (`relPath` under TD_TEST_DATA_DIR) with a header line:
/// "label,f0,f1,..." or, with `weighted`, "label,weight,f0,f1,...".
inline LabeledRows readLabeledCsv(const std::string& relPath, bool weighted) {
  const std::string path = std::string(TD_TEST_DATA_DIR) + "/" + relPath;
  std::ifstream in(path);
  if (!in.good()) throw std::runtime_error("cannot open " + path);
  LabeledRows out;
  std::string line;
  std::getline(in, line);  // header
  const std::ptrdiff_t first = weighted ? 2 : 1;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::vector<double> row;
    while (std::getline(ss, cell, ',')) row.push_back(std::stod(cell));
    out.y.push_back(row[0]);
    if (weighted) out.w.push_back(row[1]);
    out.x.emplace_back(row.begin() + first, row.end());
  }
  return out;
}

/// A dense vector column of the rows (each of d values).
inline std::shared_ptr<VectorColumn> denseColumn(const Rows& x, std::int64_t d) {
  std::vector<double> v;
  for (const auto& row : x) v.insert(v.end(), row.begin(), row.end());
  return VectorColumn::dense(static_cast<std::int64_t>(x.size()), d, std::move(v));
}

/// A sparse vector column of dimension d holding the rows' non-zero values.
inline std::shared_ptr<VectorColumn> sparseColumn(const Rows& x, std::int64_t d) {
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> idx;
  std::vector<double> val;
  for (const auto& row : x) {
    for (std::size_t j = 0; j < row.size(); ++j) {
      if (row[j] == 0.0) continue;
      idx.push_back(static_cast<std::int32_t>(j));
      val.push_back(row[j]);
    }
    offsets.push_back(static_cast<std::int64_t>(val.size()));
  }
  return VectorColumn::sparse(d, std::move(offsets), std::move(idx), std::move(val));
}

}  // namespace td::testing

// src/glm/stage_util.cc
#include "glm/stage_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <limits>

#include "thunderdome/core/parallel.h"
#include "thunderdome/dist/communicator.h"

namespace td::stage_util {

std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::int64_t thresholdArgmax(const double* p, const std::vector<double>& t) {
  std::int64_t best = 0;
  double max = -std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < t.size(); ++c) {
    const double scaled = p[c] / t[c];
    if (scaled > max) {
      max = scaled;
      best = static_cast<std::int64_t>(c);
    }
  }
  return best;
}

std::string optionalString(const Params& p, std::string_view name) {
  return p.isDefined(name) ? p.getString(name) : std::string();
}

std::pair<std::string, std::string> rowWhere(const Frame& data, std::int64_t i) {
  if (data.origins()) return {data.rowLocation(i) + ": ", ""};
  return {"", fmt::format(" at row {}", i)};
}

void throwInvalidValue(const Frame& data, std::int64_t i, std::string_view who,
                       std::string_view role, std::string_view column, double v,
                       std::string_view rule) {
  const auto [at, atRow] = rowWhere(data, i);
  throw DataError(fmt::format("{}{}: {} column '{}' has invalid value {}{}: {}", at, who, role,
                              column, num(v), atRow, rule));
}

glm::NonFiniteHandler nonFiniteFeature(const Frame& data, std::string who, std::string column) {
  return [&data, who = std::move(who), column = std::move(column)](std::int64_t i, std::int64_t j,
                                                                   double x) {
    const auto [at, atRow] = rowWhere(data, i);
    throw DataError(fmt::format(
        "{}{}: features column '{}' has a non-finite value {}{} (feature index {})", at, who,
        column, num(x), atRow, j));
  };
}

void requireNumeric(const Schema& input, const std::string& who, std::string_view role,
                    const std::string& name) {
  const int i = input.indexOf(name);
  if (i < 0)
    throw ColumnError(fmt::format("{}: {} column '{}' does not exist (available: {})", who, role,
                                  name, input.names()),
                      name);
  const DataType t = input.fields()[static_cast<std::size_t>(i)].type;
  if (t != DataType::kDouble && t != DataType::kInt64)
    throw ColumnError(fmt::format("{}: {} column '{}' must be numeric (bigint or double) but is {}",
                                  who, role, name, toString(t)),
                      name);
}

void requireFitColumns(const Params& p, const Schema& input) {
  const std::string who = p.describe();
  input.requireType(who, p.getString("featuresCol"), DataType::kVector);
  requireNumeric(input, who, "label", p.getString("labelCol"));
  const std::string weightCol = optionalString(p, "weightCol");
  if (!weightCol.empty()) requireNumeric(input, who, "weight", weightCol);
}

Schema withOutputs(const Params& p, const Schema& input,
                   std::initializer_list<OutputColumn> outputs) {
  const std::string who = p.describe();
  input.requireType(who, p.getString("featuresCol"), DataType::kVector);
  Schema out = input;
  for (const auto& [param, type] : outputs) {
    const std::string name = optionalString(p, param);
    if (name.empty()) continue;
    out.requireAbsent(who, name);
    out = out.with(Field{name, type});
  }
  return out;
}

void requireVectorDimension(std::string_view who, std::int64_t dim, std::int64_t numFeatures) {
  if (dim != numFeatures)
    throw DataError(fmt::format("{}: feature vector has dimension {} but the model expects {}",
                                who, dim, numFeatures));
}

void requireColumnDimension(std::string_view who, std::string_view column, std::int64_t dim,
                            std::int64_t numFeatures) {
  if (dim != numFeatures)
    throw DataError(fmt::format(
        "{}: features column '{}' has vectors of dimension {} but the model expects {}", who,
        column, dim, numFeatures));
}

void throwShared(bool shards, const DataError& e) {
  if (shards) throw dist::DistributedError(e.code(), e.what());
  throw e;
}

FitColumns fitColumns(const Params& p) {
  return {p.describe(), p.getString("featuresCol"), p.getString("labelCol"),
          optionalString(p, "weightCol")};
}

bool scanSparseValues(const VectorColumn& X, const glm::NonFiniteHandler& nonFinite) {
  if (X.isDense()) return true;
  // Parallel blocks: the first row holding a non-finite value (reported as a serial pass would)
  // and whether every value is exactly a float.
  constexpr std::int64_t kCheckBlock = 8192;
  const std::int64_t n = X.size();
  std::vector<char> blockFloats(static_cast<std::size_t>(parallel::numBlocks(n, kCheckBlock)), 1);
  const std::int64_t bad = parallel::firstFailure(n, kCheckBlock, [&](std::int64_t i) {
    const VectorView row = X[i];
    bool finite = true, floats = true;
    for (std::int64_t p = 0; p < row.nnz; ++p) {
      const double v = row.values[p];
      finite = finite && std::isfinite(v);
      floats = floats && static_cast<double>(static_cast<float>(v)) == v;
    }
    if (!floats) blockFloats[static_cast<std::size_t>(i / kCheckBlock)] = 0;
    return finite;
  });
  if (bad >= 0) {
    const VectorView row = X[bad];
    for (std::int64_t p = 0; p < row.nnz; ++p)
      if (!std::isfinite(row.values[p])) nonFinite(bad, row.indices[p], row.values[p]);
  }
  return std::all_of(blockFloats.begin(), blockFloats.end(), [](char f) { return f != 0; });
}

FitRows loadFitRows(const Frame& data, const FitColumns& cols, dist::Communicator* comm,
                    std::int64_t& d, const std::function<void(FitRows&)>& check,
                    std::span<double> extra) {
  const glm::Reducer red{comm};
  const bool shards = red.active();
  const std::int64_t n = data.numRows();
  FitRows rows;
  rows.y = data.numeric(cols.label);
  rows.w = cols.weight.empty() ? std::vector<double>(static_cast<std::size_t>(n), 1.0)
                               : data.numeric(cols.weight);
  if (!shards) {
    check(rows);
    if (n == 0)
      throw DataError(fmt::format(
          "{}: cannot fit on empty training data (features column '{}' has 0 rows)", cols.who,
          cols.features));
    return rows;
  }
  std::exception_ptr local;
  try {
    check(rows);
  } catch (...) {
    local = std::current_exception();
  }
  dist::agreeOnErrors(*comm, local);
  // Every non-empty shard must have the same feature dimension (empty ones take it).
  const double inf = std::numeric_limits<double>::infinity();
  double dims[2] = {n > 0 ? static_cast<double>(d) : -inf, n > 0 ? -static_cast<double>(d) : -inf};
  red.max(dims, 2);
  if (dims[0] != -dims[1] && dims[0] > -inf)
    throwShared(
        shards,
        DataError(fmt::format(
            "{}: data-parallel ranks disagree on the dimension of features column '{}': between "
            "{} and {} over the ranks; give every shard the same numFeatures",
            cols.who, cols.features, -dims[1], dims[0])));
  if (dims[0] > -inf) d = static_cast<std::int64_t>(dims[0]);
  // W, Σw², rows of positive weight, rows, then the stage's own sums.
  std::vector<double> t = {rows.totals.weightSum, rows.totals.weightSqSum,
                           static_cast<double>(rows.totals.positiveRows), static_cast<double>(n)};
  t.insert(t.end(), extra.begin(), extra.end());
  red.sum(t.data(), t.size());
  if (t[3] == 0)
    throwShared(shards, DataError(fmt::format("{}: cannot fit on empty training data (features "
                                              "column '{}' has 0 rows on every rank)",
                                              cols.who, cols.features)));
  rows.totals = {t[0], t[1], static_cast<std::int64_t>(t[2])};
  std::copy(t.begin() + 4, t.end(), extra.begin());
  return rows;
}

void requirePositiveWeightSum(double weightSum, const FitColumns& cols, bool shards) {
  if (!(weightSum > 0.0))
    throwShared(shards,
                DataError(fmt::format("{}: the weights in column '{}' sum to 0; nothing to fit",
                                      cols.who, cols.weight)));
}

}  // namespace td::stage_util

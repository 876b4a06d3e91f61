// src/feature/imputer.cc
#include "thunderdome/feature/imputer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {
Schema imputerSchema(const PipelineStage& stage, const Schema& input) {
  Schema out = input;
  for (const auto& [in, o] : shared::singleOrMultiColumns(stage)) {
    const DataType t = input.field(in).type;
    if (t != DataType::kInt64 && t != DataType::kDouble)
      throw ColumnError(fmt::format("{}: input column '{}' must be numeric (bigint or double) "
                                    "but is {}",
                                    stage.describe(), in, toString(t)),
                        in);
    out.requireAbsent(stage.describe(), o);
    out = out.with({o, t});
  }
  return out;
}

// Row r of a numeric column as a double (nulls excluded by the caller).
double valueAt(const Column& c, std::int64_t r) {
  return c.type() == DataType::kInt64 ? static_cast<double>(static_cast<const Int64Column&>(c)[r])
                                      : static_cast<const DoubleColumn&>(c)[r];
}

bool isMissing(const Column& c, std::int64_t r, double missingValue) {
  if (c.isNull(r)) return true;
  const double v = valueAt(c, r);
  return v == missingValue || (std::isnan(missingValue) && std::isnan(v));
}
}  // namespace

// ---------------------------------------------------------------- Imputer
Imputer::Imputer() : Imputer(randomUid(kUidPrefix)) {}
Imputer::Imputer(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema Imputer::transformSchema(const Schema& input) const { return imputerSchema(*this, input); }

std::shared_ptr<Model> Imputer::fitImpl(const Frame& data, const Context& /*ctx*/) const {
  const double missing = getMissingValue();
  const std::string strategy = getStrategy();
  // One task per column; the first column (in order) with no value is the error.
  const auto pairs = shared::singleOrMultiColumns(*this);
  std::vector<double> surrogates(pairs.size(), 0.0);
  std::vector<char> empty(pairs.size(), 0);
  parallel::forBlocks(static_cast<std::int64_t>(pairs.size()), 1,
                      [&](std::int64_t ci, std::int64_t, std::int64_t) {
    const auto c = static_cast<std::size_t>(ci);
    const Column& col = *data.column(pairs[c].first);
    const auto present = [&](std::int64_t r, double& x) {
      if (col.isNull(r)) return false;
      x = valueAt(col, r);
      return !(std::isnan(x) || x == missing);
    };
    double s = 0.0;
    if (strategy == "mean") {  // one pass, no copy of the values
      std::int64_t count = 0;
      for (std::int64_t r = 0; r < col.size(); ++r) {
        double x = 0.0;
        if (!present(r, x)) continue;
        s += x;
        ++count;
      }
      if (count == 0) {
        empty[c] = 1;
        return;
      }
      surrogates[c] = s / static_cast<double>(count);
      return;
    }
    std::vector<double> v;
    v.reserve(static_cast<std::size_t>(col.size()));
    for (std::int64_t r = 0; r < col.size(); ++r) {
      double x = 0.0;
      if (present(r, x)) v.push_back(x);
    }
    if (v.empty()) {
      empty[c] = 1;
      return;
    }
    if (strategy == "median") {
      // The smallest value whose rank reaches ceil(n/2) (Spark's quantile query, exact).
      const auto k = static_cast<std::size_t>(std::ceil(0.5 * static_cast<double>(v.size()))) - 1;
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
      s = v[k];
    } else {
      std::map<double, std::int64_t> counts;  // ordered: ties go to the smallest value
      for (double x : v) ++counts[x];
      std::int64_t best = -1;
      for (const auto& [x, n] : counts)
        if (n > best) best = n, s = x;
    }
    surrogates[c] = s;
  });
  for (std::size_t c = 0; c < pairs.size(); ++c)
    if (empty[c])
      throw DataError(fmt::format("{}: surrogate cannot be computed. All the values in {} are "
                                  "Null, Nan or missingValue({})",
                                  describe(), pairs[c].first, missing));
  auto model = std::make_shared<ImputerModel>(uid(), std::move(surrogates));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- ImputerModel
ImputerModel::ImputerModel(std::string uid, std::vector<double> surrogates)
    : Model(std::move(uid), schema()), surrogates_(std::move(surrogates)) {
  setDefault(Imputer::outputCol.name(), this->uid() + "__output");
}

ImputerModel::ImputerModel(std::string uid) : ImputerModel(std::move(uid), {}) {}

Schema ImputerModel::transformSchema(const Schema& input) const {
  const auto n = shared::singleOrMultiColumns(*this).size();
  if (n != surrogates_.size())
    throw ParamError(fmt::format("{}: the model was fitted on {} column(s) but {} are set",
                                 describe(), surrogates_.size(), n));
  return imputerSchema(*this, input);
}

std::vector<StateItem> ImputerModel::stateSummary() const {
  return {{"surrogates", "surrogates", ParamValue(surrogates_)}};
}

void ImputerModel::saveState(StateWriter& out) const { out.putDoubles("surrogates", surrogates_); }

void ImputerModel::loadState(const StateReader& in) { surrogates_ = in.getDoubles("surrogates"); }

Frame ImputerModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const double missing = getMissingValue();
  const auto pairs = shared::singleOrMultiColumns(*this);
  // The columns are filled in parallel (one task per column).
  std::vector<ColumnPtr> filled(pairs.size());
  parallel::forBlocks(static_cast<std::int64_t>(pairs.size()), 1,
                      [&](std::int64_t ci, std::int64_t, std::int64_t) {
    const auto c = static_cast<std::size_t>(ci);
    const Column& col = *input.column(pairs[c].first);
    const double s = surrogates_[c];
    const std::int64_t n = col.size();
    if (col.type() == DataType::kInt64) {
      const auto fill = static_cast<std::int64_t>(s);  // Spark casts the surrogate (truncates)
      std::vector<std::int64_t> v(static_cast<std::size_t>(n));
      for (std::int64_t r = 0; r < n; ++r)
        v[static_cast<std::size_t>(r)] =
            isMissing(col, r, missing) ? fill : static_cast<const Int64Column&>(col)[r];
      filled[c] = std::make_shared<Int64Column>(std::move(v));
    } else {
      std::vector<double> v(static_cast<std::size_t>(n));
      for (std::int64_t r = 0; r < n; ++r)
        v[static_cast<std::size_t>(r)] =
            isMissing(col, r, missing) ? s : static_cast<const DoubleColumn&>(col)[r];
      filled[c] = std::make_shared<DoubleColumn>(std::move(v));
    }
  });
  Frame out = input;
  for (std::size_t c = 0; c < pairs.size(); ++c) out = out.withColumn(pairs[c].second, filled[c]);
  return out;
}

}  // namespace td

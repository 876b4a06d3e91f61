// src/feature/min_max_scaler.cc
#include "thunderdome/feature/min_max_scaler.h"

#include <fmt/format.h>

#include <cmath>

#include "column_extrema.h"
#include "thunderdome/core/parallel.h"

namespace td {

namespace {

constexpr std::int64_t kRowBlock = 1024;

// Spark's validateAndTransformSchema: min < max, a vector input, a new output column.
Schema minMaxSchema(const Params& p, const Schema& input, const std::string& inputCol,
                    const std::string& outputCol, double min, double max) {
  if (!(min < max))
    throw ParamError(fmt::format("{}: The specified min({}) is larger or equal to max({})",
                                 p.describe(), ParamValue(min).toString(),
                                 ParamValue(max).toString()));
  input.requireType(p.describe(), inputCol, DataType::kVector);
  input.requireAbsent(p.describe(), outputCol);
  return input.with({outputCol, DataType::kVector});
}

}  // namespace

// ---------------------------------------------------------------- MinMaxScaler
MinMaxScaler::MinMaxScaler() : MinMaxScaler(randomUid(kUidPrefix)) {}
MinMaxScaler::MinMaxScaler(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema MinMaxScaler::transformSchema(const Schema& input) const {
  return minMaxSchema(*this, input, getInputCol(), getOutputCol(), getMin(), getMax());
}

std::shared_ptr<Model> MinMaxScaler::fitImpl(const Frame& data, const Context& /*ctx*/) const {
  const auto& col = data.col<VectorColumn>(getInputCol());
  if (col.size() == 0)
    throw DataError(fmt::format("{}: cannot fit on empty data: column '{}' has no rows (Spark: "
                                "Nothing has been added to this summarizer)",
                                describe(), getInputCol()));
  auto e = detail::columnExtrema(col);
  auto model = std::make_shared<MinMaxScalerModel>(uid(), std::move(e.min), std::move(e.max));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- MinMaxScalerModel
MinMaxScalerModel::MinMaxScalerModel(std::string uid, std::vector<double> originalMin,
                                     std::vector<double> originalMax)
    : Model(std::move(uid), schema()),
      originalMin_(std::make_shared<const std::vector<double>>(std::move(originalMin))),
      originalMax_(std::make_shared<const std::vector<double>>(std::move(originalMax))) {
  setDefault(MinMaxScaler::outputCol.name(), this->uid() + "__output");
}

MinMaxScalerModel::MinMaxScalerModel(std::string uid) : MinMaxScalerModel(std::move(uid), {}, {}) {}

Schema MinMaxScalerModel::transformSchema(const Schema& input) const {
  return minMaxSchema(*this, input, getInputCol(), getOutputCol(), getMin(), getMax());
}

std::vector<StateItem> MinMaxScalerModel::stateSummary() const {
  return {{"numFeatures", "numFeatures", numFeatures()}};
}

void MinMaxScalerModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures());
  out.putArray("originalMin", *originalMin_);
  out.putArray("originalMax", *originalMax_);
}

void MinMaxScalerModel::loadState(const StateReader& in) {
  const auto d = in.getInt("numFeatures");
  auto lo = in.getArray("originalMin");
  auto hi = in.getArray("originalMax");
  if (static_cast<std::int64_t>(lo.size()) != d || static_cast<std::int64_t>(hi.size()) != d)
    in.fail(fmt::format("data/originalMin.f64le holds {} and data/originalMax.f64le {} values "
                        "but numFeatures is {}",
                        lo.size(), hi.size(), d));
  originalMin_ = std::make_shared<const std::vector<double>>(std::move(lo));
  originalMax_ = std::make_shared<const std::vector<double>>(std::move(hi));
}

Frame MinMaxScalerModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& col = input.col<VectorColumn>(getInputCol());
  const std::int64_t d = numFeatures();
  if (col.dim() != d)
    throw DataError(fmt::format("{}: column '{}': Number of features must be {} but got {}",
                                describe(), getInputCol(), d, col.dim()));
  const double lo = getMin();
  const double scale = getMax() - lo;
  const double constantOutput = (lo + getMax()) / 2;
  const auto& emin = *originalMin_;
  std::vector<double> scaleArray(static_cast<std::size_t>(d));
  for (std::size_t i = 0; i < scaleArray.size(); ++i) {
    const double range = (*originalMax_)[i] - emin[i];
    scaleArray[i] = range != 0 ? scale / range : 0.0;  // 0 iff the feature is constant
  }
  const std::int64_t rows = col.size();
  std::vector<double> values(static_cast<std::size_t>(rows * d), 0.0);
  parallel::forBlocks(rows, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      double* v = values.data() + r * d;
      col[r].forEach([&](std::int64_t j, double x) { v[j] = x; });
      for (std::int64_t i = 0; i < d; ++i) {
        const auto k = static_cast<std::size_t>(i);
        if (std::isnan(v[i])) continue;
        v[i] = scaleArray[k] != 0 ? (v[i] - emin[k]) * scaleArray[k] + lo : constantOutput;
      }
    }
  });
  return input.withColumn(getOutputCol(), VectorColumn::dense(rows, d, std::move(values)));
}

}  // namespace td

// src/feature/max_abs_scaler.cc
#include "thunderdome/feature/max_abs_scaler.h"

#include <fmt/format.h>

#include <cmath>

#include "column_extrema.h"
#include "scale_columns.h"
#include "thunderdome/core/parallel.h"

namespace td {

namespace {
}  // namespace

// ---------------------------------------------------------------- MaxAbsScaler
MaxAbsScaler::MaxAbsScaler() : MaxAbsScaler(randomUid(kUidPrefix)) {}
MaxAbsScaler::MaxAbsScaler(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema MaxAbsScaler::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::shared_ptr<Model> MaxAbsScaler::fitImpl(const Frame& data, const Context& /*ctx*/) const {
  const auto& col = data.col<VectorColumn>(getInputCol());
  if (col.size() == 0)
    throw DataError(fmt::format("{}: cannot fit on empty data: column '{}' has no rows (Spark: "
                                "Nothing has been added to this summarizer)",
                                describe(), getInputCol()));
  const auto e = detail::columnExtrema(col);
  std::vector<double> maxAbs(e.max.size());
  for (std::size_t j = 0; j < maxAbs.size(); ++j)
    maxAbs[j] = std::max(std::abs(e.min[j]), std::abs(e.max[j]));
  auto model = std::make_shared<MaxAbsScalerModel>(uid(), std::move(maxAbs));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- MaxAbsScalerModel
MaxAbsScalerModel::MaxAbsScalerModel(std::string uid, std::vector<double> maxAbs)
    : Model(std::move(uid), schema()),
      maxAbs_(std::make_shared<const std::vector<double>>(std::move(maxAbs))) {
  setDefault(MaxAbsScaler::outputCol.name(), this->uid() + "__output");
}

MaxAbsScalerModel::MaxAbsScalerModel(std::string uid) : MaxAbsScalerModel(std::move(uid), {}) {}

Schema MaxAbsScalerModel::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::vector<StateItem> MaxAbsScalerModel::stateSummary() const {
  return {{"numFeatures", "numFeatures", numFeatures()}};
}

void MaxAbsScalerModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures());
  out.putArray("maxAbs", *maxAbs_);
}

void MaxAbsScalerModel::loadState(const StateReader& in) {
  const auto d = in.getInt("numFeatures");
  auto maxAbs = in.getArray("maxAbs");
  if (static_cast<std::int64_t>(maxAbs.size()) != d)
    in.fail(fmt::format("data/maxAbs.f64le holds {} values but numFeatures is {}", maxAbs.size(),
                        d));
  maxAbs_ = std::make_shared<const std::vector<double>>(std::move(maxAbs));
}

Frame MaxAbsScalerModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& col = input.col<VectorColumn>(getInputCol());
  if (col.dim() != numFeatures())
    throw DataError(fmt::format("{}: column '{}' holds vectors of dimension {} but the model was "
                                "fitted on dimension {}",
                                describe(), getInputCol(), col.dim(), numFeatures()));
  // Spark: scale_j = maxAbs_j == 0 ? 1 : 1 / maxAbs_j, then x_j * scale_j.
  std::vector<double> scale(maxAbs_->size());
  for (std::size_t j = 0; j < scale.size(); ++j)
    scale[j] = (*maxAbs_)[j] == 0.0 ? 1.0 : 1.0 / (*maxAbs_)[j];
  ColumnPtr out = detail::scaleColumn(col, scale.data());
  return input.withColumn(getOutputCol(), std::move(out));
}

}  // namespace td

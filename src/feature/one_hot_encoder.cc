// src/feature/one_hot_encoder.cc
#include "thunderdome/feature/one_hot_encoder.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 1 << 14;

Schema oneHotSchema(const PipelineStage& stage, const Schema& input) {
  Schema out = input;
  for (const auto& [in, o] : shared::singleOrMultiColumns(stage)) {
    const DataType t = input.field(in).type;
    if (t != DataType::kInt64 && t != DataType::kDouble)
      throw ColumnError(fmt::format("{}: input column '{}' must be numeric (category indices) "
                                    "but is {}",
                                    stage.describe(), in, toString(t)),
                        in);
    out.requireAbsent(stage.describe(), o);
    out = out.with({o, DataType::kVector});
  }
  return out;
}
}  // namespace

// ---------------------------------------------------------------- OneHotEncoder
OneHotEncoder::OneHotEncoder() : OneHotEncoder(randomUid(kUidPrefix)) {}
OneHotEncoder::OneHotEncoder(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema OneHotEncoder::transformSchema(const Schema& input) const {
  return oneHotSchema(*this, input);
}

std::shared_ptr<Model> OneHotEncoder::fitImpl(const Frame& data, const Context& /*ctx*/) const {
  std::vector<std::int64_t> sizes;
  for (const auto& [in, o] : shared::singleOrMultiColumns(*this)) {
    const Column& col = *data.column(in);
    if (const auto* nominal = col.nominalValues()) {
      // As Spark: every nominal value is a category, the "__unknown" a StringIndexerModel
      // adds under keep included (its unseen values then encode as that category).
      sizes.push_back(static_cast<std::int64_t>(nominal->size()));
      continue;
    }
    const std::vector<double> v = data.numeric(in);
    double max = -1.0;
    for (std::size_t r = 0; r < v.size(); ++r) {
      const double x = v[r];
      if (!(x >= 0.0) || x != std::floor(x) ||
          x >= static_cast<double>(std::numeric_limits<std::int32_t>::max()))
        throw DataError(fmt::format("{}: Values from column {} must be indices, but got {} (at {}).",
                                    describe(), in, x,
                                    data.rowLocation(static_cast<std::int64_t>(r))));
      max = std::max(max, x);
    }
    if (v.empty())
      throw DataError(fmt::format("{}: cannot fit on empty data: column '{}' has no rows",
                                  describe(), in));
    sizes.push_back(static_cast<std::int64_t>(max) + 1);
  }
  auto model = std::make_shared<OneHotEncoderModel>(uid(), std::move(sizes));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- OneHotEncoderModel
OneHotEncoderModel::OneHotEncoderModel(std::string uid, std::vector<std::int64_t> categorySizes)
    : Model(std::move(uid), schema()), sizes_(std::move(categorySizes)) {
  setDefault(OneHotEncoder::outputCol.name(), this->uid() + "__output");
}

OneHotEncoderModel::OneHotEncoderModel(std::string uid) : OneHotEncoderModel(std::move(uid), {}) {}

Schema OneHotEncoderModel::transformSchema(const Schema& input) const {
  const auto n = shared::singleOrMultiColumns(*this).size();
  if (n != sizes_.size())
    throw ParamError(fmt::format("{}: the number of input columns ({}) must be the same as the "
                                 "number of features ({}) during fitting",
                                 describe(), n, sizes_.size()));
  return oneHotSchema(*this, input);
}

std::vector<StateItem> OneHotEncoderModel::stateSummary() const {
  return {{"categorySizes", "category sizes", ParamValue(sizes_)}};
}

void OneHotEncoderModel::saveState(StateWriter& out) const {
  out.putDoubles("categorySizes", std::vector<double>(sizes_.begin(), sizes_.end()));
}

void OneHotEncoderModel::loadState(const StateReader& in) {
  sizes_.clear();
  for (double d : in.getDoubles("categorySizes")) {
    if (!(d >= 0.0) || d != std::floor(d))
      in.fail(fmt::format("categorySizes holds {}, not a category count", d));
    sizes_.push_back(static_cast<std::int64_t>(d));
  }
}

Frame OneHotEncoderModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const bool keep = getHandleInvalid() == "keep";
  const bool dropLast = getDropLast();
  const auto pairs = shared::singleOrMultiColumns(*this);
  Frame out = input;
  for (std::size_t c = 0; c < pairs.size(); ++c) {
    const std::int64_t orig = sizes_[c];
    // Spark's getConfigedCategorySizes.
    const std::int64_t size = (!dropLast && keep) ? orig + 1 : (dropLast && !keep) ? orig - 1 : orig;
    // Each row's slot (-1: none), in parallel; the first unseen value is the error.
    std::vector<double> copy;
    const Column& col = *input.column(pairs[c].first);
    const double* v = nullptr;
    if (col.type() == DataType::kDouble) {
      v = static_cast<const DoubleColumn&>(col).values().data();
    } else {
      copy = input.numeric(pairs[c].first);
      v = copy.data();
    }
    const std::int64_t n = input.numRows();
    std::vector<std::int32_t> index(static_cast<std::size_t>(n));
    const std::int64_t r = parallel::firstFailure(n, kRowBlock, [&](std::int64_t i) {
      double idx = v[i];
      if (!(idx >= 0.0 && idx < static_cast<double>(orig))) {
        if (!keep) return false;
        idx = static_cast<double>(orig);
      }
      const auto k = static_cast<std::int64_t>(idx);
      index[static_cast<std::size_t>(i)] = k < size ? static_cast<std::int32_t>(k) : -1;
      return true;
    });
    if (r >= 0)
      throw DataError(fmt::format(
            "{}: Unseen value: {} in column '{}' at {}. To handle unseen values, set Param "
            "handleInvalid to keep.",
            describe(), v[r], pairs[c].first, input.rowLocation(r)));
    out = out.withColumn(pairs[c].second, VectorColumn::oneHot(size, std::move(index)));
  }
  return out;
}

}  // namespace td

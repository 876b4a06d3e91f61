// src/feature/standard_scaler.cc
#include "thunderdome/feature/standard_scaler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "scale_columns.h"
#include "thunderdome/core/parallel.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 1024;

// Per-feature sums over the rows of `col`, with per-block partials added in block order (the
// same bits for any thread count). `add(view, acc)` adds one row into acc (of `width` sums,
// default one per feature).
template <class F>
std::vector<double> columnSums(const VectorColumn& col, F&& add, std::size_t width = 0) {
  const auto d = width != 0 ? width : static_cast<std::size_t>(col.dim());
  const std::int64_t n = col.size();
  std::vector<std::vector<double>> partial(
      static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)));
  parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    std::vector<double> acc(d, 0.0);
    for (std::int64_t r = begin; r < end; ++r) add(col[r], acc);
    partial[static_cast<std::size_t>(b)] = std::move(acc);
  });
  std::vector<double> total(d, 0.0);
  for (const auto& p : partial)
    for (std::size_t j = 0; j < d; ++j) total[j] += p[j];
  return total;
}
}  // namespace

// ---------------------------------------------------------------- StandardScaler
StandardScaler::StandardScaler() : StandardScaler(randomUid(kUidPrefix)) {}
StandardScaler::StandardScaler(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema StandardScaler::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::shared_ptr<Model> StandardScaler::fitImpl(const Frame& data, const Context& /*ctx*/) const {
  const auto& col = data.col<VectorColumn>(getInputCol());
  const std::int64_t n = col.size();
  if (n == 0)
    throw DataError(fmt::format("{}: cannot fit on empty data: column '{}' has no rows",
                                describe(), getInputCol()));
  const auto d = static_cast<std::size_t>(col.dim());
  const auto nd = static_cast<double>(n);
  std::vector<double> mean = columnSums(col, [](const VectorView& v, std::vector<double>& acc) {
    v.forEach([&](std::int64_t j, double x) { acc[static_cast<std::size_t>(j)] += x; });
  });
  for (double& m : mean) m /= nd;
  // Σ(x - mean)² over every row: the stored entries, plus mean² for each implicit zero.
  std::vector<double> m2, stored;
  if (col.isDense()) {
    m2 = columnSums(col, [&](const VectorView& v, std::vector<double>& acc) {
      for (std::size_t j = 0; j < d; ++j) {
        const double dx = v.values[j] - mean[j];
        acc[j] += dx * dx;
      }
    });
  } else {
    // One pass for both: acc[j] sums (x - mean)² over stored entries, acc[d + j] counts them.
    const std::vector<double> both = columnSums(
        col,
        [&](const VectorView& v, std::vector<double>& acc) {
          v.forEach([&](std::int64_t j, double x) {
            const double dx = x - mean[static_cast<std::size_t>(j)];
            acc[static_cast<std::size_t>(j)] += dx * dx;
            acc[d + static_cast<std::size_t>(j)] += 1.0;
          });
        },
        2 * d);
    m2.assign(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(d));
    stored.assign(both.begin() + static_cast<std::ptrdiff_t>(d), both.end());
    for (std::size_t j = 0; j < d; ++j) m2[j] += (nd - stored[j]) * mean[j] * mean[j];
  }
  // Spark's Summarizer: the unbiased variance, 0 when n - 1 is 0, never negative.
  std::vector<double> sd(d, 0.0);
  if (n > 1)
    for (std::size_t j = 0; j < d; ++j) sd[j] = std::sqrt(std::max(m2[j] / (nd - 1.0), 0.0));
  auto model = std::make_shared<StandardScalerModel>(uid(), std::move(mean), std::move(sd));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- StandardScalerModel
StandardScalerModel::StandardScalerModel(std::string uid, std::vector<double> mean,
                                         std::vector<double> sd)
    : Model(std::move(uid), schema()),
      mean_(std::make_shared<const std::vector<double>>(std::move(mean))),
      std_(std::make_shared<const std::vector<double>>(std::move(sd))) {
  setDefault(StandardScaler::outputCol.name(), this->uid() + "__output");
}

StandardScalerModel::StandardScalerModel(std::string uid)
    : StandardScalerModel(std::move(uid), {}, {}) {}

Schema StandardScalerModel::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::vector<StateItem> StandardScalerModel::stateSummary() const {
  return {{"numFeatures", "numFeatures", numFeatures()}};
}

void StandardScalerModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures());
  out.putArray("mean", *mean_);
  out.putArray("std", *std_);
}

void StandardScalerModel::loadState(const StateReader& in) {
  const auto d = in.getInt("numFeatures");
  auto mean = in.getArray("mean");
  auto sd = in.getArray("std");
  if (static_cast<std::int64_t>(mean.size()) != d || static_cast<std::int64_t>(sd.size()) != d)
    in.fail(fmt::format("data/mean.f64le holds {} and data/std.f64le {} values but "
                        "numFeatures is {}",
                        mean.size(), sd.size(), d));
  mean_ = std::make_shared<const std::vector<double>>(std::move(mean));
  std_ = std::make_shared<const std::vector<double>>(std::move(sd));
}

Frame StandardScalerModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& col = input.col<VectorColumn>(getInputCol());
  const std::int64_t d = numFeatures();
  if (col.dim() != d)
    throw DataError(fmt::format("{}: column '{}' holds vectors of dimension {} but the model was "
                                "fitted on dimension {}",
                                describe(), getInputCol(), col.dim(), d));
  const bool withMean = getWithMean();
  const bool withStd = getWithStd();
  // Spark: shift = mean (withMean); scale = 1 / std, 0 where std == 0 (withStd).
  std::vector<double> shift(static_cast<std::size_t>(d), 0.0);
  std::vector<double> scale(static_cast<std::size_t>(d), 1.0);
  if (withMean) shift = *mean_;
  if (withStd)
    for (std::int64_t j = 0; j < d; ++j) {
      const double s = (*std_)[static_cast<std::size_t>(j)];
      scale[static_cast<std::size_t>(j)] = s == 0.0 ? 0.0 : 1.0 / s;
    }
  const std::int64_t n = col.size();
  ColumnPtr out;
  if (!withMean && !withStd) {
    out = input.column(getInputCol());  // Spark returns the vector itself
  } else if (withMean || col.isDense()) {
    // Dense out: (x - shift) * scale, or x * scale for dense input without withMean (shift 0;
    // a sparse input with withMean is densified first, as Spark's vector.toArray).
    std::vector<double> values(static_cast<std::size_t>(n * d));
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      for (std::int64_t r = begin; r < end; ++r) {
        double* o = values.data() + r * d;
        const VectorView v = col[r];
        if (v.isDense()) std::copy(v.values, v.values + d, o);
        else v.forEach([&](std::int64_t j, double x) { o[j] = x; });
        if (withMean && withStd)
          for (std::int64_t j = 0; j < d; ++j) o[j] = (o[j] - shift[j]) * scale[j];
        else if (withMean)
          for (std::int64_t j = 0; j < d; ++j) o[j] -= shift[j];
        else
          for (std::int64_t j = 0; j < d; ++j) o[j] *= scale[j];
      }
    });
    out = VectorColumn::dense(n, d, std::move(values));
  } else {
    // Sparse stays sparse with the same indices (explicit zeros kept), each value scaled.
    out = detail::scaleColumn(col, scale.data());
  }
  return input.withColumn(getOutputCol(), std::move(out));
}

}  // namespace td

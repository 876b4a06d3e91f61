// src/feature/normalizer.cc
#include "thunderdome/feature/normalizer.h"

#include <cmath>
#include <limits>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 1024;
}  // namespace

Normalizer::Normalizer() : Normalizer(randomUid(kUidPrefix)) {}
Normalizer::Normalizer(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

double Normalizer::norm(const double* v, std::int64_t n, double p) {
  // Spark's Vectors.norm, term by term in storage order.
  double acc = 0.0;
  if (p == 1.0) {
    for (std::int64_t k = 0; k < n; ++k) acc += std::abs(v[k]);
    return acc;
  }
  if (p == 2.0) {
    for (std::int64_t k = 0; k < n; ++k) acc += v[k] * v[k];
    return std::sqrt(acc);
  }
  if (p == std::numeric_limits<double>::infinity()) {
    for (std::int64_t k = 0; k < n; ++k) {
      const double a = std::abs(v[k]);
      if (a > acc) acc = a;  // NaN never wins, as in Spark
    }
    return acc;
  }
  for (std::int64_t k = 0; k < n; ++k) acc += std::pow(std::abs(v[k]), p);
  return std::pow(acc, 1.0 / p);
}

Schema Normalizer::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

Frame Normalizer::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& col = input.col<VectorColumn>(getInputCol());
  const double p = getP();
  const auto in = col.values();
  std::vector<double> values(in.begin(), in.end());
  const std::int64_t rows = col.size();
  const bool dense = col.isDense();
  const std::int64_t d = col.dim();
  const auto off = col.offsets();
  parallel::forBlocks(rows, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      const std::int64_t b = dense ? r * d : off[r];
      const std::int64_t e = dense ? (r + 1) * d : off[r + 1];
      double* v = values.data() + b;
      const double nrm = norm(v, e - b, p);
      if (nrm != 0.0)
        for (std::int64_t k = 0; k < e - b; ++k) v[k] /= nrm;
    }
  });
  ColumnPtr out;
  if (dense) {
    out = VectorColumn::dense(rows, d, std::move(values));
  } else {
    const auto idx = col.indices();
    out = VectorColumn::sparse(d, {off.begin(), off.end()}, {idx.begin(), idx.end()},
                               std::move(values));
  }
  return input.withColumn(getOutputCol(), std::move(out));
}

}  // namespace td

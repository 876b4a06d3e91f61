// include/thunderdome/feature/normalizer.h
#pragma once

#include <string>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Scales each vector to unit p-norm, as Spark 3.5's Normalizer: every stored value divided by
/// the row's p-norm (p = inf: the largest |value|); a row of norm 0 is left as it is. Sparse
/// stays sparse with the same indices, dense stays dense.
class Normalizer final : public Transformer {
  TD_CLASS(Normalizer, "normalizer", "org.apache.spark.ml.feature.Normalizer",
           "Normalizes each vector to unit p-norm")
  TD_SPARK_DIFFERENCES(
      "Same param `p=2.0` (>= 1, `Inf` for the max norm) and formula (Spark's Vectors.norm: "
      "sum of |x|, sqrt of the sum of squares, max |x|, else (sum |x|^p)^(1/p), over the stored "
      "values in order); a zero-norm row is returned unchanged; sparse in → sparse out with "
      "the same indices (explicit zeros kept), dense → dense. NaN flows through as in Spark.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(double, p, P, "the p norm value", 2.0, ParamValidator::gtEq(1))

  Normalizer();
  explicit Normalizer(std::string uid);

  /// The p-norm of the `n` values at `v`, computed as Spark's Vectors.norm (p >= 1).
  [[nodiscard]] static double norm(const double* v, std::int64_t n, double p);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td

// include/thunderdome/feature/ngram.h
#pragma once

#include <cstdint>
#include <string>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Turns string arrays into arrays of n-grams, as Spark 3.5's NGram: every run of n consecutive
/// tokens joined by one space, in order; a row of fewer than n tokens gives an empty array.
class NGram final : public Transformer {
  TD_CLASS(NGram, "ngram", "org.apache.spark.ml.feature.NGram",
           "Converts token arrays into arrays of space-joined n-grams")
  TD_SPARK_DIFFERENCES(
      "Same param `n=2` (>= 1), same output: the n-grams of each row (tokens joined by one "
      "space) in order, an empty array when a row has fewer than n tokens. No null tokens "
      "(frames have no nulls).")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::int64_t, n, N, "number elements per n-gram (>=1)", 2, ParamValidator::gtEq(1))

  NGram();
  explicit NGram(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td

// include/thunderdome/feature/vector_assembler.h
#pragma once

#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Joins numeric and vector columns into one feature vector, as Spark 3.5's VectorAssembler:
/// bigint, double and boolean (1.0/0.0) columns give one entry each, vector columns their entries, in inputCols
/// order; nulls and NaN follow handleInvalid (error, skip the row, or keep as NaN).
class VectorAssembler final : public Transformer {
  TD_CLASS(VectorAssembler, "vecAssembler", "org.apache.spark.ml.feature.VectorAssembler",
           "Joins numeric and vector columns into one feature vector column")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params and defaults (`handleInvalid=error`). As Spark: `error` fails on a "
      "null in any input column and on a NaN in a numeric column (NaN inside a vector passes), "
      "`skip` drops rows with a null in any input column or a NaN in a numeric one, `keep` "
      "puts NaN for a null number and a NaN vector for a null vector. Spark compresses each "
      "row to dense or sparse on its own; a column here is all dense or all sparse, chosen "
      "by Spark's rule (sparse when 1.5·(stored values + rows) < rows·dimension) over the "
      "whole column: the values are the same. A null vector under `keep` takes its size from "
      "the column (Spark needs the size in the column's metadata).")
  TD_SHARED_PARAM(std::vector<std::string>, inputCols, InputCols, shared::inputCols())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_SHARED_PARAM(std::string, handleInvalid, HandleInvalid,
                  shared::handleInvalid(
                      "How to handle invalid data (NULL and NaN values). Options are 'skip' "
                      "(filter out rows with invalid data), 'error' (throw an error), or 'keep' "
                      "(return relevant number of NaN in the output). Column lengths are taken "
                      "from the size of ML Attribute Group, which can be set using "
                      "`VectorSizeHint` in a pipeline before `VectorAssembler`. Column lengths "
                      "can also be inferred from first rows of the data since it is safe to do "
                      "so but only in case of 'error' or 'skip'.",
                      {"skip", "error", "keep"}))

  VectorAssembler();
  explicit VectorAssembler(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// Row-wise except with handleInvalid=skip (which drops rows).
  [[nodiscard]] bool isRowWise() const override { return getHandleInvalid() != "skip"; }
  [[nodiscard]] bool acceptsNulls() const override { return true; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td

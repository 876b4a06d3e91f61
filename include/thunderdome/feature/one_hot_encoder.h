// include/thunderdome/feature/one_hot_encoder.h
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns the number of categories of index columns and encodes each index as a one-hot
/// sparse vector, as Spark 3.5's OneHotEncoder (an estimator since Spark 3.0): the size comes
/// from the column's nominal values (set by StringIndexerModel), else from the largest index
/// + 1; dropLast drops the last category.
class OneHotEncoder final : public Estimator {
  TD_CLASS(OneHotEncoder, "oneHotEncoder", "org.apache.spark.ml.feature.OneHotEncoder",
           "Encodes category indices as one-hot sparse vectors")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params and defaults (`dropLast=true`, `handleInvalid=error`, `keep` adds "
      "a category for invalid values, single- and multi-column forms). The category count of "
      "a column is its nominal values' count when a StringIndexerModel made it (Spark's ML "
      "attribute metadata; with StringIndexer's `keep` that includes its \"__unknown\" "
      "label, as in Spark), else the largest value + 1; values must be non-negative "
      "integers. A null is an error (Spark fails on it too).")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_SHARED_PARAM(std::vector<std::string>, inputCols, InputCols, shared::inputCols())
  TD_SHARED_PARAM(std::vector<std::string>, outputCols, OutputCols, shared::outputCols())
  TD_PARAM(bool, dropLast, DropLast, "whether to drop the last category", true)
  TD_SHARED_PARAM(std::string, handleInvalid, HandleInvalid,
                  shared::handleInvalid(
                      "How to handle invalid data during transform. Options are 'keep' "
                      "(invalid data presented as an extra categorical feature) or error "
                      "(throw an error). Note that this Param is only used during transform; "
                      "during fitting, invalid data will result in an error.",
                      {"keep", "error"}))

  OneHotEncoder();
  explicit OneHotEncoder(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted OneHotEncoder: the category count of each input column (Spark's categorySizes).
class OneHotEncoderModel final : public Model {
  TD_MODEL_CLASS(OneHotEncoderModel, OneHotEncoder, "oneHotEncoder",
                 "org.apache.spark.ml.feature.OneHotEncoderModel",
                 "A fitted OneHotEncoder: encodes indices as one-hot vectors")
  TD_SPARK_DIFFERENCES("Spark's `categorySizes` is `categorySizes()`.")

  /// A model with the category count of every input column.
  OneHotEncoderModel(std::string uid, std::vector<std::int64_t> categorySizes);
  /// An empty model (what loading starts from).
  explicit OneHotEncoderModel(std::string uid);

  /// The number of categories of each input column.
  [[nodiscard]] const std::vector<std::int64_t>& categorySizes() const { return sizes_; }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)
  TD_MODEL_PARAM(inputCols, InputCols)
  TD_MODEL_PARAM(outputCols, OutputCols)
  TD_MODEL_PARAM(dropLast, DropLast)
  TD_MODEL_PARAM(handleInvalid, HandleInvalid)

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// categorySizes.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// categorySizes.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::vector<std::int64_t> sizes_;
};

}  // namespace td

// include/thunderdome/feature/string_indexer.h
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns an index for the values of string (or numeric) columns, as Spark 3.5's
/// StringIndexer: labels ordered by stringOrderType (frequencyDesc by default, ties broken
/// alphabetically), index 0 for the first; nulls are not counted.
class StringIndexer final : public Estimator {
  TD_CLASS(StringIndexer, "strIdx", "org.apache.spark.ml.feature.StringIndexer",
           "Maps the values of string columns to label indices, most frequent first")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params, defaults, orders and tie-breaking (equal counts: alphabetical, "
      "ascending, for both frequency orders), single- and multi-column forms. Numeric input "
      "is indexed by its text as Spark casts it (1, 2.5, 1.0), except that doubles of 1e7 "
      "and more print as 1.0E7 in Spark and 10000000.0 here. Strings compare by UTF-8 bytes "
      "(Spark: UTF-16 code units; they differ only between supplementary characters and "
      "U+E000–U+FFFF). The output column carries the labels as its nominal values "
      "(\"__unknown\" appended under `keep`), which IndexToString and OneHotEncoder read, as "
      "Spark's ML attribute metadata.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_SHARED_PARAM(std::vector<std::string>, inputCols, InputCols, shared::inputCols())
  TD_SHARED_PARAM(std::vector<std::string>, outputCols, OutputCols, shared::outputCols())
  TD_SHARED_PARAM(std::string, handleInvalid, HandleInvalid,
                  shared::handleInvalid(
                      "How to handle invalid data (unseen labels or NULL values). Options are "
                      "'skip' (filter out rows with invalid data), error (throw an error), or "
                      "'keep' (put invalid data in a special additional bucket, at index "
                      "numLabels).",
                      {"skip", "error", "keep"}))
  TD_PARAM(std::string, stringOrderType, StringOrderType,
           "How to order labels of string column. The first label after ordering is assigned "
           "an index of 0. Supported options: frequencyDesc, frequencyAsc, alphabetDesc, "
           "alphabetAsc. Default is frequencyDesc. In case of equal frequency when under "
           "frequencyDesc/Asc, the strings are further sorted alphabetically",
           "frequencyDesc",
           ParamValidator::oneOf({"frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"}))

  StringIndexer();
  explicit StringIndexer(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool acceptsNulls() const override { return true; }

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted StringIndexer: maps each value to its label's index (as a double), unseen values
/// and nulls by handleInvalid, as Spark's StringIndexerModel.
class StringIndexerModel final : public Model {
  TD_MODEL_CLASS(StringIndexerModel, StringIndexer, "strIdx",
                 "org.apache.spark.ml.feature.StringIndexerModel",
                 "A fitted StringIndexer: maps values to label indices")
  TD_SPARK_DIFFERENCES("Spark's `labels` and `labelsArray` are `labels()` and `labelsArray()`.")

  /// A model with one ordered label list per input column.
  StringIndexerModel(std::string uid, std::vector<std::vector<std::string>> labelsArray);
  /// An empty model (what loading starts from).
  explicit StringIndexerModel(std::string uid);

  /// The ordered labels of every input column.
  [[nodiscard]] const std::vector<std::vector<std::string>>& labelsArray() const {
    return *labels_;
  }
  /// The labels of the single input column (throws ParamError when there are several).
  [[nodiscard]] const std::vector<std::string>& labels() const;

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)
  TD_MODEL_PARAM(inputCols, InputCols)
  TD_MODEL_PARAM(outputCols, OutputCols)
  TD_MODEL_PARAM(handleInvalid, HandleInvalid)

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// Row-wise except with handleInvalid=skip (which drops rows).
  [[nodiscard]] bool isRowWise() const override { return getHandleInvalid() != "skip"; }
  [[nodiscard]] bool acceptsNulls() const override { return true; }
  /// The number of labels of each column.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// labelsArray.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::shared_ptr<const std::vector<std::vector<std::string>>> labels_;
};

/// Maps label indices back to their labels, as Spark 3.5's IndexToString: the labels come
/// from the `labels` param, else from the input column's nominal values (set by
/// StringIndexerModel).
class IndexToString final : public Transformer {
  TD_CLASS(IndexToString, "idxToStr", "org.apache.spark.ml.feature.IndexToString",
           "Maps label indices back to their string labels")
  TD_SPARK_DIFFERENCES(
      "Spark 3.5's params. Without `labels`, the labels are the nominal values a "
      "StringIndexerModel attached to the column (Spark's ML attribute metadata); a column "
      "without them is an error naming the column. An index outside the labels is an error "
      "(Spark: \"Unseen index\").")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::vector<std::string>, labels, Labels,
           "Optional array of labels specifying index-string mapping. If not provided or if "
           "empty, then metadata from inputCol is used instead.",
           kNoDefault)

  IndexToString();
  explicit IndexToString(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td

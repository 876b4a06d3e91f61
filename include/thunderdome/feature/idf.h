// include/thunderdome/feature/idf.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Computes the inverse document frequency of every feature of a vector column, as Spark 3.5's
/// IDF: with m documents (rows) and df_j of them holding a value > 0 at j, idf_j =
/// ln((m + 1) / (df_j + 1)), and 0 (with df_j reported as 0) where df_j < minDocFreq.
/// Data-parallel fits sum m and df over the ranks.
class IDF final : public Estimator {
  TD_CLASS(IDF, "idf", "org.apache.spark.ml.feature.IDF",
           "Learns inverse document frequencies ln((m+1)/(df+1)) of term-frequency vectors")
  TD_SPARK_DIFFERENCES(
      "Same formula `ln((m+1)/(df+1))`, a document counting for a term when its value is > "
      "0, `minDocFreq=0` (terms below it get idf 0 and docFreq 0), sparse in → sparse out "
      "with the same indices (explicit zeros kept), dense → dense. A vector of another "
      "dimension than the fitted one is an error (Spark may silently mis-scale it); empty "
      "data is an error. Data-parallel fits sum the counts over the ranks.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::int64_t, minDocFreq, MinDocFreq,
           "minimum number of documents in which a term should appear for filtering (>= 0)", 0,
           ParamValidator::gtEq(0))

  IDF();
  explicit IDF(std::string uid);

  /// Document frequencies and document count sum over Context::comm's ranks.
  [[nodiscard]] bool supportsDataParallel() const override { return true; }
  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted IDF: scales each vector element-wise by idf (sparse stays sparse with the same
/// indices, dense stays dense), as Spark's IDFModel.
class IDFModel final : public Model {
  TD_MODEL_CLASS(IDFModel, IDF, "idf", "org.apache.spark.ml.feature.IDFModel",
                 "A fitted IDF: scales term frequencies by inverse document frequencies")
  TD_SPARK_DIFFERENCES(
      "Spark's `idf`, `docFreq` and `numDocs` are `idf()`, `docFreq()` and `numDocs()`. A "
      "vector of another dimension than the fitted one is an error (Spark may silently "
      "mis-scale it).")

  /// A model with its idf vector, document frequencies (Spark 3's docFreq) and document count.
  IDFModel(std::string uid, std::vector<double> idf, std::vector<std::int64_t> docFreq,
           std::int64_t numDocs);
  /// An empty model (what loading starts from).
  explicit IDFModel(std::string uid);

  /// The inverse document frequency of every feature.
  [[nodiscard]] const std::vector<double>& idf() const { return *idf_; }
  /// The number of documents holding each feature (0 where below minDocFreq), as Spark 3.
  [[nodiscard]] const std::vector<std::int64_t>& docFreq() const { return *docFreq_; }
  /// The number of documents the model was fitted on.
  [[nodiscard]] std::int64_t numDocs() const { return numDocs_; }
  /// The vector dimension the model expects.
  [[nodiscard]] std::int64_t numFeatures() const { return static_cast<std::int64_t>(idf_->size()); }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)
  /// The minDocFreq the model was fitted with (Spark's model has no setter for it).
  [[nodiscard]] std::int64_t getMinDocFreq() const { return get(IDF::minDocFreq); }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// numFeatures and numDocs.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// idf (data/idf.f64le), docFreq (data/docFreq.f64le), numFeatures, numDocs.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote, checking the arrays against numFeatures.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::shared_ptr<const std::vector<double>> idf_;  // shared between copies
  std::shared_ptr<const std::vector<std::int64_t>> docFreq_;
  std::int64_t numDocs_ = 0;
};

}  // namespace td

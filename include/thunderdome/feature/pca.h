// include/thunderdome/feature/pca.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns the top k principal components of a vector column, as Spark 3.5's PCA (mllib
/// RowMatrix.computePrincipalComponentsAndExplainedVariance): the eigenvectors of the sample
/// covariance matrix (mean-centered, n - 1) with the k largest eigenvalues, and each
/// eigenvalue's share of their sum (explainedVariance).
class PCA final : public Estimator {
  TD_CLASS(PCA, "pca", "org.apache.spark.ml.feature.PCA",
           "Learns the top k principal components of feature vectors")
  TD_SPARK_DIFFERENCES(
      "Same `k` (required, > 0, at most the vector size), covariance (mean-centered, n - 1) "
      "and outputs: `pc` (d × k, components as columns, largest variance first) and "
      "`explainedVariance` (eigenvalues over their sum). Spark takes the SVD of the "
      "covariance with LAPACK (breeze); thunderdome its symmetric eigendecomposition with "
      "Eigen, so **a component's sign may differ from Spark's**: LAPACK's sign is an "
      "artifact of its algorithm, and thunderdome fixes each column's sign so that its entry "
      "of largest magnitude is positive (scikit-learn's svd_flip rule). Components of equal "
      "(e.g. zero) variance are any basis of their space, in Spark too. Spark switches to a "
      "distributed SVD beyond 65535 features; thunderdome always forms the d × d covariance.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::int64_t, k, K, "the number of principal components (> 0)", kNoDefault,
           ParamValidator::gt(0), ParamExample{2})

  PCA();
  explicit PCA(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted PCA: projects each vector x onto the components, pcᵀ x (a dense k-vector), without
/// centering, as Spark's PCAModel.
class PCAModel final : public Model {
  TD_MODEL_CLASS(PCAModel, PCA, "pca", "org.apache.spark.ml.feature.PCAModel",
                 "A fitted PCA: projects vectors onto the principal components")
  TD_SPARK_DIFFERENCES(
      "Spark's `pc` (a DenseMatrix) is `pc()`, column-major d × k values with `numFeatures()` "
      "rows; `explainedVariance` is `explainedVariance()`. Component signs: see PCA. A "
      "vector of another dimension than the fitted one is an error.")

  /// A model with `pc` (column-major, d rows and k columns) and the explained variances (k).
  PCAModel(std::string uid, std::int64_t numFeatures, std::vector<double> pc,
           std::vector<double> explainedVariance);
  /// An empty model (what loading starts from).
  explicit PCAModel(std::string uid);

  /// The principal components, column-major: component c is pc()[c*d .. c*d + d).
  [[nodiscard]] const std::vector<double>& pc() const { return *pc_; }
  /// Entry (row j, component c) of pc.
  [[nodiscard]] double pc(std::int64_t j, std::int64_t c) const {
    return (*pc_)[static_cast<std::size_t>(c * numFeatures_ + j)];
  }
  /// Each component's share of the total variance (Spark's explainedVariance).
  [[nodiscard]] const std::vector<double>& explainedVariance() const { return *explained_; }
  /// The vector dimension the model expects (pc's rows).
  [[nodiscard]] std::int64_t numFeatures() const { return numFeatures_; }
  /// The number of components (pc's columns).
  [[nodiscard]] std::int64_t numComponents() const {
    return static_cast<std::int64_t>(explained_->size());
  }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)
  /// The k the model was fitted with (Spark's model has no setter for it).
  [[nodiscard]] std::int64_t getK() const { return get(PCA::k); }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// numFeatures and k.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// pc (data/pc.f64le, column-major), explainedVariance, numFeatures.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote, checking the arrays against numFeatures and k.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::int64_t numFeatures_ = 0;
  std::shared_ptr<const std::vector<double>> pc_;  // shared between copies
  std::shared_ptr<const std::vector<double>> explained_;
};

}  // namespace td

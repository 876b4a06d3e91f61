// src/classification/linear_svc.cc
#include "thunderdome/classification/linear_svc.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "glm/design_matrix.h"
#include "glm/feature_stats.h"
#include "glm/loss.h"
#include "glm/objective.h"
#include "glm/objective_impl.h"
#include "glm/stage_util.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/optim/lbfgs.h"

// The stage: params, checks, the model and transform. The math (feature statistics, the compact
// design matrix, the regularized objective) is the GLM kit's (src/glm/); this file adds the
// hinge loss and instantiates the kit's objectives with it.
namespace td {
namespace glm {

/// Spark's hinge loss for labels y ∈ {0, 1}: ℓ = max(0, 1 − s·m), s = 2y − 1 (HingeBlockAggregator:
/// a row contributes −s·w to the residual where w·(1 − s·m) > 0, nothing at the kink). Not
/// twice differentiable: curvature() is 0 and Newton-CG must not be used with it.
struct HingeLoss {
  static RowTerms terms(double y, double m, double w) {
    const double s = y + y - 1.0;
    const double loss = (1.0 - s * m) * w;
    if (loss > 0.0) return {loss, -s * w};
    return {0.0, 0.0};
  }
  static double curvature(double /*y*/, double /*m*/, double /*w*/) { return 0.0; }
};

static_assert(Loss<HingeLoss>);

template class SparseObjective<HingeLoss>;

}  // namespace glm

namespace {

constexpr std::int64_t kTransformBlock = 4096;  // rows per block of transform()

using glm::Reducer;

using stage_util::FitColumns;
using stage_util::optionalString;
using stage_util::throwShared;

// Checks the features column and appends the (non-empty) output columns to `input`.
Schema outputSchema(const Params& p, const Schema& input) {
  return stage_util::withOutputs(
      p, input, {{"rawPredictionCol", DataType::kVector}, {"predictionCol", DataType::kDouble}});
}

// Labels, weights and their totals for one fit.
struct Rows : stage_util::FitRows {
  double ones = 0.0;  // rows of positive weight labelled 1 (Spark's label histogram)
};

// Labels and weights of `data`, checked (labels in {0, 1}, weights finite and >= 0, sparse
// feature values finite) and totalled over the ranks with the rows labelled 1; d becomes the
// features' dimension agreed by every non-empty shard.
Rows loadRows(const Frame& data, const FitColumns& cols, const VectorColumn& X,
              dist::Communicator* comm, std::int64_t& d, const glm::NonFiniteHandler& nonFinite) {
  const bool shards = Reducer{comm}.active();
  Rows rows;
  double ones = 0.0;
  static_cast<stage_util::FitRows&>(rows) = stage_util::loadFitRows(
      data, cols, comm, d,
      [&](stage_util::FitRows& r) {
        stage_util::checkLabelsAndWeights(
            data, cols, r, [](double y) { return y == 0.0 || y == 1.0; },
            "LinearSVC is a binary classifier, labels must be 0.0 or 1.0",
            [&](std::int64_t, double y, double w) {
              if (w > 0.0) ones += y;
            });
        r.floats = stage_util::scanSparseValues(X, nonFinite);
      },
      {&ones, 1});
  rows.ones = ones;
  // Spark: numClasses is the length of the label histogram, which must be 2. Only labels of 0
  // give one class; labels all 1 still make a histogram of length 2 (and the fit goes on).
  if (rows.ones == 0.0)
    throwShared(shards, DataError(fmt::format(
                            "{}: LinearSVC only supports binary classification. 1 classes "
                            "detected in label column '{}' (every label is 0.0)",
                            cols.who, cols.label)));
  stage_util::requirePositiveWeightSum(rows.totals.weightSum, cols, shards);
  return rows;
}

}  // namespace

// ---------------------------------------------------------------- LinearSVC
LinearSVC::LinearSVC() : LinearSVC(randomUid(kUidPrefix)) {}

LinearSVC::LinearSVC(std::string uid) : Estimator(std::move(uid), schema()) {}

Schema LinearSVC::transformSchema(const Schema& input) const {
  stage_util::requireFitColumns(*this, input);
  return outputSchema(*this, input);
}

std::shared_ptr<Model> LinearSVC::fitImpl(const Frame& data, const Context& ctx) const {
  // Data-parallel fits (ctx.dataParallel): `data` is this rank's shard; sums span ctx.comm.
  const std::shared_ptr<dist::Communicator> comm = ctx.isDataParallel() ? ctx.comm : nullptr;
  const FitColumns cols = stage_util::fitColumns(*this);
  const bool fitIntercept = getFitIntercept();
  const bool standardization = getStandardization();
  const Reducer red{comm.get()};
  // Dense rows are re-coded as sparse (zeros left out): every fit runs on the kit's compact
  // design matrix, so that dense and sparse input give the same model bit for bit (as Spark's
  // suite requires: with a non-smooth loss, a different summation order takes L-BFGS along a
  // different path to a slightly different point of the flat optimum), and each trial step of
  // the line search costs O(rows) (the margins along the line are m + t·q).
  std::shared_ptr<VectorColumn> recoded;
  if (data.col<VectorColumn>(cols.features).isDense())
    recoded = glm::toSparse(data.col<VectorColumn>(cols.features));
  const auto& X = recoded ? *recoded : data.col<VectorColumn>(cols.features);
  std::int64_t d = X.dim();
  const glm::NonFiniteHandler nonFinite =
      stage_util::nonFiniteFeature(data, cols.who, cols.features);
  Rows rows = loadRows(data, cols, X, comm.get(), d, nonFinite);

  // The features that vary (Spark's Summarizer) become the compact columns; constant features
  // get coefficient 0 as in Spark (their 1/σ is 0 there).
  // Its penalty is L2 alone: proportional features (a word seen in one document, ...) are
  // solved as one (DesignMatrix::build's mergeProportional; exact, one process only).
  glm::FeatureStats stats;
  const std::shared_ptr<const glm::DesignMatrix> matrix = glm::DesignMatrix::build(
      X, d, rows.w, rows.totals, rows.floats, red, stats, glm::DesignMatrix::Layout::Auto,
      !red.active() && getRegParam() > 0.0);

  glm::Problem prob;
  prob.n = data.numRows();
  prob.y = rows.y.data();
  prob.w = rows.w.data();
  prob.weightSum = rows.totals.weightSum;
  prob.l2 = getRegParam();
  prob.stats = std::move(stats);
  prob.scaling = glm::Scaling::make(prob.stats, fitIntercept, standardization, red);

  // Spark: Breeze OWL-QN(maxIter, m = 10, zero L1 weights, tol) from zero (the intercept's
  // centring adjustment of a zero start is zero) — plain L-BFGS here.
  optim::MinimizeOptions options;
  options.maxIter = getMaxIter();
  options.tol = getTol();
  options.historySize = 10;
  std::vector<double> z0(static_cast<std::size_t>(prob.dim()), 0.0);
  glm::SparseObjective<glm::HingeLoss> objective(prob, matrix);
  optim::MinimizeResult res =
      optim::minimize(static_cast<optim::LineObjective&>(objective), std::move(z0), options);

  auto model = std::make_shared<LinearSVCModel>(uid(), prob.coefficients(res.x, d),
                                                fitIntercept ? prob.intercept(res.x) : 0.0);
  for (const auto& [name, value] : userValues()) model->set(name, value);
  LinearSVCTrainingSummary summary;
  summary.objectiveHistory = std::move(res.objectiveHistory);
  summary.totalIterations = res.iterations;
  summary.converged = res.converged;
  model->setSummary(std::move(summary));
  return model;
}

// ---------------------------------------------------------------- LinearSVCModel
LinearSVCModel::LinearSVCModel(std::string uid, std::vector<double> coefficients, double intercept)
    : Model(std::move(uid), schema()),
      coefficients_(std::make_shared<const std::vector<double>>(std::move(coefficients))),
      intercept_(intercept) {}

LinearSVCModel::LinearSVCModel(std::string uid) : LinearSVCModel(std::move(uid), {}, 0.0) {}

std::vector<StateItem> LinearSVCModel::stateSummary() const {
  std::int64_t nnz = 0;
  for (double c : *coefficients_) nnz += c != 0.0;
  return {{"numFeatures", "numFeatures", numFeatures()},
          {"intercept", "intercept", intercept_},
          {"nonZeroCoefficients", "non-zero coefficients", nnz}};
}

void LinearSVCModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures());
  out.putInt("numClasses", numClasses());
  out.putDouble("intercept", intercept_);
  out.putArray("coefficients", *coefficients_);
}

void LinearSVCModel::loadState(const StateReader& in) {
  auto coef = in.getArray("coefficients");
  const auto d = in.getInt("numFeatures");
  if (static_cast<std::int64_t>(coef.size()) != d)
    in.fail(fmt::format("data/coefficients.f64le holds {} coefficients but numFeatures is {}",
                        coef.size(), d));
  if (in.getInt("numClasses") != 2)
    in.fail(fmt::format("numClasses is {} but a LinearSVCModel has 2", in.getInt("numClasses")));
  coefficients_ = std::make_shared<const std::vector<double>>(std::move(coef));
  intercept_ = in.getDouble("intercept");
}

double LinearSVCModel::margin(const VectorView& x) const {
  stage_util::requireVectorDimension(describe(), x.size, numFeatures());
  return x.dot(coefficients_->data()) + intercept_;
}

double LinearSVCModel::predict(const VectorView& x) const {
  return margin(x) > getDouble("threshold") ? 1.0 : 0.0;
}

Schema LinearSVCModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input);
}

Frame LinearSVCModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const std::string featuresCol = getString("featuresCol");
  const std::string rawCol = optionalString(*this, "rawPredictionCol");
  const std::string predCol = optionalString(*this, "predictionCol");
  const double threshold = getDouble("threshold");
  const auto& X = input.col<VectorColumn>(featuresCol);
  stage_util::requireColumnDimension(describe(), featuresCol, X.dim(), numFeatures());
  const std::int64_t n = input.numRows();
  const auto nu = static_cast<std::size_t>(n);
  std::vector<double> raw(rawCol.empty() ? 0 : 2 * nu);
  std::vector<double> pred(predCol.empty() ? 0 : nu);
  const double* coef = coefficients_->data();
  parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const double m = X[i].dot(coef) + intercept_;
      const auto iu = static_cast<std::size_t>(i);
      if (!raw.empty()) raw[2 * iu] = -m, raw[2 * iu + 1] = m;
      if (!pred.empty()) pred[iu] = m > threshold ? 1.0 : 0.0;
    }
  });
  Frame out = input;
  if (!rawCol.empty()) out = out.withColumn(rawCol, VectorColumn::dense(n, 2, std::move(raw)));
  if (!predCol.empty())
    out = out.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(pred)));
  return out;
}

}  // namespace td

// src/classification/logistic_regression.cc
#include "thunderdome/classification/logistic_regression.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "glm/design_matrix.h"
#include "glm/feature_stats.h"
#include "glm/loss.h"
#include "glm/multinomial.h"
#include "glm/objective.h"
#include "glm/stage_util.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/work_counters.h"
#include "thunderdome/core/shared_params.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/optim/lbfgs.h"
#include "thunderdome/optim/newton.h"

// The stage: params, checks, the choice of solver, the model and transform. The math (feature
// statistics, the compact design matrix, the loss and the regularized objective) is the GLM
// kit's, in src/glm/.
namespace td {

using glm::sigmoid;

namespace {

constexpr std::int64_t kTransformBlock = 4096;  // rows per block of transform()

using stage_util::FitColumns;
using stage_util::num;
using stage_util::optionalString;
using stage_util::throwShared;

// Checks the features column and appends the (non-empty) output columns to `input`.
Schema outputSchema(const Params& p, const Schema& input) {
  return stage_util::withOutputs(p, input,
                                 {{"rawPredictionCol", DataType::kVector},
                                  {"probabilityCol", DataType::kVector},
                                  {"predictionCol", DataType::kDouble}});
}

// Sums over the ranks: the kit's data-parallel hook.
using glm::Reducer;

// Labels, weights and their totals for one fit (labels checked to be binomial).
struct Rows : stage_util::FitRows {
  double W1 = 0.0;  // weight of label 1
};

// The features of one fit: their statistics and, when sparse, the compact matrix (reused from
// the warm-start model's data when it was built from the same frame).
struct Features {
  glm::FeatureStats stats;
  std::shared_ptr<const glm::DesignMatrix> matrix;  // null: dense features
  std::shared_ptr<const glm::WarmStartData> kept;   // for the next fit of a path (when asked)
};

Features sparseFeatures(const VectorColumn& X, std::int64_t d, const Rows& r, const Reducer& red,
                        const glm::WarmStartData* cached, const glm::WarmStartData::Key& key,
                        bool keep) {
  Features f;
  bool reuse = cached && cached->key() == key;  // the previous fit of a path, same frame
  if (red.active()) {  // every rank reuses, or none does: building sums over the ranks
    double miss = reuse ? 0.0 : 1.0;
    red.max(&miss, 1);
    reuse = miss == 0.0;
  }
  if (reuse) {
    f.matrix = cached->matrix();
    f.stats = cached->stats();
  } else {
    f.matrix = glm::DesignMatrix::build(X, d, r.w, r.totals, r.floats, red, f.stats,
                                        glm::DesignMatrix::Layout::Auto, key.mergeProportional);
  }
  if (keep) f.kept = std::make_shared<const glm::WarmStartData>(key, f.matrix, f.stats);
  return f;
}

// The optimizer's result and the CG work done (Newton-CG only).
struct Solved {
  optim::MinimizeResult res;
  std::int64_t cgIterations = 0;
};

// Minimises the problem from z0 with the solver that applies: Newton-CG for the default solver
// on sparse features without an L1 part (on raw term counts L-BFGS is still far from the
// optimum after its 100 iterations, while a few Newton steps — each a preconditioned CG solve,
// every CG step two passes over the data — reach it to the tolerance), else L-BFGS (OWL-QN
// when options.l1 is set).
Solved solve(const glm::Problem& prob, const VectorColumn& X, const Features& f,
             std::vector<double> z0, const optim::MinimizeOptions& options, bool autoSolver,
             bool warm) {
  using Loss = glm::BinomialLogisticLoss;
  Solved out;
  if (!f.matrix) {
    glm::DenseObjective<Loss> dense(prob, X);
    out.res = optim::minimize([&dense](const double* z, double* g) { return dense(z, g); },
                              std::move(z0), options);
    return out;
  }
  glm::SparseObjective<Loss> sparse(prob, f.matrix);
  if (!(autoSolver && options.l1.empty())) {
    out.res = optim::minimize(static_cast<optim::LineObjective&>(sparse), std::move(z0), options);
    return out;
  }
  optim::NewtonOptions nopt;
  nopt.maxIter = options.maxIter;
  nopt.tol = options.tol;
  nopt.warmStart = warm;  // from the previous fit of a regularization path
  auto nres = optim::minimizeNewton(sparse, std::move(z0), nopt);
  out.cgIterations = nres.cgIterations;
  out.res = std::move(nres);
  return out;
}

// Labels and weights of `data`, checked (labels in {0, 1}, weights finite and >= 0, sparse
// feature values finite) and totalled over the ranks with the weight of label 1; d becomes the
// features' dimension agreed by every non-empty shard.
Rows loadRows(const Frame& data, const FitColumns& cols, const VectorColumn& X,
              dist::Communicator* comm, std::int64_t& d, const glm::NonFiniteHandler& nonFinite) {
  Rows rows;
  double W1 = 0.0;
  static_cast<stage_util::FitRows&>(rows) = stage_util::loadFitRows(
      data, cols, comm, d,
      [&](stage_util::FitRows& r) {
        stage_util::checkLabelsAndWeights(
            data, cols, r, [](double y) { return y == 0.0 || y == 1.0; },
            "binomial labels must be 0.0 or 1.0",
            [&](std::int64_t, double y, double w) {
              if (y == 1.0) W1 += w;
            },
            /*skipZeroWeightLabels=*/true);
        r.floats = stage_util::scanSparseValues(X, nonFinite);
      },
      {&W1, 1});
  rows.W1 = W1;
  stage_util::requirePositiveWeightSum(rows.totals.weightSum, cols, Reducer{comm}.active());
  return rows;
}

// Whether a binomial fit starts from `init`: its numFeatures is the data's, its values finite.
bool warmStartUsable(const LogisticRegressionModel* init, std::int64_t d, bool fitIntercept) {
  if (!init || init->numFeatures() != d || init->isMultinomial()) return false;
  const auto& c0 = init->coefficients();
  return std::all_of(c0.begin(), c0.end(), [](double v) { return std::isfinite(v); }) &&
         (!fitIntercept || std::isfinite(init->intercept()));
}

// The starting point: the coefficients of `init` (one warmStartUsable accepted, or null), else
// zeros and (with an intercept) ln(W1/W0).
std::vector<double> initialPoint(const glm::Problem& prob, const LogisticRegressionModel* init,
                                 double W1) {
  if (init) return prob.toCompact(init->coefficients(), init->intercept());
  std::vector<double> z0(static_cast<std::size_t>(prob.dim()), 0.0);
  if (prob.scaling.fitIntercept)
    z0[static_cast<std::size_t>(prob.k())] = std::log(W1 / (prob.weightSum - W1));
  return z0;
}

constexpr double kMaxModelValues = 2147483648.0;  // most K x d values of a model (16 GiB)

// The number of classes of a classification label column, K = max label + 1, after checking
// that every label is an integer >= 0 (Spark: "Classification labels should be in [0 to K-1]").
// Rows of weight 0 are left out, as Spark's MultiClassSummarizer does (w may be empty: all 1).
// A stray huge label (a K x d model of more than 2^31 values) is an error naming its row.
// Data-parallel: the maximum over the ranks (a bad label on one rank stops every rank).
std::int64_t countClasses(const Frame& data, const FitColumns& cols, const std::vector<double>& y,
                          const std::vector<double>& w, std::int64_t d, dist::Communicator* comm) {
  const Reducer red{comm};
  double top[2] = {-1.0, static_cast<double>(d)};  // max label, dimension
  std::int64_t topRow = -1;
  std::exception_ptr local;
  try {
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (!w.empty() && w[i] == 0.0) continue;
      const double v = y[i];
      if (!(v >= 0.0) || v != std::floor(v) || v > 1e9)
        stage_util::throwInvalidValue(data, static_cast<std::int64_t>(i), cols.who, "label",
                                      cols.label, v,
                                      "classification labels must be the integers 0, 1, ..., K-1");
      if (v > top[0]) top[0] = v, topRow = static_cast<std::int64_t>(i);
    }
  } catch (...) {
    local = std::current_exception();
  }
  if (red.active()) {
    dist::agreeOnErrors(*comm, local);
    red.max(top, 2);
  } else if (local) {
    std::rethrow_exception(local);
  }
  const std::int64_t K = static_cast<std::int64_t>(top[0]) + 1;
  const double values = static_cast<double>(K) * std::max(1.0, top[1]);
  if (values > kMaxModelValues) {
    const std::string why = fmt::format(
        "the model would have {} classes x {} features = {} values (at most {}); labels must be "
        "the integers 0, 1, ..., K-1",
        K, static_cast<std::int64_t>(top[1]), values, kMaxModelValues);
    if (!red.active() && topRow >= 0)
      stage_util::throwInvalidValue(data, topRow, cols.who, "label", cols.label, top[0], why);
    stage_util::throwShared(red.active(), DataError(fmt::format(
        "{}: label column '{}' has largest label {}: {}", cols.who, cols.label,
        stage_util::num(top[0]), why)));
  }
  return K;
}

// Spark's post-processing of a multinomial fit (the loss does not change when a constant is
// added to every class's row): without regularization the coefficients of each feature are
// centred across the classes, and with an intercept the intercepts always are (glmnet's rule).
void centreMultinomial(std::vector<double>& coef, std::vector<double>& b, std::int64_t K,
                       std::int64_t d, bool centreCoefficients, bool fitIntercept) {
  if (centreCoefficients)
    for (std::int64_t j = 0; j < d; ++j) {
      double mean = 0.0;
      for (std::int64_t c = 0; c < K; ++c) mean += coef[static_cast<std::size_t>(c * d + j)];
      mean /= static_cast<double>(K);
      for (std::int64_t c = 0; c < K; ++c) coef[static_cast<std::size_t>(c * d + j)] -= mean;
    }
  if (fitIntercept) {
    double mean = 0.0;
    for (double v : b) mean += v;
    mean /= static_cast<double>(K);
    for (double& v : b) v -= mean;
  }
}

}  // namespace

// ---------------------------------------------------------------- LogisticRegression
LogisticRegression::LogisticRegression() : LogisticRegression(randomUid(kUidPrefix)) {}

LogisticRegression::LogisticRegression(std::string uid) : Estimator(std::move(uid), schema()) {}

Schema LogisticRegression::transformSchema(const Schema& input) const {
  stage_util::requireFitColumns(*this, input);
  return outputSchema(*this, input);
}

std::shared_ptr<Model> LogisticRegression::fitImpl(const Frame& data, const Context& ctx) const {
  // Data-parallel fits (ctx.dataParallel): `data` is this rank's shard; sums span ctx.comm.
  const std::shared_ptr<dist::Communicator> comm_ = ctx.isDataParallel() ? ctx.comm : nullptr;
  const FitColumns cols = stage_util::fitColumns(*this);
  const double regParam = getRegParam();
  const double alpha = getElasticNetParam();
  const bool fitIntercept = getFitIntercept();
  const bool standardization = getStandardization();

  // ---- the family: K = max label + 1 classes (labels checked to be integers >= 0)
  const std::int64_t K = countClasses(
      data, cols, data.numeric(cols.label),
      cols.weight.empty() ? std::vector<double>() : data.numeric(cols.weight),
      data.col<VectorColumn>(cols.features).dim(), comm_.get());
  const std::string family = getString("family");
  if (family == "binomial" && K > 2)
    throw DataError(fmt::format(
        "{}: Binomial family only supports 1 or 2 outcome classes but found {} (label column "
        "'{}'); use family=\"multinomial\" or \"auto\"",
        cols.who, K, cols.label));
  if (family == "multinomial" || (family == "auto" && K > 2)) return fitMultinomial(data, ctx, K);

  const Reducer red{comm_.get()};
  // Data-parallel fits take the sparse path (which sums over ranks); dense rows are re-coded.
  std::shared_ptr<VectorColumn> recoded;
  if (red.active() && data.col<VectorColumn>(cols.features).isDense())
    recoded = glm::toSparse(data.col<VectorColumn>(cols.features));
  const auto& X = recoded ? *recoded : data.col<VectorColumn>(cols.features);
  std::int64_t d = X.dim();
  const glm::NonFiniteHandler nonFinite =
      stage_util::nonFiniteFeature(data, cols.who, cols.features);
  // ---- labels, weights and features: validation and weighted totals (one serial pass).
  Rows rows = loadRows(data, cols, X, comm_.get(), d, nonFinite);
  const double W = rows.totals.weightSum, W1 = rows.W1;

  // ---- the features that vary (Spark's Summarizer: rows of weight 0 are ignored; variance =
  // Σ w (x − μ)² / (W − Σw²/W)) become the compact columns of the problem.
  Features feats;
  if (X.isDense()) {  // never when data-parallel (re-coded above)
    feats.stats = glm::rowwiseFeatureStats(X, rows.w, rows.totals, nonFinite);
  } else {
    // Proportional features merged (exact for a pure L2 penalty; not across shards).
    const bool merge = !red.active() && alpha == 0.0 && regParam > 0.0;
    const glm::WarmStartData::Key key{data.column(cols.features), data.column(cols.label),
                                      cols.weight.empty() ? nullptr : data.column(cols.weight),
                                      data.numRows(), comm_.get(), merge};
    feats = sparseFeatures(X, d, rows, red,
                           initialModel_ ? initialModel_->warmStartData().get() : nullptr, key,
                           keepWarmStartData_);
  }

  auto makeModel = [&](std::vector<double> coef, double intercept,
                       LogisticRegressionTrainingSummary summary) {
    auto model = std::make_shared<LogisticRegressionModel>(uid(), std::move(coef), intercept);
    for (const auto& [name, value] : userValues()) model->set(name, value);
    model->setSummary(std::move(summary));
    model->setWarmStartData(feats.kept);
    return model;
  };

  // ---- degenerate: a single class with an intercept -> no training (Spark).
  if (fitIntercept && (W1 == 0.0 || W1 == W)) {
    LogisticRegressionTrainingSummary summary;
    summary.objectiveHistory = {0.0};
    summary.totalIterations = 0;
    summary.converged = true;
    const double inf = std::numeric_limits<double>::infinity();
    return makeModel(std::vector<double>(static_cast<std::size_t>(d), 0.0), W1 > 0.0 ? inf : -inf,
                     std::move(summary));
  }

  // ---- the problem in the compact scaled space
  glm::Problem prob;
  prob.n = data.numRows();
  prob.y = rows.y.data();
  prob.w = rows.w.data();
  prob.weightSum = W;
  prob.l2 = regParam * (1.0 - alpha);
  prob.stats = std::move(feats.stats);
  prob.scaling = glm::Scaling::make(prob.stats, fitIntercept, standardization, red);

  optim::MinimizeOptions options;
  options.maxIter = getMaxIter();
  options.tol = getTol();
  options.historySize = 10;
  options.l1 = prob.l1Weights(regParam * alpha, standardization);
  const bool warm = warmStartUsable(initialModel_.get(), d, prob.scaling.fitIntercept);
  const Solved solved = solve(prob, X, feats,
                              initialPoint(prob, warm ? initialModel_.get() : nullptr, W1),
                              options, getString("solver") == "auto", warm);

  LogisticRegressionTrainingSummary summary;
  summary.objectiveHistory = solved.res.objectiveHistory;
  summary.totalIterations = solved.res.iterations;
  summary.converged = solved.res.converged;
  summary.totalCgIterations = solved.cgIterations;
  workCounters().addFit(solved.res.iterations, solved.cgIterations);
  return makeModel(prob.coefficients(solved.res.x, d),
                   fitIntercept ? prob.intercept(solved.res.x) : 0.0, std::move(summary));
}

std::shared_ptr<Model> LogisticRegression::fitMultinomial(const Frame& data, const Context& ctx,
                                                         std::int64_t K) const {
  dist::Communicator* comm = ctx.isDataParallel() ? ctx.comm.get() : nullptr;
  const Reducer red{comm};
  const bool shards = red.active();
  const FitColumns cols = stage_util::fitColumns(*this);
  const double regParam = getRegParam();
  const double alpha = getElasticNetParam();
  const bool fitIntercept = getFitIntercept();
  const bool standardization = getStandardization();
  const auto& X = data.col<VectorColumn>(cols.features);
  const std::int64_t n = data.numRows();
  std::int64_t d = X.dim();

  // ---- labels (checked by countClasses), weights and the weighted class histogram
  std::vector<double> y = data.numeric(cols.label);
  std::vector<double> w = cols.weight.empty() ? std::vector<double>(static_cast<std::size_t>(n), 1.0)
                                              : data.numeric(cols.weight);
  std::vector<double> totals(static_cast<std::size_t>(K) + 4, 0.0);  // histogram, W, Σw², rows>0, n
  {
    std::exception_ptr local;
    try {
      for (std::int64_t i = 0; i < n; ++i) {
        const double wi = w[static_cast<std::size_t>(i)];
        if (!stage_util::weightOk(wi))
          stage_util::throwInvalidValue(data, i, cols.who, "weight", cols.weight, wi,
                                        stage_util::kWeightRule);
        if (wi == 0.0) continue;  // (its label was not checked: Spark ignores such rows)
        totals[static_cast<std::size_t>(y[static_cast<std::size_t>(i)])] += wi;
        totals[static_cast<std::size_t>(K)] += wi;
        totals[static_cast<std::size_t>(K) + 1] += wi * wi;
        totals[static_cast<std::size_t>(K) + 2] += wi > 0.0 ? 1.0 : 0.0;
      }
    } catch (...) {
      local = std::current_exception();
    }
    if (shards) {
      dist::agreeOnErrors(*comm, local);
      double dims[2] = {n > 0 ? static_cast<double>(d) : -1.0, n > 0 ? -static_cast<double>(d) : -1e300};
      red.max(dims, 2);
      if (dims[0] >= 0 && dims[0] != -dims[1])
        throwShared(shards, DataError(fmt::format(
                                "{}: data-parallel ranks disagree on the dimension of features "
                                "column '{}'; give every shard the same numFeatures",
                                cols.who, cols.features)));
      if (dims[0] >= 0) d = static_cast<std::int64_t>(dims[0]);
    } else if (local) {
      std::rethrow_exception(local);
    }
  }
  totals[static_cast<std::size_t>(K) + 3] = static_cast<double>(n);
  red.sum(totals.data(), totals.size());
  if (totals[static_cast<std::size_t>(K) + 3] == 0.0)
    throwShared(shards, DataError(fmt::format("{}: cannot fit on empty training data (features "
                                              "column '{}' has 0 rows)",
                                              cols.who, cols.features)));
  const glm::RowTotals rowTotals{totals[static_cast<std::size_t>(K)],
                                 totals[static_cast<std::size_t>(K) + 1],
                                 static_cast<std::int64_t>(totals[static_cast<std::size_t>(K) + 2])};
  stage_util::requirePositiveWeightSum(rowTotals.weightSum, cols, shards);
  const glm::NonFiniteHandler nonFinite =
      stage_util::nonFiniteFeature(data, cols.who, cols.features);
  glm::FeatureStats stats;
  {
    std::exception_ptr local;
    try {
      stats = glm::rowwiseFeatureStats(X, w, rowTotals, nonFinite, Reducer{}, X.dim());
    } catch (...) {
      local = std::current_exception();
    }
    if (shards) {
      dist::agreeOnErrors(*comm, local);
      stats = glm::rowwiseFeatureStats(X, w, rowTotals, nonFinite, red, d);
    } else if (local) {
      std::rethrow_exception(local);
    }
  }

  auto makeModel = [&](std::vector<double> coef, std::vector<double> b,
                       LogisticRegressionTrainingSummary summary) {
    auto model = std::make_shared<LogisticRegressionModel>(uid(), K, std::move(coef), std::move(b));
    for (const auto& [name, value] : userValues()) model->set(name, value);
    model->setSummary(std::move(summary));
    return model;
  };
  const auto Ku = static_cast<std::size_t>(K);
  // ---- degenerate: a single class with an intercept -> no training (Spark 3.x: coefficients
  // 0, intercept +Infinity for that class and 0 for the others).
  std::int64_t present = 0, theClass = 0;
  for (std::int64_t c = 0; c < K; ++c)
    if (totals[static_cast<std::size_t>(c)] > 0.0) ++present, theClass = c;
  if (fitIntercept && present == 1) {
    LogisticRegressionTrainingSummary summary;
    summary.objectiveHistory = {0.0};
    summary.converged = true;
    std::vector<double> b(Ku, 0.0);
    b[static_cast<std::size_t>(theClass)] = std::numeric_limits<double>::infinity();
    return makeModel(std::vector<double>(Ku * static_cast<std::size_t>(d), 0.0), std::move(b),
                     std::move(summary));
  }

  glm::MultinomialProblem prob;
  prob.n = n;
  prob.d = d;
  prob.K = static_cast<int>(K);
  prob.y = y.data();
  prob.w = w.data();
  prob.weightSum = rowTotals.weightSum;
  prob.l2 = regParam * (1.0 - alpha);
  prob.stats = std::move(stats);
  prob.scaling = glm::Scaling::make(prob.stats, fitIntercept, standardization, red);

  // ---- the starting point: the initial model when it fits, else zeros and (with an
  // intercept) Spark's centred log1p of the class weights.
  std::vector<double> z0;
  const LogisticRegressionModel* init = initialModel_.get();
  if (init && init->isMultinomial() && init->numClasses() == K && init->numFeatures() == d) {
    const auto& c0 = init->coefficientMatrix();
    const auto& b0 = init->interceptVector();
    if (std::all_of(c0.begin(), c0.end(), [](double v) { return std::isfinite(v); }) &&
        std::all_of(b0.begin(), b0.end(), [](double v) { return std::isfinite(v); }))
      z0 = prob.toCompact(c0, b0, d);
  }
  if (z0.empty()) {
    z0.assign(static_cast<std::size_t>(prob.dim()), 0.0);
    if (fitIntercept) {
      double mean = 0.0;
      for (std::size_t c = 0; c < Ku; ++c) mean += std::log1p(totals[c]);
      mean /= static_cast<double>(K);
      for (std::size_t c = 0; c < Ku; ++c)
        z0[static_cast<std::size_t>(prob.k()) * Ku + c] = std::log1p(totals[c]) - mean;
    }
  }
  optim::MinimizeOptions options;
  options.maxIter = getMaxIter();
  options.tol = getTol();
  options.historySize = 10;
  options.l1 = prob.l1Weights(regParam * alpha, standardization);
  glm::MultinomialObjective objective(prob, X);
  auto res = optim::minimize([&objective](const double* z, double* g) { return objective(z, g); },
                             std::move(z0), options);
  std::vector<double> coef = prob.coefficientMatrix(res.x, d);
  std::vector<double> b = prob.intercepts(res.x);
  centreMultinomial(coef, b, K, d, regParam == 0.0, fitIntercept);
  LogisticRegressionTrainingSummary summary;
  summary.objectiveHistory = res.objectiveHistory;
  summary.totalIterations = res.iterations;
  summary.converged = res.converged;
  return makeModel(std::move(coef), std::move(b), std::move(summary));
}

// ---------------------------------------------------------------- LogisticRegressionModel
LogisticRegressionModel::LogisticRegressionModel(std::string uid, std::vector<double> coefficients,
                                                 double intercept)
    : Model(std::move(uid), schema()),
      intercepts_{intercept},
      numFeatures_(static_cast<std::int64_t>(coefficients.size())) {
  coefficients_ = std::make_shared<const std::vector<double>>(std::move(coefficients));
}

LogisticRegressionModel::LogisticRegressionModel(std::string uid, std::int64_t numClasses,
                                                 std::vector<double> coefficientMatrix,
                                                 std::vector<double> interceptVector)
    : Model(std::move(uid), schema()),
      intercepts_(std::move(interceptVector)),
      numClasses_(numClasses),
      multinomial_(true) {
  if (numClasses < 1 || static_cast<std::int64_t>(intercepts_.size()) != numClasses ||
      coefficientMatrix.size() % static_cast<std::size_t>(numClasses) != 0)
    throw ParamError(fmt::format(
        "LogisticRegressionModel: a multinomial model needs K >= 1 intercepts and a K x d "
        "coefficient matrix (K = {}, {} intercepts, {} coefficients)",
        numClasses, intercepts_.size(), coefficientMatrix.size()));
  numFeatures_ = static_cast<std::int64_t>(coefficientMatrix.size()) / numClasses;
  coefficients_ = std::make_shared<const std::vector<double>>(std::move(coefficientMatrix));
}

LogisticRegressionModel::LogisticRegressionModel(std::string uid)
    : LogisticRegressionModel(std::move(uid), {}, 0.0) {}

const std::vector<double>& LogisticRegressionModel::coefficients() const {
  if (multinomial_)
    throw ParamError(fmt::format("{}: multinomial models contain a matrix of coefficients, use "
                                 "coefficientMatrix instead",
                                 describe()));
  return *coefficients_;
}

double LogisticRegressionModel::intercept() const {
  if (multinomial_)
    throw ParamError(fmt::format("{}: multinomial models contain a vector of intercepts, use "
                                 "interceptVector instead",
                                 describe()));
  return intercepts_[0];
}

std::vector<StateItem> LogisticRegressionModel::stateSummary() const {
  std::int64_t nnz = 0;
  for (double c : *coefficients_) nnz += c != 0.0;
  std::vector<StateItem> items;
  if (multinomial_) items.push_back({"numClasses", "numClasses", numClasses_});
  items.push_back({"numFeatures", "numFeatures", numFeatures()});
  if (multinomial_) {
    std::string b;
    for (double v : intercepts_) b += (b.empty() ? "" : ", ") + num(v);
    items.push_back({"interceptVector", "interceptVector", "[" + b + "]"});
  } else {
    items.push_back({"intercept", "intercept", intercepts_[0]});
  }
  items.push_back({"nonZeroCoefficients", "non-zero coefficients", nnz});
  return items;
}

void LogisticRegressionModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures());
  out.putInt("numClasses", numClasses());
  out.putInt("isMultinomial", multinomial_ ? 1 : 0);
  if (multinomial_)
    out.putDoubles("interceptVector", intercepts_);
  else
    out.putDouble("intercept", intercepts_[0]);
  out.putArray("coefficients", *coefficients_);
}

void LogisticRegressionModel::loadState(const StateReader& in) {
  auto coef = in.getArray("coefficients");
  const auto d = in.getInt("numFeatures");
  const auto K = in.getInt("numClasses");
  multinomial_ = in.has("isMultinomial") && in.getInt("isMultinomial") != 0;
  const std::int64_t rows = multinomial_ ? K : 1;
  if (K < 1 || static_cast<std::int64_t>(coef.size()) != rows * d)
    in.fail(fmt::format("data/coefficients.f64le holds {} coefficients but numClasses is {} and "
                        "numFeatures is {}",
                        coef.size(), K, d));
  coefficients_ = std::make_shared<const std::vector<double>>(std::move(coef));
  numFeatures_ = d;
  numClasses_ = multinomial_ ? K : 2;
  if (multinomial_) {
    intercepts_ = in.getDoubles("interceptVector");
    if (static_cast<std::int64_t>(intercepts_.size()) != K)
      in.fail(fmt::format("interceptVector holds {} values but numClasses is {}",
                          intercepts_.size(), K));
  } else {
    intercepts_ = {in.getDouble("intercept")};
  }
}

void LogisticRegressionModel::checkFeatures(std::int64_t dim) const {
  stage_util::requireVectorDimension(describe(), dim, numFeatures());
}

double LogisticRegressionModel::margin(const VectorView& x) const {
  checkFeatures(x.size);
  return x.dot(coefficients().data()) + intercepts_[0];
}

double LogisticRegressionModel::predictProbability(const VectorView& x) const {
  return sigmoid(margin(x));
}

Schema LogisticRegressionModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input);
}

Frame LogisticRegressionModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const std::string featuresCol = getString("featuresCol");
  const std::string rawCol = optionalString(*this, "rawPredictionCol");
  const std::string probCol = optionalString(*this, "probabilityCol");
  const std::string predCol = optionalString(*this, "predictionCol");
  const auto& X = input.col<VectorColumn>(featuresCol);
  stage_util::requireColumnDimension(describe(), featuresCol, X.dim(), numFeatures());
  // thresholds (when set) must have one value per class; threshold and thresholds must agree.
  std::vector<double> thresholds;
  if (isDefined("thresholds")) {
    thresholds = getOrDefault("thresholds").as<std::vector<double>>();
    if (static_cast<std::int64_t>(thresholds.size()) != numClasses())
      throw ParamError(fmt::format(
          "{}: thresholds has {} values but the model has {} classes", describe(),
          thresholds.size(), numClasses()));
  }
  const bool thresholdSet = userValues().count("threshold") > 0;
  if (!multinomial_ && !thresholds.empty() && thresholdSet) {
    const double t = 1.0 / (1.0 + thresholds[0] / thresholds[1]);
    if (std::abs(t - getDouble("threshold")) > 1e-5)
      throw ParamError(fmt::format(
          "{}: threshold ({}) and thresholds (equivalent to {}) are both set and disagree",
          describe(), num(getDouble("threshold")), num(t)));
  }
  const std::int64_t n = input.numRows();
  const auto nu = static_cast<std::size_t>(n);
  const std::int64_t K = multinomial_ ? numClasses_ : 2;
  const auto Ku = static_cast<std::size_t>(K);
  std::vector<double> raw(rawCol.empty() ? 0 : Ku * nu);
  std::vector<double> prob(probCol.empty() ? 0 : Ku * nu);
  std::vector<double> pred(predCol.empty() ? 0 : nu);
  const double* coef = coefficients_->data();
  const std::int64_t d = numFeatures_;
  if (!multinomial_) {
    // Spark: with thresholds [t0, t1] the binomial threshold is 1 / (1 + t0/t1).
    const double threshold =
        thresholds.empty() ? getDouble("threshold") : 1.0 / (1.0 + thresholds[0] / thresholds[1]);
    const double b = intercepts_[0];
    parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        const double m = X[i].dot(coef) + b;
        const double p = sigmoid(m);
        const auto iu = static_cast<std::size_t>(i);
        if (!raw.empty()) raw[2 * iu] = -m, raw[2 * iu + 1] = m;
        if (!prob.empty()) prob[2 * iu] = 1.0 - p, prob[2 * iu + 1] = p;
        if (!pred.empty()) pred[iu] = p > threshold ? 1.0 : 0.0;
      }
    });
  } else {
    parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      std::vector<double> m(Ku), p(Ku);
      for (std::int64_t i = begin; i < end; ++i) {
        const VectorView x = X[i];
        for (std::size_t c = 0; c < Ku; ++c)
          m[c] = x.dot(coef + static_cast<std::int64_t>(c) * d) + intercepts_[c];
        // softmax (an infinite margin — a single-class model — takes all the probability)
        double mx = -std::numeric_limits<double>::infinity();
        for (double v : m) mx = std::max(mx, v);
        double sum = 0.0;
        for (std::size_t c = 0; c < Ku; ++c) {
          p[c] = std::isinf(mx) && mx > 0 ? (m[c] == mx ? 1.0 : 0.0) : std::exp(m[c] - mx);
          sum += p[c];
        }
        for (double& v : p) v /= sum;
        const auto iu = static_cast<std::size_t>(i);
        if (!raw.empty()) std::copy(m.begin(), m.end(), raw.begin() + static_cast<std::ptrdiff_t>(iu * Ku));
        if (!prob.empty()) std::copy(p.begin(), p.end(), prob.begin() + static_cast<std::ptrdiff_t>(iu * Ku));
        if (!pred.empty()) {
          // argmax of the margins (the first index wins ties), or Spark's
          // probability2prediction with thresholds
          if (!thresholds.empty()) {
            pred[iu] = static_cast<double>(stage_util::thresholdArgmax(p.data(), thresholds));
          } else {
            std::size_t best = 0;
            for (std::size_t c = 1; c < Ku; ++c) best = m[c] > m[best] ? c : best;
            pred[iu] = static_cast<double>(best);
          }
        }
      }
    });
  }
  Frame out = input;
  if (!rawCol.empty()) out = out.withColumn(rawCol, VectorColumn::dense(n, K, std::move(raw)));
  if (!probCol.empty()) out = out.withColumn(probCol, VectorColumn::dense(n, K, std::move(prob)));
  if (!predCol.empty())
    out = out.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(pred)));
  return out;
}

}  // namespace td

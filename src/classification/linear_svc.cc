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

// A number as Spark prints it in messages: 2.0, 0.5, -1.0, NaN, Infinity.
std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string optionalString(const Params& p, std::string_view name) {
  return p.isDefined(name) ? p.getString(name) : std::string();
}

// Checks that `name` exists in `input` and is bigint or double.
void requireNumeric(const Schema& input, const std::string& who, std::string_view role,
                    const std::string& name) {
  const int i = input.indexOf(name);
  if (i < 0)
    throw ColumnError(fmt::format("{}: {} column '{}' does not exist (available: {})", who, role,
                                  name, input.names()),
                      name);
  const DataType t = input.fields()[static_cast<std::size_t>(i)].type;
  if (t != DataType::kDouble && t != DataType::kInt64)
    throw ColumnError(fmt::format("{}: {} column '{}' must be numeric (bigint or double) but is {}",
                                  who, role, name, toString(t)),
                      name);
}

// Checks the features column and appends the (non-empty) output columns to `input`.
Schema outputSchema(const Params& p, const Schema& input) {
  const std::string who = p.describe();
  input.requireType(who, p.getString("featuresCol"), DataType::kVector);
  Schema out = input;
  const std::pair<const char*, DataType> outputs[] = {{"rawPredictionCol", DataType::kVector},
                                                      {"predictionCol", DataType::kDouble}};
  for (const auto& [param, type] : outputs) {
    const std::string name = optionalString(p, param);
    if (name.empty()) continue;
    out.requireAbsent(who, name);
    out = out.with(Field{name, type});
  }
  return out;
}

// Where row i of `data` is, for an error: ("data.csv:14: ", "") when its origin is known (row
// provenance), else ("", " at row 5").
std::pair<std::string, std::string> rowWhere(const Frame& data, std::int64_t i) {
  if (data.origins()) return {data.rowLocation(i) + ": ", ""};
  return {"", fmt::format(" at row {}", i)};
}

// The column names a fit reads.
struct Columns {
  std::string who, features, label, weight;  // weight: empty when none
};

// Labels, weights and their totals for one fit.
struct Rows {
  std::vector<double> y, w;
  glm::RowTotals totals;  // W, Σw², rows of positive weight (over every rank once agreed)
  double ones = 0.0;      // rows of positive weight labelled 1 (Spark's label histogram)
  bool floats = true;     // sparse: every value is exactly a float
};

// The per-row checks of one shard (one serial pass): labels in {0, 1}, weights finite and
// >= 0, sparse feature values finite; accumulates the totals.
void checkRows(const Frame& data, const Columns& cols, const VectorColumn& X, Rows& r,
               const glm::NonFiniteHandler& nonFinite) {
  const auto n = static_cast<std::int64_t>(r.y.size());
  double W = 0.0, W2 = 0.0, ones = 0.0;
  std::int64_t positiveRows = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double yi = r.y[static_cast<std::size_t>(i)];
    if (!(yi == 0.0 || yi == 1.0)) {
      const auto [at, atRow] = rowWhere(data, i);
      throw DataError(fmt::format(
          "{}{}: label column '{}' has invalid value {}{}: LinearSVC is a binary classifier, "
          "labels must be 0.0 or 1.0",
          at, cols.who, cols.label, num(yi), atRow));
    }
    const double wi = r.w[static_cast<std::size_t>(i)];
    if (!(wi >= 0.0) || !std::isfinite(wi)) {
      const auto [at, atRow] = rowWhere(data, i);
      throw DataError(fmt::format(
          "{}{}: weight column '{}' has invalid value {}{}: weights must be finite and >= 0", at,
          cols.who, cols.weight, num(wi), atRow));
    }
    W += wi;
    W2 += wi * wi;
    if (wi > 0.0) ++positiveRows, ones += yi;
  }
  r.totals = {W, W2, positiveRows};
  r.ones = ones;
  if (X.isDense()) return;
  // The feature values in parallel blocks: the first row holding a non-finite value (reported
  // as a serial pass would) and whether every value is exactly a float.
  constexpr std::int64_t kCheckBlock = 8192;
  std::vector<char> blockFloats(static_cast<std::size_t>(parallel::numBlocks(n, kCheckBlock)), 1);
  const std::int64_t bad = parallel::firstFailure(n, kCheckBlock, [&](std::int64_t i) {
    const VectorView row = X[i];
    bool finite = true, floats = true;
    for (std::int64_t p = 0; p < row.nnz; ++p) {
      const double v = row.values[p];
      finite = finite && std::isfinite(v);
      floats = floats && static_cast<double>(static_cast<float>(v)) == v;
    }
    if (!floats) blockFloats[static_cast<std::size_t>(i / kCheckBlock)] = 0;
    return finite;
  });
  if (bad >= 0) {
    const VectorView row = X[bad];
    for (std::int64_t p = 0; p < row.nnz; ++p)
      if (!std::isfinite(row.values[p])) nonFinite(bad, row.indices[p], row.values[p]);
  }
  r.floats = std::all_of(blockFloats.begin(), blockFloats.end(), [](char f) { return f != 0; });
}

// Throws e, as a DistributedError in a data-parallel fit: an error found on values summed over
// the ranks is found by every rank alike.
[[noreturn]] void throwShared(bool shards, const DataError& e) {
  if (shards) throw dist::DistributedError(e.code(), e.what());
  throw e;
}

// Labels and weights of `data`, checked (with the sparse feature values) and totalled over the
// ranks; d becomes the features' dimension agreed by every non-empty shard. Data-parallel: each
// rank checks its shard, then the ranks agree (a failure on one rank stops every rank).
Rows loadRows(const Frame& data, const Columns& cols, const VectorColumn& X,
              dist::Communicator* comm, std::int64_t& d, const glm::NonFiniteHandler& nonFinite) {
  const Reducer red{comm};
  const bool shards = red.active();
  const std::int64_t n = data.numRows();
  Rows rows;
  rows.y = data.numeric(cols.label);
  rows.w = cols.weight.empty() ? std::vector<double>(static_cast<std::size_t>(n), 1.0)
                               : data.numeric(cols.weight);
  if (shards) {
    std::exception_ptr local;
    try {
      checkRows(data, cols, X, rows, nonFinite);
    } catch (...) {
      local = std::current_exception();
    }
    dist::agreeOnErrors(*comm, local);
    const double inf = std::numeric_limits<double>::infinity();
    double dims[2] = {n > 0 ? static_cast<double>(d) : -inf,
                      n > 0 ? -static_cast<double>(d) : -inf};
    red.max(dims, 2);
    if (dims[0] != -dims[1] && dims[0] > -inf)
      throwShared(
          shards,
          DataError(fmt::format(
              "{}: data-parallel ranks disagree on the dimension of features column '{}': between "
              "{} and {} over the ranks; give every shard the same numFeatures",
              cols.who, cols.features, -dims[1], dims[0])));
    if (dims[0] > -inf) d = static_cast<std::int64_t>(dims[0]);
  } else {
    checkRows(data, cols, X, rows, nonFinite);
  }
  double totalRows = static_cast<double>(n);
  red.sum(&totalRows, 1);
  if (totalRows == 0)
    throwShared(shards,
                DataError(fmt::format("{}: cannot fit on empty training data (features "
                                      "column '{}' has 0 rows{})",
                                      cols.who, cols.features, shards ? " on every rank" : "")));
  glm::RowTotals& totals = rows.totals;
  if (shards) {
    double t[4] = {totals.weightSum, totals.weightSqSum, rows.ones,
                   static_cast<double>(totals.positiveRows)};
    red.sum(t, 4);
    totals = {t[0], t[1], static_cast<std::int64_t>(t[3])};
    rows.ones = t[2];
  }
  // Spark: numClasses is the length of the label histogram, which must be 2. Only labels of 0
  // give one class; labels all 1 still make a histogram of length 2 (and the fit goes on).
  if (rows.ones == 0.0)
    throwShared(shards, DataError(fmt::format(
                            "{}: LinearSVC only supports binary classification. 1 classes "
                            "detected in label column '{}' (every label is 0.0)",
                            cols.who, cols.label)));
  if (!(totals.weightSum > 0.0))
    throwShared(shards,
                DataError(fmt::format("{}: the weights in column '{}' sum to 0; nothing to fit",
                                      cols.who, cols.weight)));
  return rows;
}

}  // namespace

// ---------------------------------------------------------------- LinearSVC
LinearSVC::LinearSVC() : LinearSVC(randomUid(kUidPrefix)) {}

LinearSVC::LinearSVC(std::string uid) : Estimator(std::move(uid), schema()) {}

Schema LinearSVC::transformSchema(const Schema& input) const {
  const std::string who = describe();
  input.requireType(who, getString("featuresCol"), DataType::kVector);
  requireNumeric(input, who, "label", getString("labelCol"));
  const std::string weightCol = optionalString(*this, "weightCol");
  if (!weightCol.empty()) requireNumeric(input, who, "weight", weightCol);
  return outputSchema(*this, input);
}

std::shared_ptr<Model> LinearSVC::fitImpl(const Frame& data, const Context& ctx) const {
  // Data-parallel fits (ctx.dataParallel): `data` is this rank's shard; sums span ctx.comm.
  const std::shared_ptr<dist::Communicator> comm = ctx.isDataParallel() ? ctx.comm : nullptr;
  const Columns cols{describe(), getString("featuresCol"), getString("labelCol"),
                     optionalString(*this, "weightCol")};
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
  const glm::NonFiniteHandler nonFinite = [&](std::int64_t i, std::int64_t j, double x) {
    const auto [at, atRow] = rowWhere(data, i);
    throw DataError(fmt::format(
        "{}{}: features column '{}' has a non-finite value {}{} (feature index {})", at, cols.who,
        cols.features, num(x), atRow, j));
  };
  Rows rows = loadRows(data, cols, X, comm.get(), d, nonFinite);

  // The features that vary (Spark's Summarizer) become the compact columns; constant features
  // get coefficient 0 as in Spark (their 1/σ is 0 there).
  glm::FeatureStats stats;
  const std::shared_ptr<const glm::DesignMatrix> matrix =
      glm::DesignMatrix::build(X, d, rows.w, rows.totals, rows.floats, red, stats);

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
  if (x.size != numFeatures())
    throw DataError(fmt::format("{}: feature vector has dimension {} but the model expects {}",
                                describe(), x.size, numFeatures()));
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
  if (X.dim() != numFeatures())
    throw DataError(fmt::format(
        "{}: features column '{}' has vectors of dimension {} but the model expects {}",
        describe(), featuresCol, X.dim(), numFeatures()));
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

// src/classification/logistic_regression.cc
#include "thunderdome/classification/logistic_regression.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/shared_params.h"
#include "thunderdome/optim/lbfgs.h"

namespace td {

namespace {

// Fixed block sizes: results never depend on the number of threads.
constexpr std::int64_t kRowBlock = 512;       // rows per block of the loss/margin pass
constexpr std::int64_t kColBlock = 1024;      // compact features per block of the Xᵀr pass
constexpr std::int64_t kTransformBlock = 4096;

// A number as Spark prints it in messages: 2.0, 0.5, -1.0, NaN, Infinity.
std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

// Numerically stable logistic function; exact 0/1 at ∓inf.
inline double sigmoid(double m) {
  if (m >= 0.0) return 1.0 / (1.0 + std::exp(-m));
  const double e = std::exp(m);
  return e / (1.0 + e);
}

// log(1 + e^z) without overflow.
inline double softplus(double z) {
  return z > 0.0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// Logistic loss of margin m for label y ∈ {0, 1}.
inline double logLoss(double y, double m) { return y > 0.5 ? softplus(-m) : softplus(m); }

std::string optionalString(const Params& p, std::string_view name) {
  return p.isDefined(name) ? p.getString(name) : std::string();
}

// Checks that `name` exists in `input` and is bigint or double.
void requireNumeric(const Schema& input, const std::string& who, std::string_view role,
                    const std::string& name) {
  const int i = input.indexOf(name);
  if (i < 0)
    throw ColumnError(fmt::format("{}: {} column '{}' does not exist (available: {})", who, role,
                                  name, input.names()));
  const DataType t = input.fields()[static_cast<std::size_t>(i)].type;
  if (t != DataType::kDouble && t != DataType::kInt64)
    throw ColumnError(fmt::format("{}: {} column '{}' must be numeric (bigint or double) but is {}",
                                  who, role, name, toString(t)));
}

// Checks the features column and appends the (non-empty) output columns to `input`.
Schema outputSchema(const Params& p, const Schema& input) {
  const std::string who = p.describe();
  input.requireType(who, p.getString("featuresCol"), DataType::kVector);
  Schema out = input;
  const std::pair<const char*, DataType> outputs[] = {{"rawPredictionCol", DataType::kVector},
                                                      {"probabilityCol", DataType::kVector},
                                                      {"predictionCol", DataType::kDouble}};
  for (const auto& [param, type] : outputs) {
    const std::string name = optionalString(p, param);
    if (name.empty()) continue;
    out.requireAbsent(who, name);
    out = out.with(Field{name, type});
  }
  return out;
}

// The training problem in the compact, scaled space: variables z = [w̃ (k values), b'], where
// w̃_c = σ_j·w_j for the c-th feature j with σ_j > 0, and (when fitting an intercept) the
// features are virtually centred: margin = Σ_c w̃_c (x_j/σ_j − μ_j/σ_j) + b'.
struct Problem {
  std::int64_t n = 0;  // rows
  std::int64_t d = 0;  // original dimension
  std::int64_t k = 0;  // active (non-constant) features
  bool fitIntercept = true;
  bool dense = true;
  const VectorColumn* X = nullptr;
  const double* y = nullptr;
  const double* w = nullptr;
  double weightSum = 0.0;
  double l2 = 0.0;                  // λ(1−α)
  std::vector<std::int32_t> active;  // original index of compact feature c
  std::vector<double> invStd;        // 1/σ_j per compact feature
  std::vector<double> scaledMean;    // μ_j/σ_j per compact feature (0 without centring)
  std::vector<double> l2Factor;      // 1 (standardization) or 1/σ_j² per compact feature

  // Sparse layout: compact CSR (scaled values) and its transpose (CSC).
  std::vector<std::int64_t> rowPtr;
  std::vector<std::int32_t> rowCol;
  std::vector<double> rowVal;
  std::vector<std::int64_t> colPtr;
  std::vector<std::int32_t> colRow;
  std::vector<double> colVal;

  // Workspace, allocated once per fit.
  std::vector<double> beta;          // dense: coefficients in the original space
  std::vector<double> partialGrad;   // dense: per-block Xᵀr over the original dimension
  std::vector<double> partialLoss;   // per block Σ w_i ℓ_i
  std::vector<double> partialResid;  // per block Σ r_i
  std::vector<double> resid;         // sparse: r_i = w_i (σ(m_i) − y_i)

  [[nodiscard]] std::int64_t dim() const { return k + (fitIntercept ? 1 : 0); }

  // Offset added to every margin: b' − Σ_c w̃_c μ_c/σ_c (or 0 without intercept).
  [[nodiscard]] double offset(const double* z) const {
    if (!fitIntercept) return 0.0;
    double s = 0.0;
    for (std::int64_t c = 0; c < k; ++c) s += z[c] * scaledMean[static_cast<std::size_t>(c)];
    return z[k] - s;
  }

  void prepareSparse() {
    std::vector<std::int32_t> compactOf(static_cast<std::size_t>(d), -1);
    for (std::int64_t c = 0; c < k; ++c)
      compactOf[static_cast<std::size_t>(active[static_cast<std::size_t>(c)])] =
          static_cast<std::int32_t>(c);
    rowPtr.assign(static_cast<std::size_t>(n) + 1, 0);
    std::vector<std::int64_t> colCount(static_cast<std::size_t>(k) + 1, 0);
    std::int64_t nnz = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const VectorView v = (*X)[i];
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        const std::int32_t c = compactOf[static_cast<std::size_t>(v.indices[p])];
        if (c >= 0 && v.values[p] != 0.0) {
          ++nnz;
          ++colCount[static_cast<std::size_t>(c) + 1];
        }
      }
      rowPtr[static_cast<std::size_t>(i) + 1] = nnz;
    }
    rowCol.resize(static_cast<std::size_t>(nnz));
    rowVal.resize(static_cast<std::size_t>(nnz));
    colRow.resize(static_cast<std::size_t>(nnz));
    colVal.resize(static_cast<std::size_t>(nnz));
    colPtr.assign(static_cast<std::size_t>(k) + 1, 0);
    for (std::int64_t c = 0; c < k; ++c)
      colPtr[static_cast<std::size_t>(c) + 1] =
          colPtr[static_cast<std::size_t>(c)] + colCount[static_cast<std::size_t>(c) + 1];
    std::vector<std::int64_t> fill(colPtr.begin(), colPtr.end() - 1);
    std::int64_t q = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const VectorView v = (*X)[i];
      for (std::int64_t p = 0; p < v.nnz; ++p) {
        const std::int32_t c = compactOf[static_cast<std::size_t>(v.indices[p])];
        if (c < 0 || v.values[p] == 0.0) continue;
        const double x = v.values[p] * invStd[static_cast<std::size_t>(c)];
        rowCol[static_cast<std::size_t>(q)] = c;
        rowVal[static_cast<std::size_t>(q)] = x;
        ++q;
        const auto at = static_cast<std::size_t>(fill[static_cast<std::size_t>(c)]++);
        colRow[at] = static_cast<std::int32_t>(i);
        colVal[at] = x;
      }
    }
    resid.assign(static_cast<std::size_t>(n), 0.0);
  }

  void prepare() {
    const auto blocks = static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock));
    partialLoss.assign(blocks, 0.0);
    partialResid.assign(blocks, 0.0);
    if (dense) {
      beta.assign(static_cast<std::size_t>(d), 0.0);
      partialGrad.assign(blocks * static_cast<std::size_t>(d), 0.0);
    } else {
      prepareSparse();
    }
  }

  // Smooth objective (mean log-loss + L2) and its gradient at z.
  double operator()(const double* z, double* grad) {
    const double off = offset(z);
    const double W = weightSum;
    std::int64_t blocks = parallel::numBlocks(n, kRowBlock);
    double lossSum = 0.0, residSum = 0.0;
    if (dense) {
      std::fill(beta.begin(), beta.end(), 0.0);
      for (std::int64_t c = 0; c < k; ++c)
        beta[static_cast<std::size_t>(active[static_cast<std::size_t>(c)])] =
            z[c] * invStd[static_cast<std::size_t>(c)];
      const double* bp = beta.data();
      const double* xv = X->values().data();
      const std::int64_t dd = d;
      parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
        double* g = partialGrad.data() + b * dd;
        std::fill(g, g + dd, 0.0);
        double loss = 0.0, rs = 0.0;
        for (std::int64_t i = begin; i < end; ++i) {
          const double* xi = xv + i * dd;
          double m = off;
          for (std::int64_t j = 0; j < dd; ++j) m += xi[j] * bp[j];
          const double wi = w[i];
          if (wi == 0.0) continue;
          const double yi = y[i];
          loss += wi * logLoss(yi, m);
          const double r = wi * (sigmoid(m) - yi);
          rs += r;
          for (std::int64_t j = 0; j < dd; ++j) g[j] += r * xi[j];
        }
        partialLoss[static_cast<std::size_t>(b)] = loss;
        partialResid[static_cast<std::size_t>(b)] = rs;
      });
      for (std::int64_t b = 0; b < blocks; ++b) {
        lossSum += partialLoss[static_cast<std::size_t>(b)];
        residSum += partialResid[static_cast<std::size_t>(b)];
      }
      // Combine the per-block gradients in block order, for the active features only.
      for (std::int64_t c = 0; c < k; ++c) {
        const auto j = static_cast<std::int64_t>(active[static_cast<std::size_t>(c)]);
        double s = 0.0;
        for (std::int64_t b = 0; b < blocks; ++b) s += partialGrad[static_cast<std::size_t>(b * dd + j)];
        grad[c] = s * invStd[static_cast<std::size_t>(c)] / W -
                  scaledMean[static_cast<std::size_t>(c)] * residSum / W;
      }
    } else {
      parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
        double loss = 0.0, rs = 0.0;
        for (std::int64_t i = begin; i < end; ++i) {
          const auto pb = rowPtr[static_cast<std::size_t>(i)];
          const auto pe = rowPtr[static_cast<std::size_t>(i) + 1];
          double m = off;
          for (auto p = pb; p < pe; ++p)
            m += rowVal[static_cast<std::size_t>(p)] * z[rowCol[static_cast<std::size_t>(p)]];
          const double wi = w[i];
          double r = 0.0;
          if (wi != 0.0) {
            const double yi = y[i];
            loss += wi * logLoss(yi, m);
            r = wi * (sigmoid(m) - yi);
            rs += r;
          }
          resid[static_cast<std::size_t>(i)] = r;
        }
        partialLoss[static_cast<std::size_t>(b)] = loss;
        partialResid[static_cast<std::size_t>(b)] = rs;
      });
      for (std::int64_t b = 0; b < blocks; ++b) {
        lossSum += partialLoss[static_cast<std::size_t>(b)];
        residSum += partialResid[static_cast<std::size_t>(b)];
      }
      const double meanResid = residSum / W;
      parallel::forBlocks(k, kColBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
        for (std::int64_t c = begin; c < end; ++c) {
          double s = 0.0;
          const auto pb = colPtr[static_cast<std::size_t>(c)];
          const auto pe = colPtr[static_cast<std::size_t>(c) + 1];
          for (auto p = pb; p < pe; ++p)
            s += colVal[static_cast<std::size_t>(p)] * resid[static_cast<std::size_t>(colRow[static_cast<std::size_t>(p)])];
          grad[c] = s / W - scaledMean[static_cast<std::size_t>(c)] * meanResid;
        }
      });
    }
    double value = lossSum / W;
    if (l2 != 0.0) {
      double pen = 0.0;
      for (std::int64_t c = 0; c < k; ++c) {
        const double f = l2Factor[static_cast<std::size_t>(c)];
        pen += f * z[c] * z[c];
        grad[c] += l2 * f * z[c];
      }
      value += 0.5 * l2 * pen;
    }
    if (fitIntercept) grad[k] = residSum / W;
    return value;
  }
};

}  // namespace

// ---------------------------------------------------------------- LogisticRegression
const ParamSchema& LogisticRegression::schema() {
  static const ParamSchema s = [] {
    ParamSchema p;
    p.push_back(shared::featuresCol());
    p.push_back(shared::labelCol());
    p.push_back(shared::weightCol());
    p.push_back(shared::predictionCol());
    p.push_back(shared::rawPredictionCol());
    p.push_back(shared::probabilityCol());
    p.push_back(shared::regParam());
    p.push_back({"elasticNetParam",
                 "the ElasticNet mixing parameter, in range [0, 1]. For alpha = 0, the penalty is "
                 "an L2 penalty. For alpha = 1, it is an L1 penalty",
                 ParamType::kDouble, ParamValue(0.0), ParamValidator::inRange(0.0, 1.0)});
    p.push_back(shared::maxIter(100));
    p.push_back(shared::tol(1e-6));
    p.push_back({"fitIntercept", "whether to fit an intercept term", ParamType::kBool,
                 ParamValue(true), ParamValidator::any()});
    p.push_back({"standardization",
                 "whether to standardize the training features before fitting the model",
                 ParamType::kBool, ParamValue(true), ParamValidator::any()});
    p.push_back({"threshold", "threshold in binary classification prediction, in range [0, 1]",
                 ParamType::kDouble, ParamValue(0.5), ParamValidator::inRange(0.0, 1.0)});
    p.push_back({"family",
                 "The name of family which is a description of the label distribution to be used "
                 "in the model. Supported options: auto, binomial.",
                 ParamType::kString, ParamValue("auto"),
                 ParamValidator::oneOf({"auto", "binomial"})});
    return p;
  }();
  return s;
}

LogisticRegression::LogisticRegression() : LogisticRegression(randomUid("logreg")) {}

LogisticRegression::LogisticRegression(std::string uid) : Estimator(std::move(uid), schema()) {}

Schema LogisticRegression::transformSchema(const Schema& input) const {
  const std::string who = describe();
  input.requireType(who, getString("featuresCol"), DataType::kVector);
  requireNumeric(input, who, "label", getString("labelCol"));
  const std::string weightCol = optionalString(*this, "weightCol");
  if (!weightCol.empty()) requireNumeric(input, who, "weight", weightCol);
  return outputSchema(*this, input);
}

std::shared_ptr<Model> LogisticRegression::fitImpl(const Frame& data) const {
  const std::string who = describe();
  const std::string featuresCol = getString("featuresCol");
  const std::string labelCol = getString("labelCol");
  const std::string weightCol = optionalString(*this, "weightCol");
  const double regParam = getRegParam();
  const double alpha = getElasticNetParam();
  const bool fitIntercept = getFitIntercept();
  const bool standardization = getStandardization();

  const auto& X = data.col<VectorColumn>(featuresCol);
  const std::int64_t n = data.numRows();
  const std::int64_t d = X.dim();
  if (n == 0)
    throw DataError(fmt::format("{}: cannot fit on empty training data (features column '{}' "
                                "has 0 rows)",
                                who, featuresCol));

  // ---- labels, weights and features: validation and weighted statistics (one serial pass)
  const std::vector<double> y = data.numeric(labelCol);
  const std::vector<double> w =
      weightCol.empty() ? std::vector<double>(static_cast<std::size_t>(n), 1.0)
                        : data.numeric(weightCol);
  double W = 0.0, W2 = 0.0, W1 = 0.0;
  std::int64_t positiveRows = 0;  // rows with weight > 0
  for (std::int64_t i = 0; i < n; ++i) {
    const double yi = y[static_cast<std::size_t>(i)];
    if (!(yi == 0.0 || yi == 1.0))
      throw DataError(fmt::format(
          "{}: label column '{}' has invalid value {} at row {}: binomial labels must be 0.0 or "
          "1.0",
          who, labelCol, num(yi), i));
    const double wi = w[static_cast<std::size_t>(i)];
    if (!(wi >= 0.0) || !std::isfinite(wi))
      throw DataError(fmt::format(
          "{}: weight column '{}' has invalid value {} at row {}: weights must be finite and "
          ">= 0",
          who, weightCol, num(wi), i));
    W += wi;
    W2 += wi * wi;
    if (yi == 1.0) W1 += wi;
    if (wi > 0.0) ++positiveRows;
  }
  if (!(W > 0.0))
    throw DataError(fmt::format("{}: the weights in column '{}' sum to 0; nothing to fit", who,
                                weightCol));

  // Weighted mean and unbiased variance per feature (Spark's Summarizer: rows of weight 0 are
  // ignored; variance = Σ w (x − μ)² / (W − Σw²/W)). Constant features get σ = 0 exactly.
  const auto du = static_cast<std::size_t>(d);
  std::vector<double> mean(du, 0.0), m2(du, 0.0), nzWeight(du, 0.0);
  std::vector<double> lo(du, std::numeric_limits<double>::infinity());
  std::vector<double> hi(du, -std::numeric_limits<double>::infinity());
  std::vector<std::int64_t> nzRows(du, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const VectorView v = X[i];
    const double wi = w[static_cast<std::size_t>(i)];
    for (std::int64_t p = 0; p < v.nnz; ++p) {
      const double x = v.values[p];
      const auto j = static_cast<std::size_t>(v.indices ? v.indices[p] : p);
      if (!std::isfinite(x))
        throw DataError(fmt::format(
            "{}: features column '{}' has a non-finite value {} at row {} (feature index {})", who,
            featuresCol, num(x), i, j));
      if (wi == 0.0) continue;
      mean[j] += wi * x;
      nzWeight[j] += wi;
      ++nzRows[j];
      lo[j] = std::min(lo[j], x);
      hi[j] = std::max(hi[j], x);
    }
  }
  for (std::size_t j = 0; j < du; ++j) {
    mean[j] /= W;
    if (nzRows[j] < positiveRows) {  // implicit zeros (sparse rows)
      lo[j] = std::min(lo[j], 0.0);
      hi[j] = std::max(hi[j], 0.0);
    }
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const double wi = w[static_cast<std::size_t>(i)];
    if (wi == 0.0) continue;
    const VectorView v = X[i];
    for (std::int64_t p = 0; p < v.nnz; ++p) {
      const auto j = static_cast<std::size_t>(v.indices ? v.indices[p] : p);
      const double dx = v.values[p] - mean[j];
      m2[j] += wi * dx * dx;
    }
  }
  const double denom = W - W2 / W;
  std::vector<double> sigma(du, 0.0);
  for (std::size_t j = 0; j < du; ++j) {
    if (!(lo[j] < hi[j]) || !(denom > 0.0)) continue;  // constant feature (or one row)
    const double zerosWeight = W - nzWeight[j];          // weight of implicit zeros
    const double total = m2[j] + zerosWeight * mean[j] * mean[j];
    sigma[j] = std::sqrt(std::max(total / denom, 0.0));
  }

  auto makeModel = [&](std::vector<double> coef, double intercept,
                       LogisticRegressionTrainingSummary summary) {
    auto model = std::make_shared<LogisticRegressionModel>(uid(), std::move(coef), intercept);
    for (const auto& [name, value] : userValues()) model->set(name, value);
    model->setSummary(std::move(summary));
    return model;
  };

  // ---- degenerate: a single class with an intercept -> no training (Spark).
  if (fitIntercept && (W1 == 0.0 || W1 == W)) {
    LogisticRegressionTrainingSummary summary;
    summary.objectiveHistory = {0.0};
    summary.totalIterations = 0;
    summary.converged = true;
    const double inf = std::numeric_limits<double>::infinity();
    return makeModel(std::vector<double>(du, 0.0), W1 > 0.0 ? inf : -inf, std::move(summary));
  }

  // ---- the problem in the compact scaled space
  Problem prob;
  prob.n = n;
  prob.d = d;
  prob.fitIntercept = fitIntercept;
  prob.dense = X.isDense();
  prob.X = &X;
  prob.y = y.data();
  prob.w = w.data();
  prob.weightSum = W;
  prob.l2 = regParam * (1.0 - alpha);
  for (std::size_t j = 0; j < du; ++j) {
    if (!(sigma[j] > 0.0)) continue;
    prob.active.push_back(static_cast<std::int32_t>(j));
    prob.invStd.push_back(1.0 / sigma[j]);
    prob.scaledMean.push_back(fitIntercept ? mean[j] / sigma[j] : 0.0);
    prob.l2Factor.push_back(standardization ? 1.0 : 1.0 / (sigma[j] * sigma[j]));
  }
  prob.k = static_cast<std::int64_t>(prob.active.size());
  const std::int64_t k = prob.k;
  prob.prepare();

  // Initial point: zeros and ln(n1/n0), or the initial model when its dimension matches.
  std::vector<double> z0(static_cast<std::size_t>(prob.dim()), 0.0);
  bool warm = false;
  if (initialModel_ && initialModel_->numFeatures() == d) {
    const auto& c0 = initialModel_->coefficients();
    warm = std::all_of(c0.begin(), c0.end(), [](double v) { return std::isfinite(v); }) &&
           (!fitIntercept || std::isfinite(initialModel_->intercept()));
    if (warm) {
      for (std::int64_t c = 0; c < k; ++c) {
        const auto j = static_cast<std::size_t>(prob.active[static_cast<std::size_t>(c)]);
        z0[static_cast<std::size_t>(c)] = c0[j] * sigma[j];
      }
      if (fitIntercept) {
        double s = 0.0;
        for (std::int64_t c = 0; c < k; ++c)
          s += z0[static_cast<std::size_t>(c)] * prob.scaledMean[static_cast<std::size_t>(c)];
        z0[static_cast<std::size_t>(k)] = initialModel_->intercept() + s;
      }
    }
  }
  if (!warm && fitIntercept) z0[static_cast<std::size_t>(k)] = std::log(W1 / (W - W1));

  optim::MinimizeOptions options;
  options.maxIter = getMaxIter();
  options.tol = getTol();
  options.historySize = 10;
  if (regParam * alpha > 0.0 && k > 0) {
    options.l1.assign(static_cast<std::size_t>(prob.dim()), 0.0);
    for (std::int64_t c = 0; c < k; ++c)
      options.l1[static_cast<std::size_t>(c)] =
          regParam * alpha * (standardization ? 1.0 : prob.invStd[static_cast<std::size_t>(c)]);
  }
  const optim::MinimizeResult res =
      optim::minimize([&prob](const double* z, double* g) { return prob(z, g); }, z0, options);

  // Back to the original scale.
  std::vector<double> coef(du, 0.0);
  for (std::int64_t c = 0; c < k; ++c)
    coef[static_cast<std::size_t>(prob.active[static_cast<std::size_t>(c)])] =
        res.x[static_cast<std::size_t>(c)] * prob.invStd[static_cast<std::size_t>(c)];
  const double intercept = fitIntercept ? prob.offset(res.x.data()) : 0.0;

  LogisticRegressionTrainingSummary summary;
  summary.objectiveHistory = res.objectiveHistory;
  summary.totalIterations = res.iterations;
  summary.converged = res.converged;
  return makeModel(std::move(coef), intercept, std::move(summary));
}

// ---------------------------------------------------------------- LogisticRegressionModel
LogisticRegressionModel::LogisticRegressionModel(std::string uid, std::vector<double> coefficients,
                                                 double intercept)
    : Model(std::move(uid), LogisticRegression::schema()),
      coefficients_(std::make_shared<const std::vector<double>>(std::move(coefficients))),
      intercept_(intercept) {}

double LogisticRegressionModel::margin(const VectorView& x) const {
  if (x.size != numFeatures())
    throw DataError(fmt::format("{}: feature vector has dimension {} but the model expects {}",
                                describe(), x.size, numFeatures()));
  return x.dot(coefficients_->data()) + intercept_;
}

double LogisticRegressionModel::predictProbability(const VectorView& x) const {
  return sigmoid(margin(x));
}

Schema LogisticRegressionModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input);
}

Frame LogisticRegressionModel::transformImpl(const Frame& input) const {
  const std::string featuresCol = getString("featuresCol");
  const std::string rawCol = optionalString(*this, "rawPredictionCol");
  const std::string probCol = optionalString(*this, "probabilityCol");
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
  std::vector<double> prob(probCol.empty() ? 0 : 2 * nu);
  std::vector<double> pred(predCol.empty() ? 0 : nu);
  const double* coef = coefficients_->data();
  parallel::forBlocks(n, kTransformBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const double m = X[i].dot(coef) + intercept_;
      const double p = sigmoid(m);
      const auto iu = static_cast<std::size_t>(i);
      if (!raw.empty()) raw[2 * iu] = -m, raw[2 * iu + 1] = m;
      if (!prob.empty()) prob[2 * iu] = 1.0 - p, prob[2 * iu + 1] = p;
      if (!pred.empty()) pred[iu] = p > threshold ? 1.0 : 0.0;
    }
  });
  Frame out = input;
  if (!rawCol.empty()) out = out.withColumn(rawCol, VectorColumn::dense(n, 2, std::move(raw)));
  if (!probCol.empty()) out = out.withColumn(probCol, VectorColumn::dense(n, 2, std::move(prob)));
  if (!predCol.empty())
    out = out.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(pred)));
  return out;
}

}  // namespace td

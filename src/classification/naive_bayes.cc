// src/classification/naive_bayes.cc
#include "thunderdome/classification/naive_bayes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "glm/stage_util.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"

// Spark 3.5's NaiveBayes (mllib/.../ml/classification/NaiveBayes.scala): the fit is one pass of
// per-class weighted sums (Σw, Σw·x and, for gaussian, Σw·x²) over fixed row chunks added in
// chunk order (data-parallel: then over the ranks); the model and its rawPrediction are Spark's
// formulas for each model type.
namespace td {

namespace {

constexpr std::int64_t kCheckBlock = 8192;            // rows per block of the fit's row checks
constexpr std::int64_t kTransformBlock = 4096;        // rows per block of transform()
constexpr std::int64_t kMinChunk = 1024;              // fewest rows of one fit chunk
constexpr std::int64_t kMaxChunks = 16;               // most fit chunks (each holds its own sums)
constexpr double kChunkBudget = 256.0 * 1024 * 1024;  // bytes all chunks' sums may take
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxLabel = 2147483647.0;        // Spark's labels are Ints
constexpr double kMaxModelValues = 2147483648.0;  // most K x d values of a model (16 GiB)

enum class Kind { kMultinomial, kComplement, kBernoulli, kGaussian };

Kind kindOf(const std::string& t) {
  if (t == "multinomial") return Kind::kMultinomial;
  if (t == "complement") return Kind::kComplement;
  if (t == "bernoulli") return Kind::kBernoulli;
  if (t == "gaussian") return Kind::kGaussian;
  throw ParamError(fmt::format("unknown naive Bayes modelType '{}'", t));
}

using stage_util::num;
using stage_util::optionalString;
using stage_util::rowWhere;

// Checks the features column and appends the (non-empty) output columns to `input`.
Schema outputSchema(const Params& p, const Schema& input) {
  return stage_util::withOutputs(p, input,
                                 {{"rawPredictionCol", DataType::kVector},
                                  {"probabilityCol", DataType::kVector},
                                  {"predictionCol", DataType::kDouble}});
}

// Spark's feature-value rule of each model type (NaiveBayes.trainWithLabelCheck at fit; at
// transform requireNonnegativeValues / requireZeroOneBernoulliValues, nothing for gaussian).
bool valueOk(Kind kind, double v, bool fitting) {
  switch (kind) {
    case Kind::kMultinomial:
    case Kind::kComplement:
      // Fit: not negative, NaN or +Infinity; transform (Spark's v > 0 on non-zeros): not
      // negative or NaN.
      return v >= 0.0 && (!fitting || v != kInf);
    case Kind::kBernoulli: return v == 0.0 || v == 1.0;
    case Kind::kGaussian: return !fitting || std::isfinite(v);
  }
  return true;
}

std::string_view valueRule(Kind kind, bool fitting) {
  switch (kind) {
    case Kind::kMultinomial:
      return fitting ? "multinomial naive Bayes requires finite feature values >= 0"
                     : "multinomial naive Bayes requires feature values >= 0";
    case Kind::kComplement:
      return fitting ? "complement naive Bayes requires finite feature values >= 0"
                     : "complement naive Bayes requires feature values >= 0";
    case Kind::kBernoulli: return "bernoulli naive Bayes requires feature values 0 or 1";
    case Kind::kGaussian: return "gaussian naive Bayes requires finite feature values";
  }
  return "";
}

// The first stored entry of x that breaks the rule (its index), or -1.
std::int64_t badEntry(Kind kind, const VectorView& x, bool fitting) {
  for (std::int64_t k = 0; k < x.nnz; ++k)
    if (!valueOk(kind, x.values[k], fitting)) return k;
  return -1;
}

// log(a) − log(b), except that log 0 − log 0 (a class or feature with nothing in it and no
// smoothing) is −Infinity: never predicted, rather than NaN.
double logRatio(double a, double b) {
  if (a == 0.0 && b == 0.0) return -kInf;
  return std::log(a) - std::log(b);
}

// Spark's Utils.softmax: a +Infinity gives 1 at the first one and 0 elsewhere; else
// exp(v − max) / Σ (max over the values, starting from Double.MinValue).
void softmax(const double* raw, double* out, std::int64_t k) {
  double maxValue = std::numeric_limits<double>::lowest();
  for (std::int64_t c = 0; c < k; ++c) {
    if (raw[c] == kInf) {
      std::fill(out, out + k, 0.0);
      out[c] = 1.0;
      return;
    }
    if (raw[c] > maxValue) maxValue = raw[c];
  }
  double sum = 0.0;
  for (std::int64_t c = 0; c < k; ++c) {
    out[c] = std::exp(raw[c] - maxValue);
    sum += out[c];
  }
  for (std::int64_t c = 0; c < k; ++c) out[c] /= sum;
}

// Spark's Vector.argmax: the first index of the largest value.
std::int64_t argmax(const double* v, std::int64_t k) {
  std::int64_t best = 0;
  for (std::int64_t c = 1; c < k; ++c)
    if (v[c] > v[best]) best = c;
  return best;
}

// What the fit's row checks found wrong with a row.
struct Problem {
  enum What { kNone, kLabel, kWeight, kFeature } what = kNone;
  double value = 0.0;
  std::int64_t index = 0;  // feature index (kFeature)
};

// The per-class sums of one chunk of rows: Σw (K), Σw·x (K×d) and, for gaussian, Σw·x² (K×d).
struct Sums {
  std::vector<double> weight, sum, sq;
  void add(const Sums& o) {
    for (std::size_t i = 0; i < weight.size(); ++i) weight[i] += o.weight[i];
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += o.sum[i];
    for (std::size_t i = 0; i < sq.size(); ++i) sq[i] += o.sq[i];
  }
};

// The precomputed terms of rawPrediction for one model type (Spark's lazy vals of the model).
struct Scorer {
  Kind kind;
  std::int64_t k, d;
  const double* pi;
  const double* theta;
  const double* sigma;
  std::vector<double> thetaMinusNegTheta;  // bernoulli: θ − log(1 − e^θ)
  std::vector<double> piMinusThetaSum;     // bernoulli: π + Σ_j log(1 − e^θ)
  std::vector<double> logVarSum;           // gaussian: Σ_j log σ

  Scorer(Kind kd, std::int64_t numClasses, std::int64_t numFeatures, const std::vector<double>& p,
         const std::vector<double>& t, const std::vector<double>& s)
      : kind(kd), k(numClasses), d(numFeatures), pi(p.data()), theta(t.data()), sigma(s.data()) {
    const auto kd2 = static_cast<std::size_t>(k * d);
    if (kind == Kind::kBernoulli) {
      thetaMinusNegTheta.resize(kd2);
      piMinusThetaSum.assign(p.begin(), p.end());
      for (std::int64_t c = 0; c < k; ++c) {
        double negSum = 0.0;
        for (std::int64_t j = 0; j < d; ++j) {
          const double v = t[static_cast<std::size_t>(c * d + j)];
          const double neg = std::log1p(-std::exp(v));
          thetaMinusNegTheta[static_cast<std::size_t>(c * d + j)] = v - neg;
          negSum += neg;
        }
        piMinusThetaSum[static_cast<std::size_t>(c)] += negSum;
      }
    } else if (kind == Kind::kGaussian) {
      logVarSum.assign(static_cast<std::size_t>(k), 0.0);
      for (std::int64_t c = 0; c < k; ++c) {
        double acc = 0.0;
        for (std::int64_t j = 0; j < d; ++j)
          acc += std::log(s[static_cast<std::size_t>(c * d + j)]);
        logVarSum[static_cast<std::size_t>(c)] = acc;
      }
    }
  }

  // Σ_j m[c, j]·x_j over the stored non-zero entries of x (a zero contributes nothing).
  static double dot(const double* row, const VectorView& x) {
    double s = 0.0;
    for (std::int64_t q = 0; q < x.nnz; ++q) {
      const double v = x.values[q];
      if (v != 0.0) s += v * row[x.indices ? x.indices[q] : q];
    }
    return s;
  }

  // rawPrediction of x into out[0..k). `dense` (d doubles of zeros, gaussian only) is scratch.
  void raw(const VectorView& x, double* out, std::vector<double>& dense) const {
    switch (kind) {
      case Kind::kMultinomial:
        for (std::int64_t c = 0; c < k; ++c) out[c] = dot(theta + c * d, x) + pi[c];
        return;
      case Kind::kBernoulli:
        for (std::int64_t c = 0; c < k; ++c)
          out[c] = dot(thetaMinusNegTheta.data() + c * d, x) +
                   piMinusThetaSum[static_cast<std::size_t>(c)];
        return;
      case Kind::kComplement: {
        for (std::int64_t c = 0; c < k; ++c) out[c] = dot(theta + c * d, x);
        // Spark's (and scipy's) logsumexp: max + log Σ exp(v − max).
        double max = out[0];
        for (std::int64_t c = 1; c < k; ++c) max = std::max(max, out[c]);
        double sumExp = 0.0;
        for (std::int64_t c = 0; c < k; ++c) sumExp += std::exp(out[c] - max);
        const double logSumExp = std::log(sumExp) + max;
        for (std::int64_t c = 0; c < k; ++c) out[c] -= logSumExp;
        return;
      }
      case Kind::kGaussian: {
        const double* xs = x.values;
        if (!x.isDense()) {
          for (std::int64_t q = 0; q < x.nnz; ++q)
            dense[static_cast<std::size_t>(x.indices[q])] = x.values[q];
          xs = dense.data();
        }
        for (std::int64_t c = 0; c < k; ++c) {
          double s = 0.0;
          const double* mu = theta + c * d;
          const double* var = sigma + c * d;
          for (std::int64_t j = 0; j < d; ++j) {
            const double diff = xs[j] - mu[j];
            s += diff * diff / var[j];
          }
          out[c] = pi[c] - (s + logVarSum[static_cast<std::size_t>(c)]) / 2;
        }
        if (!x.isDense())
          for (std::int64_t q = 0; q < x.nnz; ++q)
            dense[static_cast<std::size_t>(x.indices[q])] = 0.0;
        return;
      }
    }
  }
};

}  // namespace

// ---------------------------------------------------------------- NaiveBayes
NaiveBayes::NaiveBayes() : NaiveBayes(randomUid(kUidPrefix)) {}

NaiveBayes::NaiveBayes(std::string uid) : Estimator(std::move(uid), schema()) {}

bool NaiveBayes::checkThresholds(const std::vector<double>& t) {
  return std::all_of(t.begin(), t.end(), [](double v) { return v >= 0.0; }) &&
         std::count(t.begin(), t.end(), 0.0) <= 1;
}

Schema NaiveBayes::transformSchema(const Schema& input) const {
  stage_util::requireFitColumns(*this, input);
  return outputSchema(*this, input);
}

std::shared_ptr<Model> NaiveBayes::fitImpl(const Frame& data, const Context& ctx) const {
  // Data-parallel (ctx.comm with several ranks): `data` is this rank's shard; each rank checks
  // its rows (a bad row on one rank stops every rank with that rank's message), the ranks agree
  // on the features' dimension and the largest label, and the per-class sums are summed over
  // the ranks before the model's formulas, which every rank then computes alike.
  dist::Communicator* comm = ctx.isDataParallel() ? ctx.comm.get() : nullptr;
  const glm::Reducer red{comm};
  const bool shards = red.active();
  const stage_util::FitColumns cols = stage_util::fitColumns(*this);
  const std::string& who = cols.who;
  const std::string& featuresCol = cols.features;
  const std::string& labelCol = cols.label;
  const std::string& weightCol = cols.weight;
  const std::string type = getModelType();
  const Kind kind = kindOf(type);
  const double lambda = getSmoothing();
  const bool hasThresholds = isDefined(thresholds);
  const std::vector<double> thr = hasThresholds ? getThresholds() : std::vector<double>{};
  const auto& X = data.col<VectorColumn>(featuresCol);
  const std::int64_t n = data.numRows();
  std::int64_t d = X.dim();
  // Labels must be integers in [0, labelLimit): Spark's checkClassificationLabels with
  // numClasses = thresholds.length when thresholds are set.
  const double labelLimit = hasThresholds ? static_cast<double>(thr.size()) : kMaxLabel;

  // ---- row checks (parallel blocks; the first bad row in row order is reported) and the
  // largest label of this process's rows (0 when it has none).
  double maxLabel = 0.0;
  auto checkRows = [&](stage_util::FitRows& rows) {
    const std::vector<double>& y = rows.y;
    const std::vector<double>& w = rows.w;
    auto inspect = [&](std::int64_t i) {
      Problem p;
      const auto iu = static_cast<std::size_t>(i);
      const double yi = y[iu];
      if (!(yi >= 0.0 && yi < labelLimit && yi == std::floor(yi))) {
        p.what = Problem::kLabel;
        p.value = yi;
        return p;
      }
      const double wi = w[iu];
      if (!stage_util::weightOk(wi)) {
        p.what = Problem::kWeight;
        p.value = wi;
        return p;
      }
      const VectorView x = X[i];
      const std::int64_t q = badEntry(kind, x, true);
      if (q >= 0) {
        p.what = Problem::kFeature;
        p.value = x.values[q];
        p.index = x.indices ? x.indices[q] : q;
      }
      return p;
    };
    const std::int64_t checkBlocks = parallel::numBlocks(n, kCheckBlock);
    std::vector<std::int64_t> firstBad(static_cast<std::size_t>(checkBlocks), -1);
    std::vector<double> blockMax(static_cast<std::size_t>(checkBlocks), 0.0);
    parallel::forBlocks(n, kCheckBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      double mx = 0.0;
      for (std::int64_t i = begin; i < end; ++i) {
        if (inspect(i).what != Problem::kNone) {
          firstBad[static_cast<std::size_t>(b)] = i;
          return;
        }
        mx = std::max(mx, y[static_cast<std::size_t>(i)]);
      }
      blockMax[static_cast<std::size_t>(b)] = mx;
    });
    for (const std::int64_t i : firstBad) {
      if (i < 0) continue;
      const Problem p = inspect(i);
      const auto [at, atRow] = rowWhere(data, i);
      switch (p.what) {
        case Problem::kLabel: {
          const std::string rule =
              std::isnan(p.value) ? "labels must not be NaN"
              : hasThresholds
                  ? fmt::format("labels must be integers in [0, {}) (thresholds has {} values)",
                                thr.size(), thr.size())
              : p.value >= kMaxLabel ? fmt::format("labels must be integers in [0, {})", kMaxLabel)
                                     : "classification labels must be integers 0, 1, ..., K-1";
          stage_util::throwInvalidValue(data, i, who, "label", labelCol, p.value, rule);
        }
        case Problem::kWeight:
          stage_util::throwInvalidValue(data, i, who, "weight", weightCol, p.value,
                                        stage_util::kWeightRule);
        case Problem::kFeature:
          throw DataError(fmt::format(
              "{}{}: features column '{}' has invalid value {}{} (feature index {}): {}", at, who,
              featuresCol, num(p.value), atRow, p.index, valueRule(kind, true)));
        case Problem::kNone: break;
      }
    }
    for (const double v : blockMax) maxLabel = std::max(maxLabel, v);
  };
  // Checks (agreed by every rank), the dimension agreed by the non-empty shards, and the error
  // for no rows at all (on every rank).
  const stage_util::FitRows rows = stage_util::loadFitRows(data, cols, comm, d, checkRows);
  const std::vector<double>& y = rows.y;
  const std::vector<double>& w = rows.w;
  if (!hasThresholds) red.max(&maxLabel, 1);
  const std::int64_t k = hasThresholds ? static_cast<std::int64_t>(thr.size())
                                       : static_cast<std::int64_t>(maxLabel) + 1;
  // K x d sums (and a K x d model) must fit in memory: a stray huge label would ask for more.
  if (static_cast<double>(k) * static_cast<double>(std::max<std::int64_t>(d, 1)) > kMaxModelValues)
    stage_util::throwShared(
        shards,
        DataError(fmt::format(
            "{}: label column '{}' has largest label {} so the model would have {} classes x {} "
            "features = {} values (at most {}); labels must be 0, 1, ..., K-1",
            who, labelCol, num(maxLabel), k, d, static_cast<double>(k) * static_cast<double>(d),
            kMaxModelValues)));

  // ---- per-class sums over fixed chunks of rows (their number depends only on n, K and d, so
  // the sums are the same whatever the thread count), added in chunk order; data-parallel,
  // then summed over the ranks in rank order (every rank gets the same bits).
  const bool gaussian = kind == Kind::kGaussian;
  const auto kd = static_cast<std::size_t>(k * d);
  Sums total;
  total.weight.assign(static_cast<std::size_t>(k), 0.0);
  total.sum.assign(kd, 0.0);
  if (gaussian) total.sq.assign(kd, 0.0);
  if (n > 0) {  // an empty shard adds zeros
    const double chunkBytes = static_cast<double>(kd) * (gaussian ? 16.0 : 8.0) + 8.0 * k;
    const std::int64_t maxChunks = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(kChunkBudget / chunkBytes), 1, kMaxChunks);
    const std::int64_t chunks = std::min(maxChunks, parallel::numBlocks(n, kMinChunk));
    const std::int64_t chunkRows = (n + chunks - 1) / chunks;
    std::vector<Sums> partial(static_cast<std::size_t>(parallel::numBlocks(n, chunkRows)));
    parallel::forBlocks(n, chunkRows, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      Sums& s = partial[static_cast<std::size_t>(b)];
      s.weight.assign(static_cast<std::size_t>(k), 0.0);
      s.sum.assign(kd, 0.0);
      if (gaussian) s.sq.assign(kd, 0.0);
      for (std::int64_t i = begin; i < end; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        const auto c = static_cast<std::int64_t>(y[iu]);
        const double wi = w[iu];
        s.weight[static_cast<std::size_t>(c)] += wi;
        double* sum = s.sum.data() + c * d;
        double* sq = gaussian ? s.sq.data() + c * d : nullptr;
        X[i].forEach([&](std::int64_t j, double v) {
          sum[j] += wi * v;
          if (sq) sq[j] += wi * v * v;
        });
      }
    });
    total = std::move(partial[0]);
    for (std::size_t b = 1; b < partial.size(); ++b) total.add(partial[b]);
  }
  red.sum(total.weight.data(), total.weight.size());
  red.sum(total.sum.data(), total.sum.size());
  red.sum(total.sq.data(), total.sq.size());

  double W = 0.0;
  for (const double v : total.weight) W += v;
  stage_util::requirePositiveWeightSum(W, cols, shards);

  std::vector<double> pi(static_cast<std::size_t>(k)), theta(kd), sigma;
  const auto idx = [d](std::int64_t c, std::int64_t j) {
    return static_cast<std::size_t>(c * d + j);
  };
  if (!gaussian) {
    // Spark's trainDiscreteImpl. Complement: the sums of the other classes.
    if (kind == Kind::kComplement) {
      std::vector<double> featureSum(static_cast<std::size_t>(d), 0.0);
      for (std::int64_t c = 0; c < k; ++c)
        for (std::int64_t j = 0; j < d; ++j)
          featureSum[static_cast<std::size_t>(j)] += total.sum[idx(c, j)];
      for (std::int64_t c = 0; c < k; ++c)
        for (std::int64_t j = 0; j < d; ++j)
          total.sum[idx(c, j)] = featureSum[static_cast<std::size_t>(j)] - total.sum[idx(c, j)];
    }
    const double piDenom = W + static_cast<double>(k) * lambda;
    for (std::int64_t c = 0; c < k; ++c) {
      const double nc = total.weight[static_cast<std::size_t>(c)];
      pi[static_cast<std::size_t>(c)] = logRatio(nc + lambda, piDenom);
      double denom = 0.0;
      if (kind == Kind::kBernoulli) {
        denom = nc + 2.0 * lambda;
      } else {
        for (std::int64_t j = 0; j < d; ++j) denom += total.sum[idx(c, j)];
        denom += static_cast<double>(d) * lambda;
      }
      for (std::int64_t j = 0; j < d; ++j) {
        const double v = logRatio(total.sum[idx(c, j)] + lambda, denom);
        theta[idx(c, j)] = kind == Kind::kComplement ? -v : v;
      }
    }
  } else {
    // Spark's trainGaussianImpl: epsilon = 1e-9 × the largest variance of a feature over all
    // rows (scikit-learn's var_smoothing), added to every class's variance.
    if (d == 0)
      stage_util::throwShared(
          shards, DataError(fmt::format("{}: features column '{}' has vectors of dimension 0; "
                                        "gaussian naive Bayes needs at least one feature",
                                        who, featuresCol)));
    double maxVar = -kInf;
    for (std::int64_t j = 0; j < d; ++j) {
      double globalSum = 0.0, globalSqrSum = 0.0;
      for (std::int64_t c = 0; c < k; ++c) {
        globalSum += total.sum[idx(c, j)];
        globalSqrSum += total.sq[idx(c, j)];
      }
      maxVar = std::max(maxVar, globalSqrSum / W - globalSum * globalSum / W / W);
    }
    const double epsilon = maxVar * 1e-9;
    sigma.assign(kd, 0.0);
    const double logW = std::log(W);
    for (std::int64_t c = 0; c < k; ++c) {
      const double wc = total.weight[static_cast<std::size_t>(c)];
      pi[static_cast<std::size_t>(c)] = std::log(wc) - logW;
      for (std::int64_t j = 0; j < d; ++j) {
        // A class of weight 0: mean 0 and variance epsilon (0/0 taken as 0); its prior is
        // −Infinity, so it is never predicted.
        const double m = wc > 0.0 ? total.sum[idx(c, j)] / wc : 0.0;
        const double sq = wc > 0.0 ? total.sq[idx(c, j)] / wc : 0.0;
        theta[idx(c, j)] = m;
        sigma[idx(c, j)] = epsilon + sq - m * m;
        if (!(sigma[idx(c, j)] > 0.0))
          stage_util::throwShared(
              shards,
              DataError(fmt::format(
                  "{}: gaussian naive Bayes found variance {} for feature {} of class {} in column "
                  "'{}' (largest variance of a feature over all rows: {}); the features are "
                  "(numerically) constant, so there is nothing to fit",
                  who, num(sigma[idx(c, j)]), j, c, featuresCol, num(maxVar))));
      }
    }
  }

  auto model = std::make_shared<NaiveBayesModel>(uid(), k, d, std::move(pi), std::move(theta),
                                                 std::move(sigma));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- NaiveBayesModel
NaiveBayesModel::NaiveBayesModel(std::string uid, std::int64_t numClasses, std::int64_t numFeatures,
                                 std::vector<double> pi, std::vector<double> theta,
                                 std::vector<double> sigma)
    : Model(std::move(uid), schema()),
      numClasses_(numClasses),
      numFeatures_(numFeatures),
      pi_(std::make_shared<const std::vector<double>>(std::move(pi))),
      theta_(std::make_shared<const std::vector<double>>(std::move(theta))),
      sigma_(std::make_shared<const std::vector<double>>(std::move(sigma))) {
  if (static_cast<std::int64_t>(pi_->size()) != numClasses_ ||
      static_cast<std::int64_t>(theta_->size()) != numClasses_ * numFeatures_ ||
      (!sigma_->empty() && static_cast<std::int64_t>(sigma_->size()) != numClasses_ * numFeatures_))
    throw ParamError(fmt::format(
        "NaiveBayesModel: pi has {} values, theta {} and sigma {}, but numClasses = {} and "
        "numFeatures = {} need {}, {} and {} (or 0 for sigma)",
        pi_->size(), theta_->size(), sigma_->size(), numClasses_, numFeatures_, numClasses_,
        numClasses_ * numFeatures_, numClasses_ * numFeatures_));
}

NaiveBayesModel::NaiveBayesModel(std::string uid)
    : NaiveBayesModel(std::move(uid), 0, 0, {}, {}, {}) {}

std::vector<StateItem> NaiveBayesModel::stateSummary() const {
  return {{"numClasses", "numClasses", numClasses_},
          {"numFeatures", "numFeatures", numFeatures_},
          {"modelType", "modelType", getString("modelType")}};
}

void NaiveBayesModel::saveState(StateWriter& out) const {
  out.putInt("numClasses", numClasses_);
  out.putInt("numFeatures", numFeatures_);
  out.putArray("pi", *pi_);
  out.putArray("theta", *theta_);
  out.putArray("sigma", *sigma_);
}

void NaiveBayesModel::loadState(const StateReader& in) {
  const std::int64_t k = in.getInt("numClasses");
  const std::int64_t d = in.getInt("numFeatures");
  auto pi = in.getArray("pi");
  auto theta = in.getArray("theta");
  auto sigma = in.getArray("sigma");
  if (k < 0 || d < 0 || static_cast<std::int64_t>(pi.size()) != k ||
      static_cast<std::int64_t>(theta.size()) != k * d ||
      (!sigma.empty() && static_cast<std::int64_t>(sigma.size()) != k * d))
    in.fail(
        fmt::format("pi, theta and sigma hold {}, {} and {} values but numClasses = {} and "
                    "numFeatures = {}",
                    pi.size(), theta.size(), sigma.size(), k, d));
  const bool gaussian = getString("modelType") == "gaussian";
  if (gaussian == sigma.empty())
    in.fail(fmt::format("modelType is {} but sigma holds {} values", getString("modelType"),
                        sigma.size()));
  numClasses_ = k;
  numFeatures_ = d;
  pi_ = std::make_shared<const std::vector<double>>(std::move(pi));
  theta_ = std::make_shared<const std::vector<double>>(std::move(theta));
  sigma_ = std::make_shared<const std::vector<double>>(std::move(sigma));
}

Schema NaiveBayesModel::transformSchema(const Schema& input) const {
  return outputSchema(*this, input);
}

std::vector<double> NaiveBayesModel::predictRaw(const VectorView& x) const {
  const Kind kind = kindOf(getString("modelType"));
  stage_util::requireVectorDimension(describe(), x.size, numFeatures_);
  if (kind == Kind::kGaussian && sigma_->empty())
    throw ParamError(
        fmt::format("{}: modelType is gaussian but the model has no variances", describe()));
  const std::int64_t q = badEntry(kind, x, false);
  if (q >= 0)
    throw DataError(fmt::format("{}: feature vector {} has invalid value {} (feature index {}): {}",
                                describe(), x.toString(), num(x.values[q]),
                                x.indices ? x.indices[q] : q, valueRule(kind, false)));
  const Scorer scorer(kind, numClasses_, numFeatures_, *pi_, *theta_, *sigma_);
  std::vector<double> out(static_cast<std::size_t>(numClasses_));
  std::vector<double> dense(kind == Kind::kGaussian ? static_cast<std::size_t>(numFeatures_) : 0,
                            0.0);
  scorer.raw(x, out.data(), dense);
  return out;
}

Frame NaiveBayesModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const std::string who = describe();
  const std::string featuresCol = getFeaturesCol();
  const std::string rawCol = optionalString(*this, "rawPredictionCol");
  const std::string probCol = optionalString(*this, "probabilityCol");
  const std::string predCol = optionalString(*this, "predictionCol");
  const Kind kind = kindOf(getString("modelType"));
  const bool hasThresholds = isDefined(EstimatorParams::thresholds);
  const std::vector<double> thr = hasThresholds ? getThresholds() : std::vector<double>{};
  if (hasThresholds && static_cast<std::int64_t>(thr.size()) != numClasses_)
    throw ParamError(
        fmt::format("{}: transform() called with non-matching numClasses and thresholds.length. "
                    "numClasses={}, but thresholds has length {}",
                    who, numClasses_, thr.size()));
  if (kind == Kind::kGaussian && sigma_->empty())
    throw ParamError(
        fmt::format("{}: modelType is gaussian but the model has no variances "
                    "(it was fitted as another type)",
                    who));
  const auto& X = input.col<VectorColumn>(featuresCol);
  stage_util::requireColumnDimension(who, featuresCol, X.dim(), numFeatures_);
  const std::int64_t n = input.numRows();
  const std::int64_t k = numClasses_;
  const auto nu = static_cast<std::size_t>(n);
  const auto ku = static_cast<std::size_t>(k);
  std::vector<double> raw(rawCol.empty() ? 0 : nu * ku);
  std::vector<double> prob(probCol.empty() ? 0 : nu * ku);
  std::vector<double> pred(predCol.empty() ? 0 : nu);
  const Scorer scorer(kind, k, numFeatures_, *pi_, *theta_, *sigma_);
  std::vector<std::int64_t> firstBad(
      static_cast<std::size_t>(parallel::numBlocks(n, kTransformBlock)), -1);
  parallel::forBlocks(
      n, kTransformBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
        std::vector<double> r(ku), p(ku);
        std::vector<double> dense(
            kind == Kind::kGaussian ? static_cast<std::size_t>(numFeatures_) : 0, 0.0);
        for (std::int64_t i = begin; i < end; ++i) {
          const VectorView x = X[i];
          if (badEntry(kind, x, false) >= 0) {
            firstBad[static_cast<std::size_t>(b)] = i;
            return;
          }
          const auto iu = static_cast<std::size_t>(i);
          double* ri = raw.empty() ? r.data() : raw.data() + iu * ku;
          scorer.raw(x, ri, dense);
          // Spark's ProbabilisticClassificationModel: the probability is the softmax of raw; the
          // prediction is argmax(raw), or with thresholds argmax(p / t) of that probability.
          // (Spark takes the argmax of the probability when it computes one, else of raw.)
          double* pr = prob.empty() ? p.data() : prob.data() + iu * ku;
          if (!prob.empty() || hasThresholds) softmax(ri, pr, k);
          if (!pred.empty())
            pred[iu] = static_cast<double>(hasThresholds  ? stage_util::thresholdArgmax(pr, thr)
                                           : prob.empty() ? argmax(ri, k)
                                                          : argmax(pr, k));
        }
      });
  for (const std::int64_t i : firstBad) {
    if (i < 0) continue;
    const VectorView x = X[i];
    const std::int64_t q = badEntry(kind, x, false);
    const auto [at, atRow] = rowWhere(input, i);
    throw DataError(
        fmt::format("{}{}: features column '{}' has invalid value {}{} (feature index "
                    "{}): {}",
                    at, who, featuresCol, num(x.values[q]), atRow, x.indices ? x.indices[q] : q,
                    valueRule(kind, false)));
  }
  Frame out = input;
  if (!rawCol.empty()) out = out.withColumn(rawCol, VectorColumn::dense(n, k, std::move(raw)));
  if (!probCol.empty()) out = out.withColumn(probCol, VectorColumn::dense(n, k, std::move(prob)));
  if (!predCol.empty())
    out = out.withColumn(predCol, std::make_shared<DoubleColumn>(std::move(pred)));
  return out;
}

}  // namespace td

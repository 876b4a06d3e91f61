// src/feature/pca.cc
#include "thunderdome/feature/pca.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 1024;
constexpr std::int64_t kMaxCovBlocks = 16;  // bounds the d × d partials held at once

// The sample covariance of the rows of `col` (mean-centered, divided by n - 1), as Spark's
// RowMatrix.computeCovariance. Per-block partials are added in block order.
Eigen::MatrixXd covariance(const VectorColumn& col) {
  const std::int64_t n = col.size();
  const std::int64_t d = col.dim();
  const auto nd = static_cast<double>(n);
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(d);
  for (std::int64_t r = 0; r < n; ++r)
    col[r].forEach([&](std::int64_t j, double x) { mean[j] += x; });
  mean /= nd;
  const std::int64_t block =
      std::max(kRowBlock, (n + kMaxCovBlocks - 1) / kMaxCovBlocks);
  std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(parallel::numBlocks(n, block)));
  parallel::forBlocks(n, block, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    // The block's centered rows, 256 at a time, added as a symmetric rank update.
    Eigen::MatrixXd acc = Eigen::MatrixXd::Zero(d, d);
    constexpr std::int64_t kChunk = 256;
    Eigen::MatrixXd rows(d, kChunk);
    for (std::int64_t r0 = begin; r0 < end; r0 += kChunk) {
      const std::int64_t m = std::min(kChunk, end - r0);
      for (std::int64_t i = 0; i < m; ++i) {
        auto c = rows.col(i);
        c = -mean;
        col[r0 + i].forEach([&](std::int64_t j, double x) { c[j] += x; });
      }
      acc.selfadjointView<Eigen::Lower>().rankUpdate(rows.leftCols(m));
    }
    partial[static_cast<std::size_t>(b)] = std::move(acc);
  });
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
  for (const auto& p : partial) cov += p;
  cov = cov.selfadjointView<Eigen::Lower>();
  return cov / (nd - 1.0);
}
}  // namespace

// ---------------------------------------------------------------- PCA
PCA::PCA() : PCA(randomUid(kUidPrefix)) {}
PCA::PCA(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema PCA::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  (void)getK();  // required: a ParamError naming it when unset
  return input.with({getOutputCol(), DataType::kVector});
}

std::shared_ptr<Model> PCA::fitImpl(const Frame& data, const Context& /*ctx*/) const {
  const auto& col = data.col<VectorColumn>(getInputCol());
  const std::int64_t k = getK();
  const std::int64_t d = col.dim();
  if (k > d)
    throw ParamError(fmt::format("{}: source vector size {} must be no less than k={} (column "
                                 "'{}')",
                                 describe(), d, k, getInputCol()));
  if (col.size() <= 1)
    throw DataError(fmt::format("{}: column '{}' has {} rows: cannot compute the covariance of "
                                "<= 1 row",
                                describe(), getInputCol(), col.size()));
  const Eigen::MatrixXd cov = covariance(col);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(cov);
  if (es.info() != Eigen::Success)
    throw DataError(fmt::format("{}: the eigendecomposition of the covariance of column '{}' "
                                "did not converge (NaN or infinite values?)",
                                describe(), getInputCol()));
  // Spark takes the SVD of the covariance: singular values |λ|, largest first.
  const Eigen::VectorXd& lambda = es.eigenvalues();
  std::vector<std::int64_t> order(static_cast<std::size_t>(d));
  std::iota(order.rbegin(), order.rend(), 0);  // Eigen's ascending order, reversed
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return std::abs(lambda[a]) > std::abs(lambda[b]);
  });
  double total = 0.0;
  for (std::int64_t j = 0; j < d; ++j) total += std::abs(lambda[j]);
  std::vector<double> pc(static_cast<std::size_t>(d * k));
  std::vector<double> explained(static_cast<std::size_t>(k));
  for (std::int64_t c = 0; c < k; ++c) {
    const auto src = order[static_cast<std::size_t>(c)];
    const auto v = es.eigenvectors().col(src);
    // Sign: the entry of largest magnitude (the first such) is positive.
    std::int64_t arg = 0;
    for (std::int64_t j = 1; j < d; ++j)
      if (std::abs(v[j]) > std::abs(v[arg])) arg = j;
    const double sign = v[arg] < 0 ? -1.0 : 1.0;
    for (std::int64_t j = 0; j < d; ++j) pc[static_cast<std::size_t>(c * d + j)] = sign * v[j];
    explained[static_cast<std::size_t>(c)] = std::abs(lambda[src]) / total;
  }
  auto model = std::make_shared<PCAModel>(uid(), d, std::move(pc), std::move(explained));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- PCAModel
PCAModel::PCAModel(std::string uid, std::int64_t numFeatures, std::vector<double> pc,
                   std::vector<double> explainedVariance)
    : Model(std::move(uid), schema()),
      numFeatures_(numFeatures),
      pc_(std::make_shared<const std::vector<double>>(std::move(pc))),
      explained_(std::make_shared<const std::vector<double>>(std::move(explainedVariance))) {
  setDefault(PCA::outputCol.name(), this->uid() + "__output");
}

PCAModel::PCAModel(std::string uid) : PCAModel(std::move(uid), 0, {}, {}) {}

Schema PCAModel::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::vector<StateItem> PCAModel::stateSummary() const {
  return {{"numFeatures", "numFeatures", numFeatures_}, {"k", "k", numComponents()}};
}

void PCAModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures_);
  out.putArray("pc", *pc_);
  out.putArray("explainedVariance", *explained_);
}

void PCAModel::loadState(const StateReader& in) {
  const auto d = in.getInt("numFeatures");
  auto pc = in.getArray("pc");
  auto ev = in.getArray("explainedVariance");
  if (d < 0 || static_cast<std::int64_t>(pc.size()) != d * static_cast<std::int64_t>(ev.size()))
    in.fail(fmt::format("data/pc.f64le holds {} values but numFeatures is {} and "
                        "data/explainedVariance.f64le holds {}",
                        pc.size(), d, ev.size()));
  numFeatures_ = d;
  pc_ = std::make_shared<const std::vector<double>>(std::move(pc));
  explained_ = std::make_shared<const std::vector<double>>(std::move(ev));
}

Frame PCAModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& col = input.col<VectorColumn>(getInputCol());
  const std::int64_t d = numFeatures_;
  if (col.dim() != d)
    throw DataError(fmt::format("{}: column '{}' holds vectors of dimension {} but the model was "
                                "fitted on dimension {}",
                                describe(), getInputCol(), col.dim(), d));
  const std::int64_t k = numComponents();
  const std::int64_t n = col.size();
  const double* pc = pc_->data();
  std::vector<double> values(static_cast<std::size_t>(n * k));
  parallel::forBlocks(n, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      const VectorView v = col[r];
      for (std::int64_t c = 0; c < k; ++c) values[r * k + c] = v.dot(pc + c * d);
    }
  });
  return input.withColumn(getOutputCol(), VectorColumn::dense(n, k, std::move(values)));
}

}  // namespace td

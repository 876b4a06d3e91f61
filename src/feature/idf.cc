// src/feature/idf.cc
#include "thunderdome/feature/idf.h"

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <limits>

#include "scale_columns.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/dist/communicator.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 1024;

// df_j: the rows whose vector holds a value > 0 at j (Spark's DocumentFrequencyAggregator;
// explicit zeros, negative values and NaN do not count). Integer counts: exact in any order.
std::vector<std::int64_t> documentFrequencies(const VectorColumn& col) {
  std::vector<std::int64_t> df(static_cast<std::size_t>(col.dim()), 0);
  const auto bump = [&](std::int64_t j, std::int64_t c) {
    std::atomic_ref<std::int64_t>(df[static_cast<std::size_t>(j)])
        .fetch_add(c, std::memory_order_relaxed);
  };
  const std::int64_t n = col.size();
  if (col.isDense()) {
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      std::vector<std::int64_t> local(df.size(), 0);
      for (std::int64_t r = begin; r < end; ++r)
        col[r].forEach(
            [&](std::int64_t j, double v) { local[static_cast<std::size_t>(j)] += v > 0.0; });
      for (std::size_t j = 0; j < local.size(); ++j)
        if (local[j] != 0) bump(static_cast<std::int64_t>(j), local[j]);
    });
  } else {
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t, std::int64_t begin, std::int64_t end) {
      for (std::int64_t r = begin; r < end; ++r)
        col[r].forEach([&](std::int64_t j, double v) {
          if (v > 0.0) bump(j, 1);
        });
    });
  }
  return df;
}
}  // namespace

// ---------------------------------------------------------------- IDF
IDF::IDF() : IDF(randomUid(kUidPrefix)) {}
IDF::IDF(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema IDF::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::shared_ptr<Model> IDF::fitImpl(const Frame& data, const Context& ctx) const {
  const auto& col = data.col<VectorColumn>(getInputCol());
  std::vector<std::int64_t> df = documentFrequencies(col);
  std::int64_t m = col.size();
  if (ctx.isDataParallel()) {
    // The dimension over the ranks that hold rows ([max, -min]): the same on every rank, so all
    // of them throw together on a mismatch, and a rank without rows takes it.
    const double inf = std::numeric_limits<double>::infinity();
    const auto d = static_cast<double>(col.dim());
    std::vector<double> dims = m > 0 ? std::vector<double>{d, -d} : std::vector<double>{-inf, -inf};
    ctx.comm->allreduceMax(dims);
    if (dims[0] > -inf && dims[0] != -dims[1])
      throw DataError(
          fmt::format("{}: column '{}' holds vectors of dimension {} to {} on "
                      "different ranks (this rank: {})",
                      describe(), getInputCol(), -dims[1], dims[0], col.dim()));
    if (dims[0] > -inf) {  // else no rank has rows: all of them throw below
      if (m == 0) df.assign(static_cast<std::size_t>(dims[0]), 0);
      // One all-reduce of [m, df_0, ..., df_{d-1}]: doubles hold these counts exactly (< 2^53).
      std::vector<double> sums;
      sums.reserve(df.size() + 1);
      sums.push_back(static_cast<double>(m));
      for (auto c : df) sums.push_back(static_cast<double>(c));
      ctx.comm->allreduceSum(sums);
      m = static_cast<std::int64_t>(sums[0]);
      for (std::size_t j = 0; j < df.size(); ++j) df[j] = static_cast<std::int64_t>(sums[j + 1]);
    }
  }
  if (m == 0)
    throw DataError(
        fmt::format("{}: cannot fit on empty data: column '{}' has no rows (no "
                    "document to count frequencies in)",
                    describe(), getInputCol()));
  const std::int64_t minDocFreq = getMinDocFreq();
  std::vector<double> idf(df.size(), 0.0);
  for (std::size_t j = 0; j < df.size(); ++j) {
    if (df[j] >= minDocFreq)
      idf[j] = std::log((static_cast<double>(m) + 1.0) / (static_cast<double>(df[j]) + 1.0));
    else df[j] = 0;  // Spark reports 0 for the terms it filters out
  }
  auto model = std::make_shared<IDFModel>(uid(), std::move(idf), std::move(df), m);
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- IDFModel
IDFModel::IDFModel(std::string uid, std::vector<double> idf, std::vector<std::int64_t> docFreq,
                   std::int64_t numDocs)
    : Model(std::move(uid), schema()),
      idf_(std::make_shared<const std::vector<double>>(std::move(idf))),
      docFreq_(std::make_shared<const std::vector<std::int64_t>>(std::move(docFreq))),
      numDocs_(numDocs) {
  setDefault(IDF::outputCol.name(), this->uid() + "__output");
}

IDFModel::IDFModel(std::string uid) : IDFModel(std::move(uid), {}, {}, 0) {}

Schema IDFModel::transformSchema(const Schema& input) const {
  input.requireType(describe(), getInputCol(), DataType::kVector);
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kVector});
}

std::vector<StateItem> IDFModel::stateSummary() const {
  return {{"numFeatures", "numFeatures", numFeatures()}, {"numDocs", "numDocs", numDocs_}};
}

void IDFModel::saveState(StateWriter& out) const {
  out.putInt("numFeatures", numFeatures());
  out.putInt("numDocs", numDocs_);
  out.putArray("idf", *idf_);
  out.putArray("docFreq", std::vector<double>(docFreq_->begin(), docFreq_->end()));
}

void IDFModel::loadState(const StateReader& in) {
  const auto d = in.getInt("numFeatures");
  auto idf = in.getArray("idf");
  const auto df = in.getArray("docFreq");
  if (static_cast<std::int64_t>(idf.size()) != d || static_cast<std::int64_t>(df.size()) != d)
    in.fail(
        fmt::format("data/idf.f64le holds {} and data/docFreq.f64le {} values but "
                    "numFeatures is {}",
                    idf.size(), df.size(), d));
  std::vector<std::int64_t> docFreq;
  docFreq.reserve(df.size());
  for (double c : df) {
    if (!(c >= 0.0) || c != std::floor(c))
      in.fail(fmt::format("data/docFreq.f64le holds {}, not a document count", c));
    docFreq.push_back(static_cast<std::int64_t>(c));
  }
  const auto numDocs = in.getInt("numDocs");
  if (numDocs < 0) in.fail(fmt::format("numDocs is {}", numDocs));
  idf_ = std::make_shared<const std::vector<double>>(std::move(idf));
  docFreq_ = std::make_shared<const std::vector<std::int64_t>>(std::move(docFreq));
  numDocs_ = numDocs;
}

Frame IDFModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const auto& col = input.col<VectorColumn>(getInputCol());
  if (col.dim() != numFeatures())
    throw DataError(
        fmt::format("{}: column '{}' holds vectors of dimension {} but the model was "
                    "fitted on dimension {}",
                    describe(), getInputCol(), col.dim(), numFeatures()));
  // Same indices (explicit zeros kept), each value times the idf of its index (Spark).
  ColumnPtr out = detail::scaleColumn(col, idf_->data());
  return input.withColumn(getOutputCol(), std::move(out));
}

}  // namespace td

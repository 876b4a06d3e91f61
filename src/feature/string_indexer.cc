// src/feature/string_indexer.cc
#include "thunderdome/feature/string_indexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {
constexpr std::int64_t kRowBlock = 1 << 14;

void requireIndexable(const PipelineStage& stage, const Schema& input, const std::string& name) {
  const DataType t = input.field(name).type;
  if (t != DataType::kString && t != DataType::kInt64 && t != DataType::kDouble &&
      t != DataType::kBoolean)
    throw ColumnError(fmt::format("{}: input column '{}' must be string, numeric or boolean but is {}",
                                  stage.describe(), name, toString(t)),
                      name);
}

// Row r of a string or numeric column as the text Spark's cast to string gives.
class TextOf {
 public:
  explicit TextOf(const Column& c) : col_(c) {}
  std::string_view operator()(std::int64_t r, std::string& buf) const {
    switch (col_.type()) {
      case DataType::kString: return static_cast<const StringColumn&>(col_)[r];
      case DataType::kInt64: buf = std::to_string(static_cast<const Int64Column&>(col_)[r]); break;
      case DataType::kBoolean: return static_cast<const BooleanColumn&>(col_)[r] ? "true" : "false";
      default: {
        const double d = static_cast<const DoubleColumn&>(col_)[r];
        if (std::isnan(d)) buf = "NaN";
        else if (std::isinf(d)) buf = d > 0 ? "Infinity" : "-Infinity";
        else {
          buf = fmt::format("{}", d);
          if (buf.find_first_of(".e") == std::string::npos) buf += ".0";
        }
      }
    }
    return buf;
  }

 private:
  const Column& col_;
};

using Counts = std::unordered_map<std::string, std::int64_t>;

// The count of every non-null value of `col`.
Counts countValues(const Column& col) {
  const std::int64_t n = col.size();
  if (const auto* sc = dynamic_cast<const StringColumn*>(&col); sc && sc->isDictionary()) {
    // Count codes, then name them: no string is hashed per row.
    const auto& distinct = sc->distinct();
    std::vector<std::vector<std::int64_t>> parts(
        static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)));
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      auto& c = parts[static_cast<std::size_t>(b)];
      c.assign(distinct.size(), 0);
      for (std::int64_t r = begin; r < end; ++r)
        if (!col.isNull(r)) ++c[static_cast<std::size_t>(sc->code(r))];
    });
    std::vector<std::int64_t> total(distinct.size(), 0);
    for (const auto& p : parts)
      for (std::size_t k = 0; k < p.size(); ++k) total[k] += p[k];
    Counts all;
    for (std::size_t k = 0; k < total.size(); ++k)
      if (total[k] > 0) all.emplace(distinct[k], total[k]);
    return all;
  }
  std::vector<Counts> parts(static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)));
  const TextOf text(col);
  parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    Counts& c = parts[static_cast<std::size_t>(b)];
    std::string buf;
    for (std::int64_t r = begin; r < end; ++r) {
      if (col.isNull(r)) continue;
      const std::string_view v = text(r, buf);
      auto it = c.find(std::string(v));
      if (it == c.end()) c.emplace(std::string(v), 1);
      else ++it->second;
    }
  });
  Counts all;
  for (auto& p : parts) {
    if (all.empty()) {
      all = std::move(p);
      continue;
    }
    for (auto& [k, v] : p) all[k] += v;
  }
  return all;
}

std::vector<std::string> orderLabels(const Counts& counts, const std::string& order) {
  std::vector<std::pair<std::string, std::int64_t>> v(counts.begin(), counts.end());
  if (order == "frequencyDesc")
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
  else if (order == "frequencyAsc")
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second < b.second : a.first < b.first;
    });
  else if (order == "alphabetDesc")
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  else
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  out.reserve(v.size());
  for (auto& [label, count] : v) out.push_back(std::move(label));
  return out;
}
}  // namespace

// ---------------------------------------------------------------- StringIndexer
StringIndexer::StringIndexer() : StringIndexer(randomUid(kUidPrefix)) {}
StringIndexer::StringIndexer(std::string uid) : Estimator(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema StringIndexer::transformSchema(const Schema& input) const {
  Schema out = input;
  for (const auto& [in, o] : shared::singleOrMultiColumns(*this)) {
    requireIndexable(*this, input, in);
    out.requireAbsent(describe(), o);
    out = out.with({o, DataType::kDouble});
  }
  return out;
}

std::shared_ptr<Model> StringIndexer::fitImpl(const Frame& data, const Context& /*ctx*/) const {
  std::vector<std::vector<std::string>> labels;
  for (const auto& [in, o] : shared::singleOrMultiColumns(*this))
    labels.push_back(orderLabels(countValues(*data.column(in)), getStringOrderType()));
  auto model = std::make_shared<StringIndexerModel>(uid(), std::move(labels));
  for (const auto& [name, value] : userValues()) model->set(name, value);
  return model;
}

// ---------------------------------------------------------------- StringIndexerModel
StringIndexerModel::StringIndexerModel(std::string uid,
                                       std::vector<std::vector<std::string>> labelsArray)
    : Model(std::move(uid), schema()),
      labels_(std::make_shared<const std::vector<std::vector<std::string>>>(
          std::move(labelsArray))) {
  setDefault(StringIndexer::outputCol.name(), this->uid() + "__output");
}

StringIndexerModel::StringIndexerModel(std::string uid) : StringIndexerModel(std::move(uid), {}) {}

const std::vector<std::string>& StringIndexerModel::labels() const {
  if (labels_->size() != 1)
    throw ParamError(fmt::format("{}: the model has {} label lists (one per input column); use "
                                 "labelsArray()",
                                 describe(), labels_->size()));
  return labels_->front();
}

Schema StringIndexerModel::transformSchema(const Schema& input) const {
  const auto pairs = shared::singleOrMultiColumns(*this);
  if (pairs.size() != labels_->size())
    throw ParamError(fmt::format("{}: the model was fitted on {} column(s) but {} are set",
                                 describe(), labels_->size(), pairs.size()));
  Schema out = input;
  for (const auto& [in, o] : pairs) {
    requireIndexable(*this, input, in);
    out.requireAbsent(describe(), o);
    out = out.with({o, DataType::kDouble});
  }
  return out;
}

std::vector<StateItem> StringIndexerModel::stateSummary() const {
  std::vector<std::int64_t> sizes;
  for (const auto& l : *labels_) sizes.push_back(static_cast<std::int64_t>(l.size()));
  return {{"numLabels", "labels per column", ParamValue(sizes)}};
}

void StringIndexerModel::saveState(StateWriter& out) const { out.putStringRows("labelsArray", *labels_); }

void StringIndexerModel::loadState(const StateReader& in) {
  labels_ = std::make_shared<const std::vector<std::vector<std::string>>>(
      in.getStringRows("labelsArray"));
}

Frame StringIndexerModel::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const std::string mode = getHandleInvalid();
  const auto pairs = shared::singleOrMultiColumns(*this);
  const std::int64_t n = input.numRows();
  std::vector<std::vector<double>> indexed(pairs.size());
  std::vector<char> drop(mode == "skip" ? static_cast<std::size_t>(n) : 0, 0);
  for (std::size_t c = 0; c < pairs.size(); ++c) {
    const auto& labels = (*labels_)[c];
    std::unordered_map<std::string_view, double> index;
    index.reserve(labels.size());
    for (std::size_t k = 0; k < labels.size(); ++k)
      index.emplace(labels[k], static_cast<double>(k));
    const Column& col = *input.column(pairs[c].first);
    const TextOf text(col);
    // A dictionary-encoded column is looked up once per distinct value (-1: not a label).
    const auto* dict = dynamic_cast<const StringColumn*>(&col);
    if (dict && !dict->isDictionary()) dict = nullptr;
    std::vector<double> byCode;
    if (dict)
      for (const auto& v : dict->distinct()) {
        const auto it = index.find(v);
        byCode.push_back(it == index.end() ? -1.0 : it->second);
      }
    const auto unknown = static_cast<double>(labels.size());
    auto& out = indexed[c];
    out.resize(static_cast<std::size_t>(n));
    std::vector<std::int64_t> firstBad(static_cast<std::size_t>(parallel::numBlocks(n, kRowBlock)), -1);
    parallel::forBlocks(n, kRowBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
      std::string buf;
      for (std::int64_t r = begin; r < end; ++r) {
        double found = -1.0;
        if (col.isNull(r)) {
        } else if (dict) {
          found = byCode[static_cast<std::size_t>(dict->code(r))];
        } else if (const auto it = index.find(text(r, buf)); it != index.end()) {
          found = it->second;
        }
        if (found >= 0.0) {
          out[static_cast<std::size_t>(r)] = found;
        } else if (mode == "keep") {
          out[static_cast<std::size_t>(r)] = unknown;
        } else if (mode == "skip") {
          drop[static_cast<std::size_t>(r)] = 1;
        } else {
          firstBad[static_cast<std::size_t>(b)] = r;
          return;
        }
      }
    });
    for (const auto r : firstBad) {
      if (r < 0) continue;
      if (col.isNull(r))
        throw DataError(fmt::format(
            "{}: StringIndexer encountered NULL value in column '{}' at {}. To handle or skip "
            "NULLS, try setting StringIndexer.handleInvalid.",
            describe(), pairs[c].first, input.rowLocation(r)));
      std::string buf;
      throw DataError(fmt::format(
          "{}: Unseen label: {} in column '{}' at {}. To handle unseen labels, set Param "
          "handleInvalid to keep.",
          describe(), text(r, buf), pairs[c].first, input.rowLocation(r)));
    }
  }
  // skip: the rows where every column was valid (Spark filters column by column).
  std::vector<std::int64_t> keep;
  if (mode == "skip")
    for (std::int64_t r = 0; r < n; ++r)
      if (!drop[static_cast<std::size_t>(r)]) keep.push_back(r);
  const bool skipping = mode == "skip" && static_cast<std::int64_t>(keep.size()) != n;
  Frame out = skipping ? input.take(keep) : input;
  for (std::size_t c = 0; c < pairs.size(); ++c) {
    std::vector<double> values;
    if (skipping) {
      values.reserve(keep.size());
      for (auto r : keep) values.push_back(indexed[c][static_cast<std::size_t>(r)]);
    } else {
      values = std::move(indexed[c]);
    }
    auto col = std::make_shared<DoubleColumn>(std::move(values));
    std::vector<std::string> nominal = (*labels_)[c];
    if (mode == "keep") nominal.emplace_back("__unknown");
    col->setNominalValues(std::move(nominal));
    out = out.withColumn(pairs[c].second, std::move(col));
  }
  return out;
}

// ---------------------------------------------------------------- IndexToString
IndexToString::IndexToString() : IndexToString(randomUid(kUidPrefix)) {}
IndexToString::IndexToString(std::string uid) : Transformer(std::move(uid), schema()) {
  setDefault(outputCol.name(), this->uid() + "__output");
}

Schema IndexToString::transformSchema(const Schema& input) const {
  const DataType t = input.field(getInputCol()).type;
  if (t != DataType::kInt64 && t != DataType::kDouble)
    throw ColumnError(fmt::format("{}: the input column '{}' must be a numeric type, but got {}.",
                                  describe(), getInputCol(), toString(t)),
                      getInputCol());
  input.requireAbsent(describe(), getOutputCol());
  return input.with({getOutputCol(), DataType::kString});
}

Frame IndexToString::transformImpl(const Frame& input, const Context& /*ctx*/) const {
  const Column& col = *input.column(getInputCol());
  std::vector<std::string> labels;
  if (isDefined(IndexToString::labels) && !getLabels().empty()) labels = getLabels();
  else if (col.nominalValues()) labels = *col.nominalValues();
  else
    throw ColumnError(fmt::format("{}: the labels param is not set and column '{}' carries no "
                                  "labels (index it with StringIndexer in the same pipeline, or "
                                  "set labels)",
                                  describe(), getInputCol()),
                      getInputCol());
  const std::vector<double> idx = input.numeric(getInputCol());
  std::vector<std::string> out(idx.size());
  for (std::size_t r = 0; r < idx.size(); ++r) {
    const double d = idx[r];
    if (!(d >= 0.0) || d >= static_cast<double>(labels.size()))
      throw DataError(fmt::format("{}: Unseen index: {} ?? (column '{}' at {}; there are {} labels)",
                                  describe(), d, getInputCol(),
                                  input.rowLocation(static_cast<std::int64_t>(r)), labels.size()));
    out[r] = labels[static_cast<std::size_t>(d)];
  }
  return input.withColumn(getOutputCol(), std::make_shared<StringColumn>(std::move(out)));
}

}  // namespace td

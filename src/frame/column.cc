// src/frame/column.cc
#include "thunderdome/frame/column.h"

#include <fmt/format.h>

#include <algorithm>

#include "thunderdome/core/error.h"

namespace td {

std::string_view toString(DataType t) {
  switch (t) {
    case DataType::kInt64: return "bigint";
    case DataType::kDouble: return "double";
    case DataType::kString: return "string";
    case DataType::kStringArray: return "array<string>";
    case DataType::kVector: return "vector";
  }
  return "?";
}

namespace {

void checkRow(std::int64_t r, std::int64_t n) {
  if (r < 0 || r >= n)
    throw InternalError(fmt::format("row index {} out of range [0, {})", r, n));
}

// Composes a new row index over `index` (null = identity).
std::shared_ptr<const std::vector<std::int64_t>> compose(
    const std::shared_ptr<const std::vector<std::int64_t>>& index,
    std::span<const std::int64_t> rows, std::int64_t n) {
  auto out = std::make_shared<std::vector<std::int64_t>>();
  out->reserve(rows.size());
  for (std::int64_t r : rows) {
    checkRow(r, n);
    out->push_back(index ? (*index)[static_cast<std::size_t>(r)] : r);
  }
  return out;
}

}  // namespace

ColumnPtr Int64Column::take(std::span<const std::int64_t> rows) const {
  std::vector<std::int64_t> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    checkRow(r, size());
    out.push_back(values_[static_cast<std::size_t>(r)]);
  }
  return std::make_shared<Int64Column>(std::move(out));
}

ColumnPtr DoubleColumn::take(std::span<const std::int64_t> rows) const {
  std::vector<double> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    checkRow(r, size());
    out.push_back(values_[static_cast<std::size_t>(r)]);
  }
  return std::make_shared<DoubleColumn>(std::move(out));
}

StringColumn::StringColumn(std::vector<std::string> values)
    : data_(std::make_shared<const std::vector<std::string>>(std::move(values))) {}

std::int64_t StringColumn::size() const {
  return static_cast<std::int64_t>(index_ ? index_->size() : data_->size());
}

ColumnPtr StringColumn::take(std::span<const std::int64_t> rows) const {
  return std::shared_ptr<StringColumn>(new StringColumn(data_, compose(index_, rows, size())));
}

StringArrayColumn::StringArrayColumn(std::vector<std::string> strings,
                                     std::vector<std::int64_t> offsets) {
  if (offsets.empty() || offsets.front() != 0 ||
      offsets.back() != static_cast<std::int64_t>(strings.size()) ||
      !std::is_sorted(offsets.begin(), offsets.end()))
    throw InternalError("StringArrayColumn: offsets must start at 0, be sorted and end at the "
                        "number of strings");
  data_ = std::make_shared<const Storage>(Storage{std::move(strings), std::move(offsets)});
}

std::shared_ptr<StringArrayColumn> StringArrayColumn::fromRows(
    const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::string> strings;
  std::vector<std::int64_t> offsets{0};
  for (const auto& r : rows) {
    strings.insert(strings.end(), r.begin(), r.end());
    offsets.push_back(static_cast<std::int64_t>(strings.size()));
  }
  return std::make_shared<StringArrayColumn>(std::move(strings), std::move(offsets));
}

std::int64_t StringArrayColumn::size() const {
  return static_cast<std::int64_t>(index_ ? index_->size() : data_->offsets.size() - 1);
}

ColumnPtr StringArrayColumn::take(std::span<const std::int64_t> rows) const {
  return std::shared_ptr<StringArrayColumn>(
      new StringArrayColumn(data_, compose(index_, rows, size())));
}

std::span<const std::string> StringArrayColumn::operator[](std::int64_t i) const {
  const std::int64_t p = index_ ? (*index_)[static_cast<std::size_t>(i)] : i;
  const auto b = data_->offsets[static_cast<std::size_t>(p)];
  const auto e = data_->offsets[static_cast<std::size_t>(p) + 1];
  return {data_->strings.data() + b, static_cast<std::size_t>(e - b)};
}

double VectorView::at(std::int64_t j) const {
  if (indices == nullptr) return values[j];
  const std::int32_t* end = indices + nnz;
  const std::int32_t* it = std::lower_bound(indices, end, static_cast<std::int32_t>(j));
  return (it != end && *it == j) ? values[it - indices] : 0.0;
}

namespace {
std::string fmtDouble(double d) {
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // Spark prints 1.0, not 1
  return s;
}
}  // namespace

std::string VectorView::toString() const {
  std::string out;
  if (indices == nullptr) {
    out = "[";
    for (std::int64_t k = 0; k < nnz; ++k) out += (k ? "," : "") + fmtDouble(values[k]);
    return out + "]";
  }
  out = fmt::format("({},[", size);
  for (std::int64_t k = 0; k < nnz; ++k) out += (k ? "," : "") + std::to_string(indices[k]);
  out += "],[";
  for (std::int64_t k = 0; k < nnz; ++k) out += (k ? "," : "") + fmtDouble(values[k]);
  return out + "])";
}

std::shared_ptr<VectorColumn> VectorColumn::dense(std::int64_t rows, std::int64_t dim,
                                                  std::vector<double> values) {
  if (rows < 0 || dim < 0 || static_cast<std::int64_t>(values.size()) != rows * dim)
    throw InternalError(fmt::format("VectorColumn::dense: {} values for {} rows of dim {}",
                                    values.size(), rows, dim));
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->dense_ = true;
  c->rows_ = rows;
  c->dim_ = dim;
  c->values_ = std::move(values);
  return c;
}

std::shared_ptr<VectorColumn> VectorColumn::sparse(std::int64_t dim,
                                                   std::vector<std::int64_t> offsets,
                                                   std::vector<std::int32_t> indices,
                                                   std::vector<double> values) {
  if (offsets.empty() || offsets.front() != 0 || indices.size() != values.size() ||
      offsets.back() != static_cast<std::int64_t>(values.size()))
    throw InternalError("VectorColumn::sparse: inconsistent CSR arrays");
  for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
    for (auto k = offsets[r]; k < offsets[r + 1]; ++k) {
      const auto idx = indices[static_cast<std::size_t>(k)];
      if (idx < 0 || idx >= dim || (k > offsets[r] && indices[static_cast<std::size_t>(k) - 1] >= idx))
        throw InternalError(fmt::format(
            "VectorColumn::sparse: row {} has index {} out of order or outside [0, {})", r, idx,
            dim));
    }
  }
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->dense_ = false;
  c->rows_ = static_cast<std::int64_t>(offsets.size()) - 1;
  c->dim_ = dim;
  c->offsets_ = std::move(offsets);
  c->indices_ = std::move(indices);
  c->values_ = std::move(values);
  return c;
}

ColumnPtr VectorColumn::take(std::span<const std::int64_t> rows) const {
  if (dense_) {
    std::vector<double> out;
    out.reserve(rows.size() * static_cast<std::size_t>(dim_));
    for (auto r : rows) {
      checkRow(r, rows_);
      const double* p = values_.data() + r * dim_;
      out.insert(out.end(), p, p + dim_);
    }
    return dense(static_cast<std::int64_t>(rows.size()), dim_, std::move(out));
  }
  std::vector<std::int64_t> offs{0};
  offs.reserve(rows.size() + 1);
  std::int64_t total = 0;
  for (auto r : rows) {
    checkRow(r, rows_);
    total += offsets_[static_cast<std::size_t>(r) + 1] - offsets_[static_cast<std::size_t>(r)];
    offs.push_back(total);
  }
  std::vector<std::int32_t> idx(static_cast<std::size_t>(total));
  std::vector<double> val(static_cast<std::size_t>(total));
  std::size_t k = 0;
  for (auto r : rows) {
    const auto b = static_cast<std::size_t>(offsets_[static_cast<std::size_t>(r)]);
    const auto e = static_cast<std::size_t>(offsets_[static_cast<std::size_t>(r) + 1]);
    std::copy(indices_.begin() + static_cast<std::ptrdiff_t>(b),
              indices_.begin() + static_cast<std::ptrdiff_t>(e), idx.begin() + static_cast<std::ptrdiff_t>(k));
    std::copy(values_.begin() + static_cast<std::ptrdiff_t>(b),
              values_.begin() + static_cast<std::ptrdiff_t>(e), val.begin() + static_cast<std::ptrdiff_t>(k));
    k += e - b;
  }
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->rows_ = static_cast<std::int64_t>(rows.size());
  c->dim_ = dim_;
  c->offsets_ = std::move(offs);
  c->indices_ = std::move(idx);
  c->values_ = std::move(val);
  return c;
}

}  // namespace td

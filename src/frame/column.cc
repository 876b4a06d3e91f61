// src/frame/column.cc
#include "thunderdome/frame/column.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"

namespace td {

std::string_view toString(DataType t) {
  switch (t) {
    case DataType::kInt64: return "bigint";
    case DataType::kDouble: return "double";
    case DataType::kString: return "string";
    case DataType::kStringArray: return "array<string>";
    case DataType::kVector: return "vector";
    case DataType::kBoolean: return "boolean";
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

std::int64_t Column::nullCount() const {
  if (!nulls_) return 0;
  std::int64_t n = 0;
  for (auto f : *nulls_) n += f != 0;
  return n;
}

std::int64_t Column::firstNull() const {
  if (!nulls_) return -1;
  const auto it = std::find(nulls_->begin(), nulls_->end(), std::uint8_t{1});
  return it == nulls_->end() ? -1 : static_cast<std::int64_t>(it - nulls_->begin());
}

void Column::setNulls(NullMask mask) {
  if (static_cast<std::int64_t>(mask.size()) != size())
    throw InternalError(fmt::format("Column::setNulls: {} flags for {} rows", mask.size(), size()));
  if (std::find_if(mask.begin(), mask.end(), [](std::uint8_t f) { return f != 0; }) == mask.end())
    nulls_.reset();
  else
    nulls_ = std::make_shared<const NullMask>(std::move(mask));
}

void Column::setNominalValues(std::vector<std::string> values) {
  nominal_ = std::make_shared<const std::vector<std::string>>(std::move(values));
}

void Column::takeAttributes(Column& out, std::span<const std::int64_t> rows) const {
  out.nominal_ = nominal_;
  if (!nulls_) return;
  NullMask mask(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) mask[k] = (*nulls_)[static_cast<std::size_t>(rows[k])];
  out.setNulls(std::move(mask));
}

ColumnPtr Int64Column::take(std::span<const std::int64_t> rows) const {
  std::vector<std::int64_t> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    checkRow(r, size());
    out.push_back(values_[static_cast<std::size_t>(r)]);
  }
  auto c = std::make_shared<Int64Column>(std::move(out));
  takeAttributes(*c, rows);
  return c;
}

ColumnPtr DoubleColumn::take(std::span<const std::int64_t> rows) const {
  std::vector<double> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    checkRow(r, size());
    out.push_back(values_[static_cast<std::size_t>(r)]);
  }
  auto c = std::make_shared<DoubleColumn>(std::move(out));
  takeAttributes(*c, rows);
  return c;
}

ColumnPtr BooleanColumn::take(std::span<const std::int64_t> rows) const {
  std::vector<std::uint8_t> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    checkRow(r, size());
    out.push_back(values_[static_cast<std::size_t>(r)]);
  }
  auto c = std::make_shared<BooleanColumn>(std::move(out));
  takeAttributes(*c, rows);
  return c;
}

StringColumn::StringColumn(std::vector<std::string> values)
    : data_(std::make_shared<const std::vector<std::string>>(std::move(values))) {}

std::int64_t StringColumn::size() const {
  return static_cast<std::int64_t>(index_ ? index_->size() : data_->size());
}

std::shared_ptr<StringColumn> StringColumn::dictionary(std::vector<std::string> values,
                                                       std::vector<std::int64_t> codes) {
  const auto n = static_cast<std::int64_t>(values.size());
  for (const auto c : codes)
    if (c < 0 || c >= n)
      throw InternalError(fmt::format("StringColumn::dictionary: code {} outside [0, {})", c, n));
  return std::shared_ptr<StringColumn>(
      new StringColumn(std::make_shared<const std::vector<std::string>>(std::move(values)),
                       std::make_shared<const std::vector<std::int64_t>>(std::move(codes)),
                       /*dictionary=*/true));
}

ColumnPtr StringColumn::take(std::span<const std::int64_t> rows) const {
  auto c = std::shared_ptr<StringColumn>(
      new StringColumn(data_, compose(index_, rows, size()), dictionary_));
  takeAttributes(*c, rows);
  return c;
}

StringArrayColumn::StringArrayColumn(std::vector<std::string> strings,
                                     std::vector<std::int64_t> offsets) {
  if (offsets.empty() || offsets.front() != 0 ||
      offsets.back() != static_cast<std::int64_t>(strings.size()) ||
      !std::is_sorted(offsets.begin(), offsets.end()))
    throw InternalError("StringArrayColumn: offsets must start at 0, be sorted and end at the "
                        "number of strings");
  StringArrayChunk c;
  std::size_t total = 0;
  for (const auto& str : strings) total += str.size();
  c.bytes.reserve(total);
  c.bounds.reserve(strings.size() + 1);
  c.bounds.push_back(0);
  for (const auto& str : strings) {
    c.bytes += str;
    c.bounds.push_back(static_cast<std::int64_t>(c.bytes.size()));
  }
  c.offsets = std::move(offsets);
  auto st = std::make_shared<Storage>();
  st->rows = static_cast<std::int64_t>(c.offsets.size()) - 1;
  st->chunks.push_back(std::move(c));
  data_ = std::move(st);
}

StringArrayColumn::StringArrayColumn(std::string bytes, std::vector<std::int64_t> bounds,
                                     std::vector<std::int64_t> offsets) {
  if (bounds.empty() || bounds.front() != 0 ||
      bounds.back() != static_cast<std::int64_t>(bytes.size()) ||
      !std::is_sorted(bounds.begin(), bounds.end()))
    throw InternalError("StringArrayColumn: string bounds must start at 0, be sorted and end at "
                        "the number of bytes");
  if (offsets.empty() || offsets.front() != 0 ||
      offsets.back() != static_cast<std::int64_t>(bounds.size()) - 1 ||
      !std::is_sorted(offsets.begin(), offsets.end()))
    throw InternalError("StringArrayColumn: offsets must start at 0, be sorted and end at the "
                        "number of strings");
  auto st = std::make_shared<Storage>();
  st->rows = static_cast<std::int64_t>(offsets.size()) - 1;
  st->chunks.push_back(StringArrayChunk{std::move(bytes), std::move(bounds), std::move(offsets)});
  data_ = std::move(st);
}

std::shared_ptr<StringArrayColumn> StringArrayColumn::fromChunks(std::vector<StringArrayChunk> chunks,
                                                                 std::int64_t rowsPerChunk) {
  std::int64_t rows = 0;
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    const auto& c = chunks[k];
    const auto n = static_cast<std::int64_t>(c.offsets.size()) - 1;
    if (n < 0 || (k + 1 < chunks.size() && n != rowsPerChunk) || n > rowsPerChunk ||
        c.bounds.empty() || c.bounds.back() != static_cast<std::int64_t>(c.bytes.size()) ||
        c.offsets.back() != static_cast<std::int64_t>(c.bounds.size()) - 1)
      throw InternalError(fmt::format("StringArrayColumn::fromChunks: chunk {} is malformed", k));
    rows += n;
  }
  const bool powerOfTwo = rowsPerChunk > 0 && (rowsPerChunk & (rowsPerChunk - 1)) == 0;
  if (chunks.size() > 1 && !powerOfTwo) {  // join them
    StringArrayChunk all;
    all.bounds.push_back(0);
    all.offsets.push_back(0);
    for (auto& c : chunks) {
      const auto base = static_cast<std::int64_t>(all.bytes.size());
      const auto strings = static_cast<std::int64_t>(all.bounds.size()) - 1;
      all.bytes += c.bytes;
      for (std::size_t k = 1; k < c.bounds.size(); ++k) all.bounds.push_back(base + c.bounds[k]);
      for (std::size_t k = 1; k < c.offsets.size(); ++k) all.offsets.push_back(strings + c.offsets[k]);
      c = StringArrayChunk{};
    }
    chunks.clear();
    chunks.push_back(std::move(all));
  }
  auto st = std::make_shared<Storage>();
  st->rows = rows;
  if (chunks.size() > 1) {
    st->shift = static_cast<unsigned>(std::countr_zero(static_cast<std::uint64_t>(rowsPerChunk)));
    st->mask = static_cast<std::uint64_t>(rowsPerChunk) - 1;
  }
  st->chunks = std::move(chunks);
  return std::shared_ptr<StringArrayColumn>(new StringArrayColumn(std::move(st), nullptr));
}

StringArrayChunk toChunk(StringArrayBlock block) {
  StringArrayChunk c;
  block.bytes.shrink_to_fit();
  c.bytes = std::move(block.bytes);
  c.bounds.reserve(block.ends.size() + 1);
  c.bounds.push_back(0);
  c.bounds.insert(c.bounds.end(), block.ends.begin(), block.ends.end());
  c.offsets.reserve(block.counts.size() + 1);
  c.offsets.push_back(0);
  for (const auto n : block.counts) c.offsets.push_back(c.offsets.back() + n);
  return c;
}

std::shared_ptr<StringArrayColumn> StringArrayColumn::fromRows(
    const std::vector<std::vector<std::string>>& rows) {
  std::string bytes;
  std::vector<std::int64_t> bounds{0};
  std::vector<std::int64_t> offsets{0};
  for (const auto& r : rows) {
    for (const auto& str : r) {
      bytes += str;
      bounds.push_back(static_cast<std::int64_t>(bytes.size()));
    }
    offsets.push_back(static_cast<std::int64_t>(bounds.size()) - 1);
  }
  return std::make_shared<StringArrayColumn>(std::move(bytes), std::move(bounds),
                                             std::move(offsets));
}

std::int64_t StringArrayColumn::size() const {
  return index_ ? static_cast<std::int64_t>(index_->size()) : data_->rows;
}

ColumnPtr StringArrayColumn::take(std::span<const std::int64_t> rows) const {
  auto c = std::shared_ptr<StringArrayColumn>(
      new StringArrayColumn(data_, compose(index_, rows, size())));
  takeAttributes(*c, rows);
  return c;
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
  c->rows_ = rows;
  c->dim_ = dim;
  auto st = std::make_shared<Storage>();
  st->dense = true;
  st->values = std::move(values);
  c->data_ = std::move(st);
  return c;
}

std::shared_ptr<VectorColumn> VectorColumn::sparse(std::int64_t dim,
                                                   std::vector<std::int64_t> offsets,
                                                   std::vector<std::int32_t> indices,
                                                   std::vector<double> values) {
  if (offsets.empty() || offsets.front() != 0 || indices.size() != values.size() ||
      offsets.back() != static_cast<std::int64_t>(values.size()))
    throw InternalError("VectorColumn::sparse: inconsistent CSR arrays");
  // Checked in parallel blocks of rows; the first bad row is reported.
  const auto rows = static_cast<std::int64_t>(offsets.size()) - 1;
  constexpr std::int64_t kCheckBlock = 1 << 14;
  std::vector<std::int64_t> bad(static_cast<std::size_t>(parallel::numBlocks(rows, kCheckBlock)), -1);
  parallel::forBlocks(rows, kCheckBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    for (auto r = static_cast<std::size_t>(begin); r < static_cast<std::size_t>(end); ++r) {
      if (offsets[r + 1] < offsets[r]) {
        bad[static_cast<std::size_t>(b)] = static_cast<std::int64_t>(r);
        return;
      }
      for (auto k = offsets[r]; k < offsets[r + 1]; ++k) {
        const auto idx = indices[static_cast<std::size_t>(k)];
        if (idx < 0 || idx >= dim ||
            (k > offsets[r] && indices[static_cast<std::size_t>(k) - 1] >= idx)) {
          bad[static_cast<std::size_t>(b)] = static_cast<std::int64_t>(r);
          return;
        }
      }
    }
  });
  for (const auto r : bad)
    if (r >= 0)
      throw InternalError(fmt::format(
          "VectorColumn::sparse: row {} has decreasing offsets or an index out of order or "
          "outside [0, {})",
          r, dim));
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->rows_ = static_cast<std::int64_t>(offsets.size()) - 1;
  c->dim_ = dim;
  auto st = std::make_shared<Storage>();
  st->offsets = std::move(offsets);
  st->indices = std::move(indices);
  st->values = std::move(values);
  c->data_ = std::move(st);
  return c;
}

std::shared_ptr<VectorColumn> VectorColumn::withValues(const VectorColumn& like,
                                                       std::vector<double> values) {
  const Storage& src = like.contiguous();
  if (values.size() != src.values.size())
    throw InternalError(fmt::format("VectorColumn::withValues: {} values for {} stored",
                                    values.size(), src.values.size()));
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->rows_ = like.rows_;
  c->dim_ = like.dim_;
  auto st = std::make_shared<Storage>();
  st->dense = src.dense;
  st->values = std::move(values);
  if (!src.dense) {
    // Share the storage that owns the offsets and indices (never a chain of layouts).
    st->layout = src.layout ? src.layout
                            : (like.index_ ? like.copy_ : like.data_);
  }
  c->data_ = std::move(st);
  return c;
}

ColumnPtr VectorColumn::take(std::span<const std::int64_t> rows) const {
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->rows_ = static_cast<std::int64_t>(rows.size());
  c->dim_ = dim_;
  c->data_ = data_;
  c->index_ = compose(index_, rows, rows_);
  takeAttributes(*c, rows);
  return c;
}

std::int64_t VectorColumn::numStored() const {
  if (data_->dense) return rows_ * dim_;
  if (!index_) return static_cast<std::int64_t>(data_->values.size());
  std::int64_t total = 0;
  for (auto p : *index_)
    total += data_->csr().offsets[static_cast<std::size_t>(p) + 1] -
             data_->csr().offsets[static_cast<std::size_t>(p)];
  return total;
}

const VectorColumn::Storage& VectorColumn::materialized() const {
  std::call_once(copyOnce_, [this] {
    const Storage& s = *data_;
    auto out = std::make_shared<Storage>();
    out->dense = s.dense;
    if (s.dense) {
      out->values.reserve(index_->size() * static_cast<std::size_t>(dim_));
      for (auto p : *index_) {
        const double* v = s.values.data() + p * dim_;
        out->values.insert(out->values.end(), v, v + dim_);
      }
    } else {
      const std::int64_t total = numStored();
      out->offsets.reserve(index_->size() + 1);
      out->offsets.push_back(0);
      out->indices.reserve(static_cast<std::size_t>(total));
      out->values.reserve(static_cast<std::size_t>(total));
      const Storage& l = s.csr();
      for (auto p : *index_) {
        const auto b = static_cast<std::ptrdiff_t>(l.offsets[static_cast<std::size_t>(p)]);
        const auto e = static_cast<std::ptrdiff_t>(l.offsets[static_cast<std::size_t>(p) + 1]);
        out->indices.insert(out->indices.end(), l.indices.begin() + b, l.indices.begin() + e);
        out->values.insert(out->values.end(), s.values.begin() + b, s.values.begin() + e);
        out->offsets.push_back(static_cast<std::int64_t>(out->values.size()));
      }
    }
    copy_ = std::move(out);
  });
  return *copy_;
}


}  // namespace td

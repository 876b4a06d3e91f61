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
  // Checked in parallel; the first bad row is reported.
  const auto rows = static_cast<std::int64_t>(offsets.size()) - 1;
  const std::int64_t r = parallel::firstFailure(rows, 1 << 14, [&](std::int64_t i) {
    const auto u = static_cast<std::size_t>(i);
    if (offsets[u + 1] < offsets[u]) return false;
    for (auto k = offsets[u]; k < offsets[u + 1]; ++k) {
      const auto idx = indices[static_cast<std::size_t>(k)];
      if (idx < 0 || idx >= dim || (k > offsets[u] && indices[static_cast<std::size_t>(k) - 1] >= idx))
        return false;
    }
    return true;
  });
  if (r >= 0)
    throw InternalError(fmt::format(
        "VectorColumn::sparse: row {} has decreasing offsets or an index out of order or "
        "outside [0, {})",
        r, dim));
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->rows_ = static_cast<std::int64_t>(offsets.size()) - 1;
  c->dim_ = dim;
  auto st = std::make_shared<Storage>();
  st->layout = csrLayout(std::move(offsets), std::move(indices));
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
    const auto& owner = &src == like.data_.get() ? like.data_ : like.copy_;
    st->layout = src.layout ? src.layout : owner;
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
  if (!index_ && data_->flat()) return static_cast<std::int64_t>(data_->values.size());
  std::int64_t total = 0;
  for (std::int64_t i = 0; i < rows_; ++i) total += (*this)[i].nnz;
  return total;
}

const VectorColumn::Storage& VectorColumn::materialized() const {
  std::call_once(copyOnce_, [this] {
    auto out = std::make_shared<Storage>();
    out->dense = isDense();
    if (out->dense) {
      out->values.reserve(static_cast<std::size_t>(rows_ * dim_));
      for (std::int64_t i = 0; i < rows_; ++i) {
        const VectorView v = (*this)[i];
        out->values.insert(out->values.end(), v.values, v.values + dim_);
      }
    } else {
      const std::int64_t total = numStored();
      std::vector<std::int64_t> offsets;
      std::vector<std::int32_t> indices;
      offsets.reserve(static_cast<std::size_t>(rows_) + 1);
      offsets.push_back(0);
      indices.reserve(static_cast<std::size_t>(total));
      out->values.reserve(static_cast<std::size_t>(total));
      for (std::int64_t i = 0; i < rows_; ++i) {
        const VectorView v = (*this)[i];
        if (v.isDense()) {  // a dense chunk of a mixed column: its non-zeros
          for (std::int64_t k = 0; k < v.nnz; ++k)
            if (v.values[k] != 0.0) {
              indices.push_back(static_cast<std::int32_t>(k));
              out->values.push_back(v.values[k]);
            }
        } else {
          indices.insert(indices.end(), v.indices, v.indices + v.nnz);
          out->values.insert(out->values.end(), v.values, v.values + v.nnz);
        }
        offsets.push_back(static_cast<std::int64_t>(out->values.size()));
      }
      out->layout = csrLayout(std::move(offsets), std::move(indices));
    }
    copy_ = std::move(out);
  });
  return *copy_;
}

std::shared_ptr<VectorColumn> VectorColumn::oneHot(std::int64_t dim, std::vector<std::int32_t> index) {
  for (const auto k : index)
    if (k < -1 || k >= dim)
      throw InternalError(fmt::format("VectorColumn::oneHot: index {} outside [-1, {})", k, dim));
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->rows_ = static_cast<std::int64_t>(index.size());
  c->dim_ = dim;
  auto st = std::make_shared<Storage>();
  st->oneHot = true;
  st->indices = std::move(index);
  c->data_ = std::move(st);
  return c;
}

std::shared_ptr<VectorColumn> VectorColumn::concat(
    std::vector<std::shared_ptr<const VectorColumn>> parts) {
  if (parts.empty()) return sparse(0, {0}, {}, {});
  const std::int64_t dim = parts.front()->dim();
  std::int64_t rows = 0;
  bool allDense = true;
  for (const auto& p : parts) {
    if (p->dim() != dim)
      throw InternalError(fmt::format("VectorColumn::concat: dimensions {} and {}", dim, p->dim()));
    rows += p->size();
    allDense = allDense && p->isDense();
  }
  if (parts.size() == 1) return std::const_pointer_cast<VectorColumn>(parts.front());
  const std::int64_t per = parts.front()->size();
  bool chunkable = per > 0 && (per & (per - 1)) == 0;
  for (std::size_t k = 0; k < parts.size() && chunkable; ++k) {
    const auto& p = parts[k];
    chunkable = !p->isView() && p->data_->chunks.empty() &&
                (k + 1 == parts.size() ? p->size() <= per : p->size() == per);
  }
  auto c = std::shared_ptr<VectorColumn>(new VectorColumn());
  c->rows_ = rows;
  c->dim_ = dim;
  auto st = std::make_shared<Storage>();
  if (chunkable) {
    st->dense = false;  // rows are read through the chunks, whatever their layout
    st->shift = static_cast<unsigned>(std::countr_zero(static_cast<std::uint64_t>(per)));
    st->mask = static_cast<std::uint64_t>(per) - 1;
    st->chunksDense = allDense;
    st->chunks = std::move(parts);
    c->data_ = std::move(st);
    return c;
  }
  // Copied: dense when every part is, else CSR.
  st->dense = allDense;
  std::vector<std::int64_t> offsets;
  std::vector<std::int32_t> indices;
  if (allDense) {
    st->values.reserve(static_cast<std::size_t>(rows * dim));
  } else {
    offsets.reserve(static_cast<std::size_t>(rows) + 1);
    offsets.push_back(0);
  }
  for (const auto& p : parts)
    for (std::int64_t i = 0; i < p->size(); ++i) {
      const VectorView v = (*p)[i];
      if (allDense) {
        st->values.insert(st->values.end(), v.values, v.values + dim);
        continue;
      }
      v.forEach([&](std::int64_t j, double x) {
        if (v.isDense() && x == 0.0) return;
        indices.push_back(static_cast<std::int32_t>(j));
        st->values.push_back(x);
      });
      offsets.push_back(static_cast<std::int64_t>(st->values.size()));
    }
  if (!allDense) st->layout = csrLayout(std::move(offsets), std::move(indices));
  c->data_ = std::move(st);
  return c;
}


}  // namespace td

namespace td {

namespace {
template <class C, class T>
std::vector<T> concatValues(const std::vector<ColumnPtr>& parts, std::int64_t rows) {
  std::vector<T> out;
  out.reserve(static_cast<std::size_t>(rows));
  for (const auto& p : parts) {
    const auto& c = static_cast<const C&>(*p);
    for (std::int64_t i = 0; i < c.size(); ++i) out.push_back(c[i]);
  }
  return out;
}
}  // namespace

ColumnPtr concatRows(const std::vector<ColumnPtr>& parts) {
  if (parts.empty()) throw InternalError("concatRows: no parts");
  const DataType type = parts.front()->type();
  std::int64_t rows = 0;
  bool nulls = false;
  for (const auto& p : parts) {
    if (p->type() != type)
      throw InternalError(fmt::format("concatRows: a {} part among {} parts", toString(p->type()),
                                      toString(type)));
    rows += p->size();
    nulls = nulls || p->hasNulls();
  }
  if (parts.size() == 1) return parts.front();
  std::shared_ptr<Column> out;
  switch (type) {
    case DataType::kInt64:
      out = std::make_shared<Int64Column>(concatValues<Int64Column, std::int64_t>(parts, rows));
      break;
    case DataType::kDouble:
      out = std::make_shared<DoubleColumn>(concatValues<DoubleColumn, double>(parts, rows));
      break;
    case DataType::kBoolean:
      out = std::make_shared<BooleanColumn>(concatValues<BooleanColumn, std::uint8_t>(parts, rows));
      break;
    case DataType::kString:
      out = std::make_shared<StringColumn>(concatValues<StringColumn, std::string>(parts, rows));
      break;
    case DataType::kStringArray: {
      StringArrayChunk all;
      all.bounds.push_back(0);
      all.offsets.push_back(0);
      for (const auto& p : parts) {
        const auto& c = static_cast<const StringArrayColumn&>(*p);
        for (std::int64_t i = 0; i < c.size(); ++i) {
          for (const std::string_view str : c[i]) {
            all.bytes.append(str);
            all.bounds.push_back(static_cast<std::int64_t>(all.bytes.size()));
          }
          all.offsets.push_back(static_cast<std::int64_t>(all.bounds.size()) - 1);
        }
      }
      out = std::make_shared<StringArrayColumn>(std::move(all.bytes), std::move(all.bounds),
                                                std::move(all.offsets));
      break;
    }
    case DataType::kVector: {
      std::vector<std::shared_ptr<const VectorColumn>> vs;
      vs.reserve(parts.size());
      for (const auto& p : parts) vs.push_back(std::static_pointer_cast<const VectorColumn>(p));
      out = VectorColumn::concat(std::move(vs));
      break;
    }
  }
  if (nulls) {
    NullMask mask;
    mask.reserve(static_cast<std::size_t>(rows));
    for (const auto& p : parts)
      for (std::int64_t i = 0; i < p->size(); ++i) mask.push_back(p->isNull(i) ? 1 : 0);
    out->setNulls(std::move(mask));
  }
  if (const auto* nominal = parts.front()->nominalValues()) out->setNominalValues(*nominal);
  return out;
}

}  // namespace td

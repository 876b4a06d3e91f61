// include/thunderdome/frame/column.h
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/core/parallel.h"

namespace td {

/// The type of a column.
enum class DataType { kInt64, kDouble, kString, kStringArray, kVector, kBoolean };

/// Spark-like name of a type: "bigint", "double", "string", "array<string>", "vector",
/// "boolean".
std::string_view toString(DataType t);

class Column;
/// Columns are immutable and shared between frames.
using ColumnPtr = std::shared_ptr<const Column>;

/// Per-row null flags of a column: 1 where the row holds no value (Spark's null).
using NullMask = std::vector<std::uint8_t>;

/// An immutable column of values of one DataType. Any column may hold nulls (Spark's missing
/// values, e.g. an empty CSV cell): a null row's stored value is a placeholder (0, NaN, "",
/// an empty array or vector) and isNull() says it is missing. A column may also carry the
/// nominal values of a categorical index column (Spark's NominalAttribute), which
/// StringIndexerModel attaches and IndexToString and OneHotEncoder read.
class Column {
 public:
  virtual ~Column() = default;
  /// The column's type.
  [[nodiscard]] virtual DataType type() const = 0;
  /// Number of rows.
  [[nodiscard]] virtual std::int64_t size() const = 0;
  /// A column holding rows `rows` (in that order); may share storage with this one. Null flags
  /// and nominal values come along.
  [[nodiscard]] virtual ColumnPtr take(std::span<const std::int64_t> rows) const = 0;

  /// True when at least one row is null.
  [[nodiscard]] bool hasNulls() const { return nulls_ != nullptr; }
  /// True when row i is null.
  [[nodiscard]] bool isNull(std::int64_t i) const {
    return nulls_ != nullptr && (*nulls_)[static_cast<std::size_t>(i)] != 0;
  }
  /// The number of null rows.
  [[nodiscard]] std::int64_t nullCount() const;
  /// The first null row, or -1.
  [[nodiscard]] std::int64_t firstNull() const;
  /// The nominal values (labels) of a categorical index column, else null.
  [[nodiscard]] const std::vector<std::string>* nominalValues() const { return nominal_.get(); }

  /// While building a column (before it is shared): marks the rows flagged in `mask` (one
  /// entry per row) as null. A mask without any flag leaves the column without nulls.
  void setNulls(NullMask mask);
  /// While building a column (before it is shared): attaches nominal values.
  void setNominalValues(std::vector<std::string> values);

 protected:
  /// For take(): gives `out` the null flags of `rows` and this column's nominal values.
  void takeAttributes(Column& out, std::span<const std::int64_t> rows) const;

 private:
  std::shared_ptr<const NullMask> nulls_;                    // null = no null rows
  std::shared_ptr<const std::vector<std::string>> nominal_;  // null = not categorical
};

/// A column of 64-bit integers.
class Int64Column final : public Column {
 public:
  explicit Int64Column(std::vector<std::int64_t> values) : values_(std::move(values)) {}
  [[nodiscard]] DataType type() const override { return DataType::kInt64; }
  [[nodiscard]] std::int64_t size() const override {
    return static_cast<std::int64_t>(values_.size());
  }
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  [[nodiscard]] std::int64_t operator[](std::int64_t i) const {
    return values_[static_cast<std::size_t>(i)];
  }
  [[nodiscard]] std::span<const std::int64_t> values() const { return values_; }

 private:
  std::vector<std::int64_t> values_;
};

/// A column of doubles (missing numeric values are NaN).
class DoubleColumn final : public Column {
 public:
  explicit DoubleColumn(std::vector<double> values) : values_(std::move(values)) {}
  [[nodiscard]] DataType type() const override { return DataType::kDouble; }
  [[nodiscard]] std::int64_t size() const override {
    return static_cast<std::int64_t>(values_.size());
  }
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  [[nodiscard]] double operator[](std::int64_t i) const {
    return values_[static_cast<std::size_t>(i)];
  }
  [[nodiscard]] std::span<const double> values() const { return values_; }

 private:
  std::vector<double> values_;
};

/// A column of booleans (Spark's BooleanType), e.g. a CSV column of true/false.
class BooleanColumn final : public Column {
 public:
  explicit BooleanColumn(std::vector<std::uint8_t> values) : values_(std::move(values)) {}
  [[nodiscard]] DataType type() const override { return DataType::kBoolean; }
  [[nodiscard]] std::int64_t size() const override {
    return static_cast<std::int64_t>(values_.size());
  }
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  [[nodiscard]] bool operator[](std::int64_t i) const {
    return values_[static_cast<std::size_t>(i)] != 0;
  }

 private:
  std::vector<std::uint8_t> values_;
};

/// A column of UTF-8 strings. `take` shares the text and keeps only a row index.
class StringColumn final : public Column {
 public:
  explicit StringColumn(std::vector<std::string> values);
  /// Dictionary-encoded: row i is values[codes[i]] (what a reader makes of a column with few
  /// distinct values: one 8-byte code per row instead of one string). `values` must be distinct.
  static std::shared_ptr<StringColumn> dictionary(std::vector<std::string> values,
                                                  std::vector<std::int64_t> codes);
  [[nodiscard]] DataType type() const override { return DataType::kString; }
  [[nodiscard]] std::int64_t size() const override;
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  [[nodiscard]] const std::string& operator[](std::int64_t i) const {
    return (*data_)[static_cast<std::size_t>(physical(i))];
  }
  /// True when the column is dictionary-encoded (also a row view of one): then every row is
  /// one of distinct() and code(i) says which, so a stage can work per distinct value.
  [[nodiscard]] bool isDictionary() const { return dictionary_; }
  /// The distinct values of a dictionary-encoded column (some may occur in no row of a view).
  [[nodiscard]] const std::vector<std::string>& distinct() const { return *data_; }
  /// Row i's position in distinct() (dictionary-encoded columns only; a null row's is 0).
  [[nodiscard]] std::int64_t code(std::int64_t i) const { return physical(i); }

 private:
  StringColumn(std::shared_ptr<const std::vector<std::string>> data,
               std::shared_ptr<const std::vector<std::int64_t>> index, bool dictionary)
      : data_(std::move(data)), index_(std::move(index)), dictionary_(dictionary) {}
  [[nodiscard]] std::int64_t physical(std::int64_t i) const {
    return index_ ? (*index_)[static_cast<std::size_t>(i)] : i;
  }
  std::shared_ptr<const std::vector<std::string>> data_;
  std::shared_ptr<const std::vector<std::int64_t>> index_;  // null = identity
  bool dictionary_ = false;                                 // data_ holds distinct values
};

/// Rows of a StringArrayColumn in flat form: string k is bytes[bounds[k], bounds[k+1]) (bounds
/// starts at 0 and ends at bytes.size()); row i is strings [offsets[i], offsets[i+1]).
struct StringArrayChunk {
  std::string bytes;
  std::vector<std::int64_t> bounds;   ///< strings + 1 entries
  std::vector<std::int64_t> offsets;  ///< rows + 1 entries, into bounds
};

/// One row of a StringArrayColumn: a read-only sequence of string_views into the column's bytes.
class StringArrayRow {
 public:
  /// Random-access iterator yielding std::string_view.
  class Iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using iterator_concept = std::random_access_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using reference = std::string_view;
    using pointer = void;
    Iterator() = default;
    Iterator(const char* bytes, const std::int64_t* bounds) : bytes_(bytes), bounds_(bounds) {}
    std::string_view operator*() const { return (*this)[0]; }
    std::string_view operator[](difference_type k) const {
      return {bytes_ + bounds_[k], static_cast<std::size_t>(bounds_[k + 1] - bounds_[k])};
    }
    Iterator& operator++() { ++bounds_; return *this; }
    Iterator operator++(int) { Iterator t = *this; ++bounds_; return t; }
    Iterator& operator--() { --bounds_; return *this; }
    Iterator operator--(int) { Iterator t = *this; --bounds_; return t; }
    Iterator& operator+=(difference_type k) { bounds_ += k; return *this; }
    Iterator& operator-=(difference_type k) { bounds_ -= k; return *this; }
    friend Iterator operator+(Iterator a, difference_type k) { return a += k; }
    friend Iterator operator+(difference_type k, Iterator a) { return a += k; }
    friend Iterator operator-(Iterator a, difference_type k) { return a -= k; }
    friend difference_type operator-(const Iterator& a, const Iterator& b) {
      return a.bounds_ - b.bounds_;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.bounds_ == b.bounds_; }
    friend auto operator<=>(const Iterator& a, const Iterator& b) { return a.bounds_ <=> b.bounds_; }

   private:
    const char* bytes_ = nullptr;
    const std::int64_t* bounds_ = nullptr;
  };

  /// `bounds` has n+1 entries; string k is bytes[bounds[k], bounds[k+1]).
  StringArrayRow(const char* bytes, const std::int64_t* bounds, std::size_t n)
      : bytes_(bytes), bounds_(bounds), n_(n) {}
  [[nodiscard]] std::size_t size() const { return n_; }
  [[nodiscard]] bool empty() const { return n_ == 0; }
  [[nodiscard]] std::string_view operator[](std::size_t k) const {
    return begin()[static_cast<std::ptrdiff_t>(k)];
  }
  [[nodiscard]] Iterator begin() const { return {bytes_, bounds_}; }
  [[nodiscard]] Iterator end() const { return {bytes_, bounds_ + n_}; }

 private:
  const char* bytes_;
  const std::int64_t* bounds_;
  std::size_t n_;
};

/// A column of string arrays (e.g. tokens), stored flat with no per-string allocation: every
/// string's bytes back to back in one buffer, string boundaries, and row offsets into those.
/// `take` shares the storage and keeps only a row index.
class StringArrayColumn final : public Column {
 public:
  /// `offsets` has size()+1 entries; row i is strings[offsets[i], offsets[i+1]).
  StringArrayColumn(std::vector<std::string> strings, std::vector<std::int64_t> offsets);
  /// The flat form: string k is bytes[bounds[k], bounds[k+1]) (bounds starts at 0 and ends at
  /// bytes.size()); row i is strings [offsets[i], offsets[i+1]).
  StringArrayColumn(std::string bytes, std::vector<std::int64_t> bounds,
                    std::vector<std::int64_t> offsets);
  /// Convenience: builds from one vector per row.
  static std::shared_ptr<StringArrayColumn> fromRows(const std::vector<std::vector<std::string>>& rows);
  [[nodiscard]] DataType type() const override { return DataType::kStringArray; }
  [[nodiscard]] std::int64_t size() const override;
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  /// The strings of row i.
  [[nodiscard]] StringArrayRow operator[](std::int64_t i) const {
    const auto p = static_cast<std::uint64_t>(index_ ? (*index_)[static_cast<std::size_t>(i)] : i);
    const StringArrayChunk& c = data_->chunks[p >> data_->shift];
    const auto q = static_cast<std::size_t>(p & data_->mask);
    const auto b = c.offsets[q];
    const auto e = c.offsets[q + 1];
    return {c.bytes.data(), c.bounds.data() + b, static_cast<std::size_t>(e - b)};
  }
  /// A column made of chunks of `rowsPerChunk` rows each (the last may have fewer), kept as
  /// they are when rowsPerChunk is a power of two (no copy), else joined into one.
  static std::shared_ptr<StringArrayColumn> fromChunks(std::vector<StringArrayChunk> chunks,
                                                       std::int64_t rowsPerChunk);

 private:
  // Row p is row (p & mask) of chunks[p >> shift]; one chunk: shift 63, mask all ones.
  struct Storage {
    std::vector<StringArrayChunk> chunks;
    unsigned shift = 63;
    std::uint64_t mask = ~std::uint64_t{0};
    std::int64_t rows = 0;
  };
  StringArrayColumn(std::shared_ptr<const Storage> data,
                    std::shared_ptr<const std::vector<std::int64_t>> index)
      : data_(std::move(data)), index_(std::move(index)) {}
  std::shared_ptr<const Storage> data_;
  std::shared_ptr<const std::vector<std::int64_t>> index_;  // null = identity
};

/// The strings of a block of rows of a StringArrayColumn being built: their bytes back to back
/// and where each ends. A row appends with add() (or writes `bytes` and pushes `ends` itself).
struct StringArrayBlock {
  std::string bytes;                 ///< The strings' bytes, back to back.
  std::vector<std::int64_t> ends;    ///< End of each string in `bytes`.
  std::vector<std::int64_t> counts;  ///< Strings per row (buildStringArrayColumn fills it).
  /// Appends one string to the current row.
  void add(std::string_view s) {
    bytes.append(s);
    ends.push_back(static_cast<std::int64_t>(bytes.size()));
  }
};

/// `block` (its rows filled) in flat form: its bytes (slack released), bounds and offsets.
StringArrayChunk toChunk(StringArrayBlock block);

/// A StringArrayColumn of `n` rows built in parallel blocks of `rowsPerBlock` rows:
/// `fillRow(row, block)` appends row's strings to `block`. What every stage that outputs token
/// arrays (Tokenizer, RegexTokenizer, StopWordsRemover) uses: no per-row allocation.
template <class F>
std::shared_ptr<StringArrayColumn> buildStringArrayColumn(std::int64_t n, std::int64_t rowsPerBlock,
                                                          F&& fillRow) {
  std::vector<StringArrayChunk> chunks(
      static_cast<std::size_t>(parallel::numBlocks(n, rowsPerBlock)));
  parallel::forBlocks(n, rowsPerBlock, [&](std::int64_t b, std::int64_t begin, std::int64_t end) {
    StringArrayBlock block;
    block.counts.reserve(static_cast<std::size_t>(end - begin));
    for (std::int64_t r = begin; r < end; ++r) {
      const std::size_t before = block.ends.size();
      fillRow(r, block);
      block.counts.push_back(static_cast<std::int64_t>(block.ends.size() - before));
    }
    chunks[static_cast<std::size_t>(b)] = toChunk(std::move(block));
  });
  return StringArrayColumn::fromChunks(std::move(chunks), rowsPerBlock);
}

/// The rows of `parts` (columns of one type) in order, with their nulls and the first part's
/// nominal values: what a pipeline that runs stages block by block assembles its outputs from.
[[nodiscard]] ColumnPtr concatRows(const std::vector<ColumnPtr>& parts);

/// A read-only view of one vector: dense when `indices` is null, sparse otherwise.
struct VectorView {
  std::int64_t size = 0;              ///< Dimension of the vector.
  std::int64_t nnz = 0;               ///< Number of stored values (== size when dense).
  const std::int32_t* indices = nullptr;  ///< Sorted, distinct indices; null when dense.
  const double* values = nullptr;     ///< Stored values.

  [[nodiscard]] bool isDense() const { return indices == nullptr; }
  /// Value at position j (O(log nnz) when sparse).
  [[nodiscard]] double at(std::int64_t j) const;
  /// Dot product with a dense array of `size` doubles.
  [[nodiscard]] double dot(const double* w) const {
    double s = 0.0;
    if (indices == nullptr) {
      for (std::int64_t k = 0; k < nnz; ++k) s += values[k] * w[k];
    } else {
      for (std::int64_t k = 0; k < nnz; ++k) s += values[k] * w[indices[k]];
    }
    return s;
  }
  /// Calls f(index, value) for every stored entry.
  template <class F>
  void forEach(F&& f) const {
    for (std::int64_t k = 0; k < nnz; ++k) f(indices ? std::int64_t{indices[k]} : k, values[k]);
  }
  /// Renders like Spark: dense "[0.1,0.9]", sparse "(10,[1,7],[1.0,2.0])".
  [[nodiscard]] std::string toString() const;
};

/// A column of vectors, all of the same dimension, stored either dense (row-major) or sparse
/// (CSR). Both layouts are the one `vector` type; readers see them through VectorView.
/// `take` gives a row view: it shares the storage and keeps only a row index, so cutting folds
/// out of a featurized frame copies no vectors.
class VectorColumn final : public Column {
 public:
  /// Dense layout: `values` holds rows*dim doubles, row-major.
  static std::shared_ptr<VectorColumn> dense(std::int64_t rows, std::int64_t dim,
                                             std::vector<double> values);
  /// Sparse layout (CSR): row i is entries [offsets[i], offsets[i+1]); indices sorted per row.
  static std::shared_ptr<VectorColumn> sparse(std::int64_t dim, std::vector<std::int64_t> offsets,
                                              std::vector<std::int32_t> indices,
                                              std::vector<double> values);
  /// The layout of `like` (its dimension, and for a sparse column its offsets and indices,
  /// shared, not copied) with new `values`, one per stored value of `like` in its row order:
  /// what an element-wise stage (a scaler) returns without a second copy of the indices.
  static std::shared_ptr<VectorColumn> withValues(const VectorColumn& like,
                                                  std::vector<double> values);
  /// One-hot layout: row i is 1.0 at index[i] and zero elsewhere, or empty when index[i] is
  /// -1 (OneHotEncoder's output: 4 bytes a row instead of a 20-byte CSR row).
  static std::shared_ptr<VectorColumn> oneHot(std::int64_t dim, std::vector<std::int32_t> index);
  /// The rows of `parts` (all of one dimension) in order. When every part but the last has
  /// the same power-of-two number of rows the parts are kept as chunks (nothing copied),
  /// else the rows are copied.
  static std::shared_ptr<VectorColumn> concat(std::vector<std::shared_ptr<const VectorColumn>> parts);

  [[nodiscard]] DataType type() const override { return DataType::kVector; }
  [[nodiscard]] std::int64_t size() const override { return rows_; }
  /// A row view sharing this column's storage (no vector is copied).
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  /// Dimension of every vector in the column.
  [[nodiscard]] std::int64_t dim() const { return dim_; }
  [[nodiscard]] bool isDense() const { return data_->dense || data_->chunksDense; }
  /// True when this column is a row view (made by take) over another column's storage.
  [[nodiscard]] bool isView() const { return index_ != nullptr; }
  /// Row i as a view (never copies, also for a row view).
  [[nodiscard]] VectorView operator[](std::int64_t i) const {
    const Storage& s = *data_;
    const auto p = static_cast<std::size_t>(index_ ? (*index_)[static_cast<std::size_t>(i)] : i);
    if (s.dense)
      return VectorView{dim_, dim_, nullptr, s.values.data() + static_cast<std::int64_t>(p) * dim_};
    if (!s.chunks.empty()) return (*s.chunks[p >> s.shift])[static_cast<std::int64_t>(p & s.mask)];
    if (s.oneHot) {
      static constexpr double kOne[1] = {1.0};
      const std::int32_t* idx = s.indices.data() + p;
      return VectorView{dim_, *idx >= 0 ? 1 : 0, idx, kOne};
    }
    const Storage& l = s.csr();
    const auto b = l.offsets[p];
    const auto e = l.offsets[p + 1];
    // A sparse view never has null indices, even for an all-empty column (null means dense).
    static constexpr std::int32_t kNoIndices[1] = {0};
    const std::int32_t* idx = l.indices.empty() ? kNoIndices : l.indices.data() + b;
    return VectorView{dim_, e - b, idx, s.values.data() + b};
  }
  /// Number of stored values (rows*dim when dense, the entries of this column's rows when sparse).
  [[nodiscard]] std::int64_t numStored() const;
  /// The contiguous arrays below describe this column's rows in order. For a row view, a
  /// one-hot or a chunked column they do not exist until first asked for: the first call of
  /// offsets(), indices() or values() copies its rows into contiguous arrays once (thread-safe;
  /// kept with the column). Readers that go row by row through operator[] never trigger that
  /// copy.
  /// CSR row offsets (empty when dense).
  [[nodiscard]] std::span<const std::int64_t> offsets() const { return contiguous().csr().offsets; }
  /// CSR column indices (empty when dense).
  [[nodiscard]] std::span<const std::int32_t> indices() const { return contiguous().csr().indices; }
  /// Stored values (row-major when dense).
  [[nodiscard]] std::span<const double> values() const { return contiguous().values; }

 private:
  struct Storage {
    bool dense = false;
    std::vector<std::int64_t> offsets;
    std::vector<std::int32_t> indices;
    std::vector<double> values;
    // The offsets and indices of a sparse column, held apart from the values so that columns
    // of other values (withValues) share them and nothing else.
    std::shared_ptr<const Storage> layout;
    bool oneHot = false;  // indices: one per row (-1 = empty row), values implicitly 1.0
    // Chunked: row p is row (p & mask) of chunks[p >> shift] (flat columns, no views).
    std::vector<std::shared_ptr<const VectorColumn>> chunks;
    unsigned shift = 0;
    std::uint64_t mask = 0;
    bool chunksDense = false;  // every chunk is dense (the column reads as dense)
    [[nodiscard]] const Storage& csr() const { return layout ? *layout : *this; }
    [[nodiscard]] bool flat() const { return !oneHot && chunks.empty(); }
  };
  VectorColumn() = default;
  static std::shared_ptr<const Storage> csrLayout(std::vector<std::int64_t> offsets,
                                                  std::vector<std::int32_t> indices) {
    auto l = std::make_shared<Storage>();
    l->offsets = std::move(offsets);
    l->indices = std::move(indices);
    return l;
  }
  [[nodiscard]] const Storage& contiguous() const {
    return index_ || !data_->flat() ? materialized() : *data_;
  }
  [[nodiscard]] const Storage& materialized() const;
  std::int64_t rows_ = 0;
  std::int64_t dim_ = 0;
  std::shared_ptr<const Storage> data_;
  std::shared_ptr<const std::vector<std::int64_t>> index_;  // null = identity
  mutable std::once_flag copyOnce_;                          // guards copy_
  mutable std::shared_ptr<const Storage> copy_;              // a view's rows, made contiguous
};

}  // namespace td

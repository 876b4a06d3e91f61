// include/thunderdome/frame/column.h
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace td {

/// The type of a column.
enum class DataType { kInt64, kDouble, kString, kStringArray, kVector };

/// Spark-like name of a type: "bigint", "double", "string", "array<string>", "vector".
std::string_view toString(DataType t);

class Column;
/// Columns are immutable and shared between frames.
using ColumnPtr = std::shared_ptr<const Column>;

/// An immutable column of values of one DataType.
class Column {
 public:
  virtual ~Column() = default;
  /// The column's type.
  [[nodiscard]] virtual DataType type() const = 0;
  /// Number of rows.
  [[nodiscard]] virtual std::int64_t size() const = 0;
  /// A column holding rows `rows` (in that order); may share storage with this one.
  [[nodiscard]] virtual ColumnPtr take(std::span<const std::int64_t> rows) const = 0;
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

/// A column of UTF-8 strings. `take` shares the text and keeps only a row index.
class StringColumn final : public Column {
 public:
  explicit StringColumn(std::vector<std::string> values);
  [[nodiscard]] DataType type() const override { return DataType::kString; }
  [[nodiscard]] std::int64_t size() const override;
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  [[nodiscard]] const std::string& operator[](std::int64_t i) const {
    return (*data_)[static_cast<std::size_t>(physical(i))];
  }

 private:
  StringColumn(std::shared_ptr<const std::vector<std::string>> data,
               std::shared_ptr<const std::vector<std::int64_t>> index)
      : data_(std::move(data)), index_(std::move(index)) {}
  [[nodiscard]] std::int64_t physical(std::int64_t i) const {
    return index_ ? (*index_)[static_cast<std::size_t>(i)] : i;
  }
  std::shared_ptr<const std::vector<std::string>> data_;
  std::shared_ptr<const std::vector<std::int64_t>> index_;  // null = identity
};

/// A column of string arrays (e.g. tokens), stored flat: all strings plus row offsets.
/// `take` shares the strings and keeps only a row index.
class StringArrayColumn final : public Column {
 public:
  /// `offsets` has size()+1 entries; row i is strings[offsets[i], offsets[i+1]).
  StringArrayColumn(std::vector<std::string> strings, std::vector<std::int64_t> offsets);
  /// Convenience: builds from one vector per row.
  static std::shared_ptr<StringArrayColumn> fromRows(const std::vector<std::vector<std::string>>& rows);
  [[nodiscard]] DataType type() const override { return DataType::kStringArray; }
  [[nodiscard]] std::int64_t size() const override;
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  /// The strings of row i.
  [[nodiscard]] std::span<const std::string> operator[](std::int64_t i) const;

 private:
  struct Storage {
    std::vector<std::string> strings;
    std::vector<std::int64_t> offsets;
  };
  StringArrayColumn(std::shared_ptr<const Storage> data,
                    std::shared_ptr<const std::vector<std::int64_t>> index)
      : data_(std::move(data)), index_(std::move(index)) {}
  std::shared_ptr<const Storage> data_;
  std::shared_ptr<const std::vector<std::int64_t>> index_;  // null = identity
};

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
class VectorColumn final : public Column {
 public:
  /// Dense layout: `values` holds rows*dim doubles, row-major.
  static std::shared_ptr<VectorColumn> dense(std::int64_t rows, std::int64_t dim,
                                             std::vector<double> values);
  /// Sparse layout (CSR): row i is entries [offsets[i], offsets[i+1]); indices sorted per row.
  static std::shared_ptr<VectorColumn> sparse(std::int64_t dim, std::vector<std::int64_t> offsets,
                                              std::vector<std::int32_t> indices,
                                              std::vector<double> values);

  [[nodiscard]] DataType type() const override { return DataType::kVector; }
  [[nodiscard]] std::int64_t size() const override { return rows_; }
  [[nodiscard]] ColumnPtr take(std::span<const std::int64_t> rows) const override;
  /// Dimension of every vector in the column.
  [[nodiscard]] std::int64_t dim() const { return dim_; }
  [[nodiscard]] bool isDense() const { return dense_; }
  /// Row i as a view.
  [[nodiscard]] VectorView operator[](std::int64_t i) const {
    if (dense_)
      return VectorView{dim_, dim_, nullptr, values_.data() + i * dim_};
    const auto b = offsets_[static_cast<std::size_t>(i)];
    const auto e = offsets_[static_cast<std::size_t>(i) + 1];
    // A sparse view never has null indices, even for an all-empty column (null means dense).
    static constexpr std::int32_t kNoIndices[1] = {0};
    const std::int32_t* idx = indices_.empty() ? kNoIndices : indices_.data() + b;
    return VectorView{dim_, e - b, idx, values_.data() + b};
  }
  /// CSR row offsets (empty when dense).
  [[nodiscard]] std::span<const std::int64_t> offsets() const { return offsets_; }
  /// CSR column indices (empty when dense).
  [[nodiscard]] std::span<const std::int32_t> indices() const { return indices_; }
  /// Stored values (row-major when dense).
  [[nodiscard]] std::span<const double> values() const { return values_; }

 private:
  VectorColumn() = default;
  bool dense_ = false;
  std::int64_t rows_ = 0;
  std::int64_t dim_ = 0;
  std::vector<std::int64_t> offsets_;
  std::vector<std::int32_t> indices_;
  std::vector<double> values_;
};

}  // namespace td

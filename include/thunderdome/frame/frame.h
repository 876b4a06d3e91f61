// include/thunderdome/frame/frame.h
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "thunderdome/frame/column.h"

namespace td {

/// One named, typed column of a schema.
struct Field {
  std::string name;
  DataType type;
  friend bool operator==(const Field&, const Field&) = default;
};

/// The ordered list of fields of a Frame.
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields);

  [[nodiscard]] const std::vector<Field>& fields() const { return fields_; }
  [[nodiscard]] std::size_t size() const { return fields_.size(); }
  [[nodiscard]] bool contains(std::string_view name) const { return indexOf(name) >= 0; }
  /// Position of `name`, or -1.
  [[nodiscard]] int indexOf(std::string_view name) const;
  /// The field `name`; throws ColumnError listing the available columns if missing.
  [[nodiscard]] const Field& field(std::string_view name) const;
  /// Checks that `name` exists and has type `expected`; `who` prefixes the message.
  void requireType(std::string_view who, std::string_view name, DataType expected) const;
  /// Throws ColumnError if `name` already exists (an output column must be new).
  void requireAbsent(std::string_view who, std::string_view name) const;
  /// This schema with `f` appended (or replacing a field of the same name).
  [[nodiscard]] Schema with(Field f) const;
  /// "id: bigint, text: string, label: double"
  [[nodiscard]] std::string toString() const;
  /// Comma-separated column names, for messages.
  [[nodiscard]] std::string names() const;

  friend bool operator==(const Schema&, const Schema&) = default;

 private:
  std::vector<Field> fields_;
};

/// A columnar in-memory table: named, typed, immutable, shared columns of equal length.
/// Adding or selecting columns never copies the data of the others.
/// Where the rows of a Frame came from (row provenance): shared and immutable, carried by take,
/// withColumn, select and drop, and consulted only to word error messages.
struct RowOrigins {
  /// Source names (file paths, swift:// URLs, part names); `source[i]` indexes this.
  std::vector<std::string> sources;
  /// Per row: its index into `sources` (empty: every row comes from sources[0]).
  std::vector<std::uint32_t> source;
  /// Per row: the 1-based line where it starts (0: unknown).
  std::vector<std::int64_t> line;
  /// A row with no known line is reported as "row firstRow + i" (a block of a larger frame).
  std::int64_t firstRow = 0;
};

class Frame {
 public:
  Frame() = default;
  /// Builds a frame from (name, column) pairs; all columns must have the same length.
  explicit Frame(std::vector<std::pair<std::string, ColumnPtr>> columns);

  [[nodiscard]] std::int64_t numRows() const { return rows_; }
  [[nodiscard]] std::size_t numColumns() const { return columns_.size(); }
  [[nodiscard]] const Schema& schema() const { return schema_; }
  [[nodiscard]] std::vector<std::string> columnNames() const;

  /// The column `name`; throws ColumnError listing the available names if missing.
  [[nodiscard]] const ColumnPtr& column(std::string_view name) const;
  /// The column `name` as type C; throws ColumnError naming the column and both types.
  template <class C>
  [[nodiscard]] const C& col(std::string_view name) const;
  /// Column `name` as doubles: double columns as they are, int64 columns converted; throws
  /// DataError (as requireNoNulls) when it holds a null.
  [[nodiscard]] std::vector<double> numeric(std::string_view name) const;
  /// Throws DataError "WHO: column 'x' holds a null (a missing value) at data.csv:14" when
  /// column `name` has a null: what a stage that cannot take missing values calls.
  void requireNoNulls(std::string_view who, std::string_view name) const;

  /// A frame with `column` added as `name` (replacing a column of that name).
  [[nodiscard]] Frame withColumn(std::string name, ColumnPtr column) const;
  /// A frame with only `names`, in that order.
  [[nodiscard]] Frame select(const std::vector<std::string>& names) const;
  /// A frame without column `name` (no error if absent, like Spark's drop).
  [[nodiscard]] Frame drop(std::string_view name) const;
  /// A frame of the rows `rows`, in that order (strings shared, not copied).
  [[nodiscard]] Frame take(std::span<const std::int64_t> rows) const;
  /// Splits rows at random by normalized `weights` (a per-row uniform draw, as Spark does);
  /// the same seed always gives the same split.
  [[nodiscard]] std::vector<Frame> randomSplit(const std::vector<double>& weights,
                                               std::uint64_t seed) const;
  /// The row indices randomSplit would put in each part.
  [[nodiscard]] std::vector<std::vector<std::int64_t>> randomSplitIndices(
      const std::vector<double>& weights, std::uint64_t seed) const;
  /// Where each row came from (null when unknown, e.g. a frame built in memory).
  [[nodiscard]] const std::shared_ptr<const RowOrigins>& origins() const { return origins_; }
  /// A copy of this frame whose rows came from `origins` (one line per row).
  [[nodiscard]] Frame withOrigins(std::shared_ptr<const RowOrigins> origins) const;
  /// Where row `row` came from, for error messages: "data.csv:14" when known, else "row 5".
  [[nodiscard]] std::string rowLocation(std::int64_t row) const;
  /// A text table of the first `n` rows, like Spark's show().
  [[nodiscard]] std::string show(std::int64_t n = 20, bool truncate = true) const;
  /// The value at (row, column) rendered as text.
  [[nodiscard]] std::string cellToString(std::int64_t row, std::string_view name) const;

 private:
  Schema schema_;
  std::vector<ColumnPtr> columns_;
  std::int64_t rows_ = 0;
  std::shared_ptr<const RowOrigins> origins_;  // row provenance; null when unknown
};

/// Convenience builders for literal columns (tests, examples).
ColumnPtr makeInt64Column(std::vector<std::int64_t> v);
ColumnPtr makeDoubleColumn(std::vector<double> v);
ColumnPtr makeStringColumn(std::vector<std::string> v);

// ---- template implementation ----
[[noreturn]] void throwColumnTypeError(std::string_view name, DataType actual,
                                       DataType expected);
template <class C>
DataType expectedTypeOf();
template <> inline DataType expectedTypeOf<Int64Column>() { return DataType::kInt64; }
template <> inline DataType expectedTypeOf<DoubleColumn>() { return DataType::kDouble; }
template <> inline DataType expectedTypeOf<StringColumn>() { return DataType::kString; }
template <> inline DataType expectedTypeOf<StringArrayColumn>() { return DataType::kStringArray; }
template <> inline DataType expectedTypeOf<VectorColumn>() { return DataType::kVector; }
template <> inline DataType expectedTypeOf<BooleanColumn>() { return DataType::kBoolean; }

template <class C>
const C& Frame::col(std::string_view name) const {
  const ColumnPtr& c = column(name);
  if (c->type() != expectedTypeOf<C>()) throwColumnTypeError(name, c->type(), expectedTypeOf<C>());
  return static_cast<const C&>(*c);
}

}  // namespace td

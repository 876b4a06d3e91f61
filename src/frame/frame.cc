// src/frame/frame.cc
#include "thunderdome/frame/frame.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "thunderdome/core/error.h"
#include "thunderdome/core/random.h"

namespace td {

// ---------------------------------------------------------------- Schema
Schema::Schema(std::vector<Field> fields) : fields_(std::move(fields)) {
  for (std::size_t i = 0; i < fields_.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (fields_[i].name == fields_[j].name)
        throw ColumnError(fmt::format("duplicate column name '{}'", fields_[i].name));
}

int Schema::indexOf(std::string_view name) const {
  for (std::size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].name == name) return static_cast<int>(i);
  return -1;
}

std::string Schema::names() const {
  std::string out;
  for (std::size_t i = 0; i < fields_.size(); ++i) out += (i ? ", " : "") + fields_[i].name;
  return out;
}

const Field& Schema::field(std::string_view name) const {
  const int i = indexOf(name);
  if (i < 0)
    throw ColumnError(
        fmt::format("column '{}' does not exist (available: {})", name, names()),
        std::string(name));
  return fields_[static_cast<std::size_t>(i)];
}

void Schema::requireType(std::string_view who, std::string_view name, DataType expected) const {
  const int i = indexOf(name);
  if (i < 0)
    throw ColumnError(fmt::format("{}: input column '{}' does not exist (available: {})", who,
                                  name, names()),
                      std::string(name));
  const DataType actual = fields_[static_cast<std::size_t>(i)].type;
  if (actual != expected)
    throw ColumnError(fmt::format("{}: column '{}' must be of type {} but is {}", who, name,
                                  td::toString(expected), td::toString(actual)),
                      std::string(name));
}

void Schema::requireAbsent(std::string_view who, std::string_view name) const {
  if (contains(name))
    throw ColumnError(fmt::format("{}: output column '{}' already exists", who, name));
}

Schema Schema::with(Field f) const {
  std::vector<Field> out = fields_;
  const int i = indexOf(f.name);
  if (i >= 0)
    out[static_cast<std::size_t>(i)] = std::move(f);
  else
    out.push_back(std::move(f));
  return Schema(std::move(out));
}

std::string Schema::toString() const {
  std::string out;
  for (std::size_t i = 0; i < fields_.size(); ++i)
    out += fmt::format("{}{}: {}", i ? ", " : "", fields_[i].name, td::toString(fields_[i].type));
  return out;
}

// ---------------------------------------------------------------- Frame
[[noreturn]] void throwColumnTypeError(std::string_view name, DataType actual, DataType expected) {
  throw ColumnError(fmt::format("column '{}' must be of type {} but is {}", name,
                                td::toString(expected), td::toString(actual)),
                    std::string(name));
}

Frame::Frame(std::vector<std::pair<std::string, ColumnPtr>> columns) {
  std::vector<Field> fields;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    auto& [name, col] = columns[i];
    if (!col) throw InternalError("Frame: column '" + name + "' is null");
    if (i == 0) rows_ = col->size();
    if (col->size() != rows_)
      throw ColumnError(fmt::format("Frame: column '{}' has {} rows but '{}' has {}", name,
                                    col->size(), columns[0].first, rows_));
    fields.push_back({name, col->type()});
    columns_.push_back(col);
  }
  schema_ = Schema(std::move(fields));
}

std::vector<std::string> Frame::columnNames() const {
  std::vector<std::string> out;
  for (const auto& f : schema_.fields()) out.push_back(f.name);
  return out;
}

const ColumnPtr& Frame::column(std::string_view name) const {
  (void)schema_.field(name);  // throws with the available names
  return columns_[static_cast<std::size_t>(schema_.indexOf(name))];
}

void Frame::requireNoNulls(std::string_view who, std::string_view name) const {
  const ColumnPtr& c = column(name);
  const std::int64_t r = c->firstNull();
  if (r < 0) return;
  throw DataError(fmt::format("{}{}column '{}' holds a null (a missing value) at {}{}", who,
                              who.empty() ? "" : ": ", name, rowLocation(r),
                              c->nullCount() > 1
                                  ? fmt::format(" and {} more", c->nullCount() - 1)
                                  : std::string()));
}

std::vector<double> Frame::numeric(std::string_view name) const {
  const ColumnPtr& c = column(name);
  requireNoNulls("", name);
  if (c->type() == DataType::kDouble) {
    auto v = static_cast<const DoubleColumn&>(*c).values();
    return {v.begin(), v.end()};
  }
  if (c->type() == DataType::kInt64) {
    auto v = static_cast<const Int64Column&>(*c).values();
    std::vector<double> out(v.size());
    std::transform(v.begin(), v.end(), out.begin(), [](std::int64_t x) { return static_cast<double>(x); });
    return out;
  }
  throw ColumnError(fmt::format("column '{}' must be numeric (bigint or double) but is {}", name,
                                toString(c->type())),
                    std::string(name));
}

Frame Frame::withColumn(std::string name, ColumnPtr column) const {
  if (!column) throw InternalError("withColumn: null column '" + name + "'");
  if (!columns_.empty() && column->size() != rows_)
    throw ColumnError(fmt::format("withColumn: column '{}' has {} rows, frame has {}", name,
                                  column->size(), rows_));
  Frame out = *this;
  const int i = schema_.indexOf(name);
  if (i >= 0) {
    out.columns_[static_cast<std::size_t>(i)] = column;
  } else {
    out.columns_.push_back(column);
  }
  out.schema_ = schema_.with({std::move(name), column->type()});
  out.rows_ = column->size();
  return out;
}

Frame Frame::select(const std::vector<std::string>& names) const {
  std::vector<std::pair<std::string, ColumnPtr>> cols;
  for (const auto& n : names) cols.emplace_back(n, column(n));
  Frame out(std::move(cols));
  if (names.empty()) out.rows_ = rows_;
  out.origins_ = origins_;
  return out;
}

Frame Frame::drop(std::string_view name) const {
  std::vector<std::pair<std::string, ColumnPtr>> cols;
  for (std::size_t i = 0; i < columns_.size(); ++i)
    if (schema_.fields()[i].name != name) cols.emplace_back(schema_.fields()[i].name, columns_[i]);
  Frame out(std::move(cols));
  if (out.columns_.empty()) out.rows_ = rows_;
  out.origins_ = origins_;
  return out;
}

Frame Frame::take(std::span<const std::int64_t> rows) const {
  std::vector<std::pair<std::string, ColumnPtr>> cols;
  for (std::size_t i = 0; i < columns_.size(); ++i)
    cols.emplace_back(schema_.fields()[i].name, columns_[i]->take(rows));
  Frame out(std::move(cols));
  out.rows_ = static_cast<std::int64_t>(rows.size());
  if (origins_ && !origins_->line.empty()) {
    auto o = std::make_shared<RowOrigins>();
    o->sources = origins_->sources;
    o->line.reserve(rows.size());
    for (const std::int64_t r : rows) o->line.push_back(origins_->line[static_cast<std::size_t>(r)]);
    if (!origins_->source.empty()) {
      o->source.reserve(rows.size());
      for (const std::int64_t r : rows)
        o->source.push_back(origins_->source[static_cast<std::size_t>(r)]);
    }
    out.origins_ = std::move(o);
  }
  return out;
}

Frame Frame::withOrigins(std::shared_ptr<const RowOrigins> origins) const {
  if (origins && !origins->line.empty() && static_cast<std::int64_t>(origins->line.size()) != rows_)
    throw InternalError(fmt::format("withOrigins: {} origins for {} rows", origins->line.size(),
                                    rows_));
  Frame out = *this;
  out.origins_ = std::move(origins);
  return out;
}

std::string Frame::rowLocation(std::int64_t row) const {
  if (origins_ && row >= 0 && row < static_cast<std::int64_t>(origins_->line.size())) {
    const auto i = static_cast<std::size_t>(row);
    const std::size_t s = origins_->source.empty() ? 0 : origins_->source[i];
    const std::int64_t line = origins_->line[i];
    if (s < origins_->sources.size() && line > 0)
      return fmt::format("{}:{}", origins_->sources[s], line);
  }
  return fmt::format("row {}", row + (origins_ ? origins_->firstRow : 0));
}

std::vector<Frame> Frame::randomSplit(const std::vector<double>& weights,
                                      std::uint64_t seed) const {
  std::vector<Frame> out;
  for (const auto& p : randomSplitIndices(weights, seed)) out.push_back(take(p));
  return out;
}

std::vector<std::vector<std::int64_t>> Frame::randomSplitIndices(const std::vector<double>& weights,
                                                                 std::uint64_t seed) const {
  if (weights.empty()) throw ParamError("randomSplit: weights must not be empty");
  double total = 0.0;
  for (double w : weights) {
    if (!(w >= 0.0) || !std::isfinite(w))
      throw ParamError(fmt::format("randomSplit: weights must be >= 0, got {}", w));
    total += w;
  }
  if (!(total > 0.0)) throw ParamError("randomSplit: weights must sum to a positive value");
  std::vector<double> bounds;
  double acc = 0.0;
  for (double w : weights) bounds.push_back(acc += w / total);
  std::vector<std::vector<std::int64_t>> parts(weights.size());
  Rng rng(seed);
  for (std::int64_t r = 0; r < rows_; ++r) {
    const double u = rng.uniform();
    std::size_t k = 0;
    while (k + 1 < bounds.size() && u >= bounds[k]) ++k;
    parts[k].push_back(r);
  }
  return parts;
}

std::string Frame::cellToString(std::int64_t row, std::string_view name) const {
  const ColumnPtr& c = column(name);
  if (c->isNull(row)) return "null";  // as Spark's show()
  switch (c->type()) {
    case DataType::kInt64: return std::to_string(static_cast<const Int64Column&>(*c)[row]);
    case DataType::kDouble: {
      std::string s = fmt::format("{}", static_cast<const DoubleColumn&>(*c)[row]);
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case DataType::kString: return static_cast<const StringColumn&>(*c)[row];
    case DataType::kStringArray: {
      std::string out = "[";
      auto arr = static_cast<const StringArrayColumn&>(*c)[row];
      for (std::size_t k = 0; k < arr.size(); ++k) {
        if (k) out += ", ";
        out += arr[k];
      }
      return out + "]";
    }
    case DataType::kVector: return static_cast<const VectorColumn&>(*c)[row].toString();
    case DataType::kBoolean: return static_cast<const BooleanColumn&>(*c)[row] ? "true" : "false";
  }
  return "?";
}

std::string Frame::show(std::int64_t n, bool truncate) const {
  const auto names = columnNames();
  const std::int64_t shown = std::min(n, rows_);
  std::vector<std::vector<std::string>> cells(static_cast<std::size_t>(shown));
  std::vector<std::size_t> width;
  // Spark's showString: every column at least 3 characters wide.
  for (const auto& name : names) width.push_back(std::max<std::size_t>(name.size(), 3));
  for (std::int64_t r = 0; r < shown; ++r) {
    for (std::size_t c = 0; c < names.size(); ++c) {
      std::string s = cellToString(r, names[c]);
      if (truncate && s.size() > 20) s = s.substr(0, 17) + "...";
      width[c] = std::max(width[c], s.size());
      cells[static_cast<std::size_t>(r)].push_back(std::move(s));
    }
  }
  std::string sep = "+";
  for (auto w : width) sep += std::string(w, '-') + "+";
  std::string out = sep + "\n|";
  // Spark pads on the left when truncating, on the right (left-aligned) with truncate=false.
  const auto cell = [truncate](const std::string& text, std::size_t w) {
    return truncate ? fmt::format("{:>{}}|", text, w) : fmt::format("{:<{}}|", text, w);
  };
  for (std::size_t c = 0; c < names.size(); ++c) out += cell(names[c], width[c]);
  out += "\n" + sep + "\n";
  for (const auto& row : cells) {
    out += "|";
    for (std::size_t c = 0; c < row.size(); ++c) out += cell(row[c], width[c]);
    out += "\n";
  }
  out += sep + "\n";
  if (rows_ > shown)
    out += fmt::format("only showing top {} {}\n", shown, shown == 1 ? "row" : "rows");
  return out;
}

ColumnPtr makeInt64Column(std::vector<std::int64_t> v) {
  return std::make_shared<Int64Column>(std::move(v));
}
ColumnPtr makeDoubleColumn(std::vector<double> v) {
  return std::make_shared<DoubleColumn>(std::move(v));
}
ColumnPtr makeStringColumn(std::vector<std::string> v) {
  return std::make_shared<StringColumn>(std::move(v));
}

}  // namespace td

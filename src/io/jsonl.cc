// src/io/jsonl.cc
#include "thunderdome/io/jsonl.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/io/file.h"
#include "thunderdome/storage/storage.h"
#include "io_internal.h"

namespace td {

namespace {

// ordered_json keeps the keys of an object in the order of the text.
using Json = nlohmann::ordered_json;

using detail::iequals;
using detail::kMaxDim;

// ---------------------------------------------------------------- numbers

// The strings that stand for non-finite doubles: NaN, Inf, Infinity (any case, optional sign).
bool parseSpecial(std::string_view s, double& out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (iequals(s, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (iequals(s, "inf") || iequals(s, "infinity")) {
    out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  return false;
}

bool isSpecial(std::string_view s) {
  double d = 0.0;
  return parseSpecial(s, d);
}

// A JSON number, or a string naming a non-finite double.
bool jsonToDouble(const Json& j, double& out) {
  switch (j.type()) {
    case Json::value_t::number_integer:
      out = static_cast<double>(j.get<std::int64_t>());
      return true;
    case Json::value_t::number_unsigned:
      out = static_cast<double>(j.get<std::uint64_t>());
      return true;
    case Json::value_t::number_float:
      out = j.get<double>();
      return true;
    case Json::value_t::string: return parseSpecial(j.get_ref<const std::string&>(), out);
    default: return false;
  }
}

// A JSON integer that fits in int64.
bool jsonToInt64(const Json& j, std::int64_t& out) {
  if (j.is_number_integer() && !j.is_number_unsigned()) {
    out = j.get<std::int64_t>();
    return true;
  }
  if (j.is_number_unsigned() &&
      j.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    out = static_cast<std::int64_t>(j.get<std::uint64_t>());
    return true;
  }
  return false;
}

// Shortest round-trip text; non-finite values as the JSON strings "NaN", "Infinity", "-Infinity".
void appendDouble(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "\"NaN\"";
  } else if (std::isinf(d)) {
    out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    const std::size_t at = out.size();
    fmt::format_to(std::back_inserter(out), "{}", d);
    if (out.find_first_of(".e", at) == std::string::npos) out += ".0";
  }
}

// ---------------------------------------------------------------- strings

// Appends `s` as a JSON string; false (nothing appended) when it is not valid UTF-8.
bool appendJsonString(std::string& out, std::string_view s) {
  if (!detail::validUtf8(s)) return false;
  detail::appendJsonEscaped(out, s);
  return true;
}

// A short rendering of a JSON value for messages.
std::string snippet(const Json& j) {
  std::string s = j.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

// ---------------------------------------------------------------- vectors

bool vectorFromJson(const Json& j, JsonVector& out, std::string& why) {
  out = JsonVector{};
  auto readValues = [&](const Json& arr) {
    if (!arr.is_array()) {
      why = "\"values\" must be a list of numbers";
      return false;
    }
    out.values.reserve(arr.size());
    for (std::size_t k = 0; k < arr.size(); ++k) {
      double d = 0.0;
      if (!jsonToDouble(arr[k], d)) {
        why = fmt::format("value {} is {}, not a number", k, snippet(arr[k]));
        return false;
      }
      out.values.push_back(d);
    }
    return true;
  };
  if (j.is_array()) return readValues(j);
  if (!j.is_object()) {
    why = fmt::format("expected a list of numbers or a {{\"size\",\"indices\",\"values\"}} object "
                      "but found {}",
                      snippet(j));
    return false;
  }
  bool dense = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "type") {
      std::int64_t t = -1;
      if (!jsonToInt64(value, t) || (t != 0 && t != 1)) {
        why = "\"type\" must be 0 (sparse) or 1 (dense)";
        return false;
      }
      dense = t == 1;
    } else if (key != "size" && key != "indices" && key != "values") {
      why = fmt::format("unexpected key '{}' in a vector object (expected size, indices, values)",
                        key);
      return false;
    }
  }
  if (!j.contains("values")) {
    why = "a vector object needs \"values\"";
    return false;
  }
  if (dense) {
    if (j.contains("size") || j.contains("indices")) {
      why = "a dense vector object (\"type\":1) has only \"values\"";
      return false;
    }
    return readValues(j["values"]);
  }
  if (!j.contains("size") || !j.contains("indices")) {
    why = "a sparse vector object needs \"size\", \"indices\" and \"values\"";
    return false;
  }
  std::int64_t size = -1;
  if (!jsonToInt64(j["size"], size) || size < 0 || size > kMaxDim) {
    why = fmt::format("\"size\" must be an integer in [0, {}], got {}", kMaxDim,
                      snippet(j["size"]));
    return false;
  }
  const Json& idx = j["indices"];
  if (!idx.is_array()) {
    why = "\"indices\" must be a list of integers";
    return false;
  }
  out.indices.reserve(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) {
    std::int64_t i = -1;
    if (!jsonToInt64(idx[k], i) || i < 0 || i >= size) {
      why = fmt::format("index {} is {}, not an integer in [0, {})", k, snippet(idx[k]), size);
      return false;
    }
    if (k > 0 && i <= out.indices.back()) {
      why = fmt::format("indices must be strictly increasing (index {} is {} after {})", k, i,
                        out.indices.back());
      return false;
    }
    out.indices.push_back(static_cast<std::int32_t>(i));
  }
  if (!readValues(j["values"])) return false;
  if (out.values.size() != out.indices.size()) {
    why = fmt::format("{} indices but {} values", out.indices.size(), out.values.size());
    return false;
  }
  out.size = size;
  return true;
}

// ---------------------------------------------------------------- inference

// What a column's values look like so far; merge() combines two kinds.
enum class Kind : std::uint8_t {
  kNone,          // only nulls / missing
  kInt,           // integers
  kFloat,         // numbers with fractions (or integers mixed with them)
  kSpecial,       // strings "NaN" / "Infinity" / "-Infinity" only
  kString,        // strings
  kEmptyArray,    // []
  kSpecialArray,  // arrays of "NaN"-like strings only
  kStringArray,   // arrays of strings
  kNumberArray,   // arrays of numbers (dense vectors)
  kVectorObject,  // {"size","indices","values"} objects (or a mix with dense arrays)
  kBool,          // true / false
};

std::string_view kindName(Kind k) {
  switch (k) {
    case Kind::kNone: return "null";
    case Kind::kInt: return "integer";
    case Kind::kFloat: return "number";
    case Kind::kSpecial:
    case Kind::kString: return "string";
    case Kind::kEmptyArray: return "empty array";
    case Kind::kSpecialArray:
    case Kind::kStringArray: return "array of strings";
    case Kind::kNumberArray: return "array of numbers";
    case Kind::kVectorObject: return "vector object";
    case Kind::kBool: return "boolean";
  }
  return "?";
}

std::optional<Kind> merge(Kind a, Kind b) {
  if (a == b) return a;
  if (a == Kind::kNone) return b;
  if (b == Kind::kNone) return a;
  if (a > b) std::swap(a, b);
  using K = Kind;
  if (a == K::kInt && (b == K::kFloat || b == K::kSpecial)) return K::kFloat;
  if (a == K::kFloat && b == K::kSpecial) return K::kFloat;
  if (a == K::kSpecial && b == K::kString) return K::kString;
  if (a == K::kEmptyArray && b > K::kEmptyArray) return b;
  if (a == K::kSpecialArray && b > K::kSpecialArray) return b;
  if (a == K::kNumberArray && b == K::kVectorObject) return K::kVectorObject;
  return std::nullopt;
}

DataType typeOf(Kind k, bool /*hasNull*/) {
  switch (k) {
    case Kind::kInt: return DataType::kInt64;  // nulls do not widen it (Spark: long)
    case Kind::kFloat: return DataType::kDouble;
    case Kind::kBool: return DataType::kBoolean;
    case Kind::kEmptyArray:
    case Kind::kSpecialArray:
    case Kind::kStringArray: return DataType::kStringArray;
    case Kind::kNumberArray:
    case Kind::kVectorObject: return DataType::kVector;
    default: return DataType::kString;
  }
}

// ---------------------------------------------------------------- column building

enum class Tag : std::uint8_t { kNull, kInt, kFloat, kString, kStrings, kVector, kBool };

// The values of one key, row by row, kept until the column's type is known.
struct Builder {
  std::string key;
  std::optional<DataType> schemaType;  // set when reading with an explicit schema
  Kind kind = Kind::kNone;
  std::int64_t kindLine = 0;  // line whose value last changed `kind`
  bool hasNull = false;
  std::vector<Tag> tags;
  std::vector<std::int64_t> payload;  // int value, double bits, or index into a store below
  std::vector<std::string> strings;
  std::vector<std::vector<std::string>> arrays;
  std::vector<JsonVector> vectors;

  void pushNull() {
    tags.push_back(Tag::kNull);
    payload.push_back(0);
    hasNull = true;
  }
  void pushString(std::string s) {
    tags.push_back(Tag::kString);
    payload.push_back(static_cast<std::int64_t>(strings.size()));
    strings.push_back(std::move(s));
  }
};

class Reader {
 public:
  Reader(const JsonlOptions& opt, std::string_view source) : opt_(opt), source_(source) {
    if (opt.schema) {
      for (const auto& f : opt.schema->fields()) {
        index_.emplace(f.name, builders_.size());
        builders_.push_back(Builder{});
        builders_.back().key = f.name;
        builders_.back().schemaType = f.type;
      }
    }
  }

  // Parses what `source` delivers line by line as it arrives; the whole-text readers pass
  // their text as one chunk.
  Frame run(const ChunkSource& source, const RowsCallback& onRows) {
    LineSplitter lines([&](std::string_view line, std::int64_t lineNo) {
      if (line.find_first_not_of(" \t\r\f\v") == std::string_view::npos) return;
      parseLine(line, lineNo);
    });
    source([&](std::string_view chunk) {
      lines.feed(chunk);
      if (onRows) onRows(rows());
    });
    lines.finish();
    if (onRows) onRows(rows());
    return finish();
  }

  [[nodiscard]] std::int64_t rows() const { return static_cast<std::int64_t>(rowLine_.size()); }

 private:
  [[noreturn]] void fail(std::int64_t line, std::string_view key, const std::string& what) const {
    throw DataError(fmt::format("{}, line {}: key '{}': {}", source_, line, key, what));
  }

  void noteProblem(std::string message) {
    if (counts_.firstProblem.empty()) counts_.firstProblem = std::move(message);
  }

  // FAILFAST: throws `message` (with `hint`); otherwise records it, and under DROPMALFORMED
  // counts the dropped line and returns true.
  bool malformed(const std::string& message, std::string_view hint) {
    if (opt_.mode == ReadMode::kFailFast) throw DataError(message + std::string(hint));
    noteProblem(message);
    if (opt_.mode != ReadMode::kDropMalformed) return false;
    ++counts_.rowsDropped;
    return true;
  }

  // The first string (a key or a value, at any depth) of `j` that holds a NUL character, as
  // the key it sits under; nullopt when there is none.
  static std::optional<std::string> keyWithNul(const Json& j, const std::string& key) {
    if (j.is_string()) {
      if (j.get_ref<const std::string&>().find('\0') != std::string::npos) return key;
    } else if (j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        if (k.find('\0') != std::string::npos) return k;
        if (auto found = keyWithNul(v, key.empty() ? k : key)) return found;
      }
    } else if (j.is_array()) {
      for (const auto& v : j)
        if (auto found = keyWithNul(v, key)) return found;
    }
    return std::nullopt;
  }

  // `j` with every NUL in its keys and strings replaced by U+FFFD.
  static Json withoutNul(const Json& j) {
    auto fix = [](const std::string& s) { return detail::repairText(s); };
    if (j.is_string()) return fix(j.get_ref<const std::string&>());
    if (j.is_object()) {
      Json out = Json::object();
      for (const auto& [k, v] : j.items()) out[fix(k)] = withoutNul(v);
      return out;
    }
    if (j.is_array()) {
      Json out = Json::array();
      for (const auto& v : j) out.push_back(withoutNul(v));
      return out;
    }
    return j;
  }

  void parseLine(std::string_view line, std::int64_t lineNo) {
    static constexpr std::string_view kTextHint =
        " (the reader option mode=PERMISSIVE replaces such bytes with U+FFFD, "
        "mode=DROPMALFORMED drops the line, encoding=ISO-8859-1 reads Latin-1 text)";
    std::string text;
    if (opt_.encoding == TextEncoding::kLatin1) {
      detail::appendLatin1AsUtf8(line, text);
      line = text;
    }
    Json j;
    // nlohmann's parser rejects invalid UTF-8 and raw NUL bytes itself: the line is scanned for
    // them only when it fails, so valid lines cost nothing more.
    for (bool repaired = false;;) {
      try {
        j = Json::parse(line);
        break;
      } catch (const Json::exception& e) {  // parse_error, or out_of_range: a number too large
        const std::size_t bad = repaired ? std::string_view::npos : detail::firstBadText(line);
        if (bad != std::string_view::npos) {
          if (malformed(fmt::format("{}, line {}: {} at byte {} of the line", source_, lineNo,
                                    detail::describeBadText(line, bad), bad),
                        kTextHint))
            return;
          text = detail::repairText(line);  // PERMISSIVE: parse the repaired line
          line = text;
          ++counts_.valuesRepaired;
          repaired = true;
          continue;
        }
        const std::string message =
            fmt::format("{}, line {}: invalid JSON: {}", source_, lineNo, e.what());
        if (opt_.mode == ReadMode::kDropMalformed) {
          (void)malformed(message, "");
          return;
        }
        throw DataError(message);
      }
    }
    // A "\u0000" escape puts a NUL into a string: malformed text, as a raw NUL byte is.
    if (line.find("\\u0000") != std::string_view::npos) {
      if (const auto key = keyWithNul(j, "")) {
        if (malformed(fmt::format("{}, line {}: key '{}': a NUL character (\\u0000) in the "
                                  "text",
                                  source_, lineNo, detail::repairText(*key)),
                      kTextHint))
          return;
        j = withoutNul(j);
        ++counts_.valuesRepaired;
      }
    }
    if (!j.is_object())
      throw DataError(fmt::format("{}, line {}: expected a JSON object but found {} {}", source_,
                                  lineNo, j.type_name(), snippet(j)));
    const std::size_t row = rowLine_.size();
    rowLine_.push_back(lineNo);
    for (auto& [key, value] : j.items()) {
      auto it = index_.find(key);
      if (it == index_.end()) {
        if (opt_.schema) continue;  // keys outside an explicit schema are ignored
        it = index_.emplace(key, builders_.size()).first;
        builders_.push_back(Builder{});
        Builder& b = builders_.back();
        b.key = key;
        for (std::size_t r = 0; r < row; ++r) b.pushNull();
      }
      Builder& b = builders_[it->second];
      if (b.tags.size() > row) continue;  // (nlohmann keeps one value per key; defensive)
      add(b, value, lineNo);
    }
    for (auto& b : builders_)
      if (b.tags.size() <= row) b.pushNull();
  }

  // Stores `v` in `b`, checking it against the schema type or the kind inferred so far.
  void add(Builder& b, Json& v, std::int64_t line) {
    if (v.is_null()) {
      b.pushNull();
      return;
    }
    if (b.schemaType == DataType::kString && (v.is_number() || v.is_boolean())) {
      b.pushString(v.dump());
      return;
    }
    Kind kind = Kind::kNone;
    std::string why;
    switch (v.type()) {
      case Json::value_t::number_integer:
      case Json::value_t::number_unsigned: {
        std::int64_t i = 0;
        if (jsonToInt64(v, i)) {
          kind = Kind::kInt;
          b.tags.push_back(Tag::kInt);
          b.payload.push_back(i);
        } else {
          kind = Kind::kFloat;
          b.tags.push_back(Tag::kFloat);
          b.payload.push_back(std::bit_cast<std::int64_t>(static_cast<double>(v.get<std::uint64_t>())));
        }
        break;
      }
      case Json::value_t::number_float:
        kind = Kind::kFloat;
        b.tags.push_back(Tag::kFloat);
        b.payload.push_back(std::bit_cast<std::int64_t>(v.get<double>()));
        break;
      case Json::value_t::string: {
        auto& s = v.get_ref<std::string&>();
        kind = isSpecial(s) ? Kind::kSpecial : Kind::kString;
        b.pushString(std::move(s));
        break;
      }
      case Json::value_t::array:
        kind = addArray(b, v, line);
        break;
      case Json::value_t::object: {
        JsonVector vec;
        if (!vectorFromJson(v, vec, why))
          fail(line, b.key,
               fmt::format("a nested object is supported only as a vector "
                           "{{\"size\":N,\"indices\":[...],\"values\":[...]}}: {}",
                           why));
        kind = Kind::kVectorObject;
        b.tags.push_back(Tag::kVector);
        b.payload.push_back(static_cast<std::int64_t>(b.vectors.size()));
        b.vectors.push_back(std::move(vec));
        break;
      }
      case Json::value_t::boolean:
        kind = Kind::kBool;
        b.tags.push_back(Tag::kBool);
        b.payload.push_back(v.get<bool>() ? 1 : 0);
        break;
      default: fail(line, b.key, fmt::format("unsupported JSON value {}", snippet(v)));
    }
    if (b.schemaType) {
      checkSchema(b, kind, v, line);
      return;
    }
    const auto merged = merge(b.kind, kind);
    if (!merged)
      fail(line, b.key,
           fmt::format("found {} {} but the earlier values (since line {}) are of type {} (a "
                       "column must hold one type)",
                       kindName(kind), storedText(b, v), b.kindLine, kindName(b.kind)));
    if (*merged != b.kind) {
      b.kind = *merged;
      b.kindLine = line;
    }
  }

  Kind addArray(Builder& b, const Json& v, std::int64_t line) {
    bool allStrings = true;
    bool allSpecial = true;
    std::size_t firstText = v.size();  // first string that is not "NaN"-like
    std::size_t firstOther = v.size();  // first element that is not a string
    for (std::size_t k = 0; k < v.size(); ++k) {
      const Json& e = v[k];
      if (!e.is_string()) {
        allStrings = false;
        firstOther = std::min(firstOther, k);
        continue;
      }
      if (!isSpecial(e.get_ref<const std::string&>())) {
        allSpecial = false;
        firstText = std::min(firstText, k);
      }
    }
    if (firstText < v.size() && firstOther < v.size()) {
      const std::size_t k = std::max(firstText, firstOther);
      const std::size_t j = std::min(firstText, firstOther);
      fail(line, b.key,
           fmt::format("array element {} is {} but element {} is {}: an array must hold only "
                       "strings (array<string>) or only numbers (a vector)",
                       k, snippet(v[k]), j, snippet(v[j])));
    }
    if (allStrings) {
      std::vector<std::string> items;
      items.reserve(v.size());
      for (const auto& e : v) items.push_back(e.get<std::string>());
      b.tags.push_back(Tag::kStrings);
      b.payload.push_back(static_cast<std::int64_t>(b.arrays.size()));
      b.arrays.push_back(std::move(items));
      if (v.empty()) return Kind::kEmptyArray;
      return allSpecial ? Kind::kSpecialArray : Kind::kStringArray;
    }
    JsonVector vec;
    vec.values.reserve(v.size());
    for (std::size_t k = 0; k < v.size(); ++k) {
      double d = 0.0;
      if (!jsonToDouble(v[k], d))
        fail(line, b.key,
             fmt::format("array element {} is {}: an array must hold only strings (array<string>) "
                         "or only numbers (a vector); nested arrays, objects, nulls and booleans "
                         "are not supported",
                         k, snippet(v[k])));
      vec.values.push_back(d);
    }
    b.tags.push_back(Tag::kVector);
    b.payload.push_back(static_cast<std::int64_t>(b.vectors.size()));
    b.vectors.push_back(std::move(vec));
    return Kind::kNumberArray;
  }

  // The value just stored in `b` for messages (a string was moved out of `v` into the builder).
  static std::string storedText(const Builder& b, const Json& v) {
    if (!b.tags.empty() && b.tags.back() == Tag::kString)
      return snippet(Json(b.strings[static_cast<std::size_t>(b.payload.back())]));
    return snippet(v);
  }

  void checkSchema(const Builder& b, Kind kind, const Json& v, std::int64_t line) const {
    bool ok = false;
    switch (*b.schemaType) {
      case DataType::kInt64: ok = kind == Kind::kInt; break;
      case DataType::kDouble:
        ok = kind == Kind::kInt || kind == Kind::kFloat || kind == Kind::kSpecial;
        break;
      case DataType::kString: ok = kind == Kind::kString || kind == Kind::kSpecial; break;
      case DataType::kBoolean: ok = kind == Kind::kBool; break;
      case DataType::kStringArray:
        ok = kind == Kind::kEmptyArray || kind == Kind::kSpecialArray ||
             kind == Kind::kStringArray;
        break;
      case DataType::kVector:
        ok = kind == Kind::kEmptyArray || kind == Kind::kSpecialArray ||
             kind == Kind::kNumberArray || kind == Kind::kVectorObject;
        break;
    }
    if (!ok)
      fail(line, b.key,
           fmt::format("expected {} (from the schema) but found {} {}", toString(*b.schemaType),
                       kindName(kind), storedText(b, v)));
  }

  // ---- conversion

  Frame finish() {
    if (opt_.counts) opt_.counts->add(counts_);
    std::vector<std::pair<std::string, ColumnPtr>> cols;
    cols.reserve(builders_.size());
    for (auto& b : builders_) {
      const DataType type = b.schemaType ? *b.schemaType : typeOf(b.kind, b.hasNull);
      cols.emplace_back(b.key, convert(b, type));
    }
    const Frame frame(std::move(cols));
    if (frame.numColumns() == 0) return frame;
    auto origins = std::make_shared<RowOrigins>();
    origins->sources.emplace_back(source_);
    origins->line = rowLine_;
    return frame.withOrigins(std::move(origins));
  }

  [[nodiscard]] std::int64_t lineOf(std::size_t r) const { return rowLine_[r]; }

  ColumnPtr convert(Builder& b, DataType type) const {
    const std::size_t n = b.tags.size();
    switch (type) {
      case DataType::kInt64: {
        std::vector<std::int64_t> out(n);
        NullMask nulls(n, 0);
        for (std::size_t r = 0; r < n; ++r) {
          if (b.tags[r] == Tag::kNull) nulls[r] = 1;
          else if (b.tags[r] != Tag::kInt)
            throw InternalError("jsonl: a non-integer value in a bigint column");
          else out[r] = b.payload[r];
        }
        auto col = std::make_shared<Int64Column>(std::move(out));
        col->setNulls(std::move(nulls));
        return col;
      }
      case DataType::kDouble: {
        std::vector<double> out(n);
        NullMask nulls(n, 0);
        for (std::size_t r = 0; r < n; ++r) {
          const auto p = b.payload[r];
          nulls[r] = b.tags[r] == Tag::kNull;
          switch (b.tags[r]) {
            case Tag::kInt: out[r] = static_cast<double>(p); break;
            case Tag::kFloat: out[r] = std::bit_cast<double>(p); break;
            case Tag::kString:
              if (!parseSpecial(b.strings[static_cast<std::size_t>(p)], out[r]))
                throw InternalError("jsonl: a non-numeric string in a double column");
              break;
            default: out[r] = std::numeric_limits<double>::quiet_NaN();
          }
        }
        auto col = std::make_shared<DoubleColumn>(std::move(out));
        col->setNulls(std::move(nulls));
        return col;
      }
      case DataType::kString: {
        std::vector<std::string> out(n);
        NullMask nulls(n, 0);
        for (std::size_t r = 0; r < n; ++r) {
          if (b.tags[r] == Tag::kString)
            out[r] = std::move(b.strings[static_cast<std::size_t>(b.payload[r])]);
          nulls[r] = b.tags[r] == Tag::kNull;
        }
        auto col = std::make_shared<StringColumn>(std::move(out));
        col->setNulls(std::move(nulls));
        return col;
      }
      case DataType::kStringArray: {
        std::vector<std::string> strings;
        std::vector<std::int64_t> offsets{0};
        offsets.reserve(n + 1);
        for (std::size_t r = 0; r < n; ++r) {
          if (b.tags[r] == Tag::kStrings) {
            auto& items = b.arrays[static_cast<std::size_t>(b.payload[r])];
            for (auto& s : items) strings.push_back(std::move(s));
          }
          offsets.push_back(static_cast<std::int64_t>(strings.size()));
        }
        auto col = std::make_shared<StringArrayColumn>(std::move(strings), std::move(offsets));
        NullMask nulls(n, 0);
        for (std::size_t r = 0; r < n; ++r) nulls[r] = b.tags[r] == Tag::kNull;
        col->setNulls(std::move(nulls));
        return col;
      }
      case DataType::kVector: return toVector(b);
      case DataType::kBoolean: {
        std::vector<std::uint8_t> out(n);
        NullMask nulls(n, 0);
        for (std::size_t r = 0; r < n; ++r) {
          if (b.tags[r] == Tag::kNull) nulls[r] = 1;
          else out[r] = b.payload[r] != 0;
        }
        auto col = std::make_shared<BooleanColumn>(std::move(out));
        col->setNulls(std::move(nulls));
        return col;
      }
    }
    throw InternalError("jsonl: unknown column type");
  }

  ColumnPtr toVector(Builder& b) const {
    const std::size_t n = b.tags.size();
    std::vector<JsonVector> vecs(n);
    for (std::size_t r = 0; r < n; ++r) {
      const auto p = static_cast<std::size_t>(b.payload[r]);
      switch (b.tags[r]) {
        case Tag::kVector: vecs[r] = std::move(b.vectors[p]); break;
        case Tag::kStrings:  // [] or ["NaN", ...]
          for (const auto& s : b.arrays[p]) {
            double d = 0.0;
            if (!parseSpecial(s, d)) throw InternalError("jsonl: a string in a vector");
            vecs[r].values.push_back(d);
          }
          break;
        default:
          fail(lineOf(r), b.key, "missing value in a vector column (vectors cannot be missing)");
      }
    }
    const std::int64_t dim = n > 0 ? vecs[0].dim() : 0;
    bool allDense = true;
    for (std::size_t r = 0; r < n; ++r) {
      if (vecs[r].dim() != dim)
        fail(lineOf(r), b.key,
             fmt::format("a vector of size {}, but the first row's has size {}", vecs[r].dim(),
                         dim));
      allDense = allDense && vecs[r].size < 0;
    }
    if (allDense) {
      std::vector<double> values;
      values.reserve(n * static_cast<std::size_t>(dim));
      for (const auto& v : vecs) values.insert(values.end(), v.values.begin(), v.values.end());
      return VectorColumn::dense(static_cast<std::int64_t>(n), dim, std::move(values));
    }
    if (dim > kMaxDim)
      throw DataError(fmt::format("{}: key '{}': vector size {} is too large", source_, b.key, dim));
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int32_t> indices;
    std::vector<double> values;
    for (const auto& v : vecs) {
      if (v.size < 0) {
        for (std::size_t k = 0; k < v.values.size(); ++k) {
          if (v.values[k] == 0.0) continue;
          indices.push_back(static_cast<std::int32_t>(k));
          values.push_back(v.values[k]);
        }
      } else {
        indices.insert(indices.end(), v.indices.begin(), v.indices.end());
        values.insert(values.end(), v.values.begin(), v.values.end());
      }
      offsets.push_back(static_cast<std::int64_t>(values.size()));
    }
    return VectorColumn::sparse(dim, std::move(offsets), std::move(indices), std::move(values));
  }

  const JsonlOptions& opt_;
  std::string_view source_;
  std::vector<Builder> builders_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::int64_t> rowLine_;
  ReadCounts counts_;  // what the mode repaired or dropped
};

// ---------------------------------------------------------------- writing

[[noreturn]] void throwUtf8(std::int64_t row, std::string_view column) {
  if (row < 0)
    throw DataError(fmt::format("jsonl: cannot write the column name '{}': it is not valid UTF-8",
                                column));
  throw DataError(fmt::format(
      "jsonl: cannot write row {} of column '{}': the value is not valid UTF-8", row, column));
}

// Emits the JSON Lines text of `frame` in chunks to sink(std::string_view).
template <class Sink>
void emitJsonl(const Frame& frame, Sink&& sink) {
  const auto names = frame.columnNames();
  const std::size_t nc = names.size();
  std::vector<const Column*> cols;
  std::vector<std::string> keys;  // "name": prefixes
  for (const auto& n : names) {
    cols.push_back(frame.column(n).get());
    std::string k;
    if (!appendJsonString(k, n)) throwUtf8(-1, n);
    k += ':';
    keys.push_back(std::move(k));
  }
  std::string out;
  for (std::int64_t r = 0; r < frame.numRows(); ++r) {
    out += '{';
    for (std::size_t c = 0; c < nc; ++c) {
      if (c) out += ',';
      out += keys[c];
      const Column* col = cols[c];
      if (col->isNull(r)) {
        out += "null";
        continue;
      }
      switch (col->type()) {
        case DataType::kInt64:
          fmt::format_to(std::back_inserter(out), "{}", static_cast<const Int64Column&>(*col)[r]);
          break;
        case DataType::kDouble: appendDouble(out, static_cast<const DoubleColumn&>(*col)[r]); break;
        case DataType::kBoolean:
          out += static_cast<const BooleanColumn&>(*col)[r] ? "true" : "false";
          break;
        case DataType::kString:
          if (!appendJsonString(out, static_cast<const StringColumn&>(*col)[r]))
            throwUtf8(r, names[c]);
          break;
        case DataType::kStringArray: {
          out += '[';
          const auto arr = static_cast<const StringArrayColumn&>(*col)[r];
          for (std::size_t k = 0; k < arr.size(); ++k) {
            if (k) out += ',';
            if (!appendJsonString(out, arr[k])) throwUtf8(r, names[c]);
          }
          out += ']';
          break;
        }
        case DataType::kVector:
          appendVectorJson(out, static_cast<const VectorColumn&>(*col)[r]);
          break;
      }
    }
    out += "}\n";
    detail::flushFull(out, sink);
  }
  if (!out.empty()) sink(std::string_view(out));
}

}  // namespace

// ---------------------------------------------------------------- public API

namespace detail {

void appendJsonEscaped(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20)
          fmt::format_to(std::back_inserter(out), "\\u{:04x}",
                         static_cast<unsigned>(static_cast<unsigned char>(ch)));
        else
          out += ch;
    }
  }
  out += '"';
}

}  // namespace detail

void appendVectorJson(std::string& out, const VectorView& v) {
  if (v.isDense()) {
    out += '[';
    for (std::int64_t k = 0; k < v.nnz; ++k) {
      if (k) out += ',';
      appendDouble(out, v.values[k]);
    }
    out += ']';
    return;
  }
  fmt::format_to(std::back_inserter(out), "{{\"size\":{},\"indices\":[", v.size);
  for (std::int64_t k = 0; k < v.nnz; ++k) {
    if (k) out += ',';
    fmt::format_to(std::back_inserter(out), "{}", v.indices[k]);
  }
  out += "],\"values\":[";
  for (std::int64_t k = 0; k < v.nnz; ++k) {
    if (k) out += ',';
    appendDouble(out, v.values[k]);
  }
  out += "]}";
}

bool parseVectorJson(std::string_view text, JsonVector& out, std::string* why) {
  std::string reason;
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  bool ok = false;
  if (j.is_discarded())
    reason = "invalid JSON";
  else
    ok = vectorFromJson(j, out, reason);
  if (!ok && why != nullptr) *why = std::move(reason);
  return ok;
}

Frame readJsonl(const std::string& path, const JsonlOptions& options) {
  return readJsonl(path, options, storage::Storage());
}

Frame readJsonl(const std::string& path, const JsonlOptions& options,
                const storage::Storage& storage) {
  if (storage.fileSystem(path)->remote())  // parsed as it downloads
    return Reader(options, path).run(pathSource(path, storage), {});
  const std::string text = readFileToString(path, storage);
  return Reader(options, path).run(bufferSource(text), {});
}

Frame readJsonlString(std::string_view text, const JsonlOptions& options,
                      std::string_view sourceName) {
  return Reader(options, sourceName).run(bufferSource(text), {});
}

Frame readJsonlStream(const ChunkSource& source, const JsonlOptions& options,
                      std::string_view sourceName, const RowsCallback& onRows) {
  return Reader(options, sourceName).run(source, onRows);
}

std::string writeJsonlString(const Frame& frame) {
  std::string out;
  emitJsonl(frame, [&](std::string_view s) { out += s; });
  return out;
}

void writeJsonl(const Frame& frame, const std::string& path) {
  writeJsonl(frame, path, storage::Storage());
}

void writeJsonl(const Frame& frame, const std::string& path, const storage::Storage& storage) {
  const auto file = storage.fileSystem(path)->create(path);
  emitJsonl(frame, [&](std::string_view s) { file->write(s); });
  file->commit();
}

}  // namespace td

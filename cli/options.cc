// cli/options.cc
#include "options.h"

#include <fmt/format.h>

#include <algorithm>

#include "thunderdome/core/error.h"

namespace td::cli {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool parseBool(const std::string& key, const std::string& v) {
  const std::string l = lower(v);
  if (l == "true" || l == "1" || l == "yes") return true;
  if (l == "false" || l == "0" || l == "no") return false;
  throw ParamError(fmt::format("reader option '{}' must be true or false, got \"{}\"", key, v));
}

std::optional<char> parseChar(const std::string& key, const std::string& v, bool allowNone) {
  if (v == "\\t" || lower(v) == "tab") return '\t';
  if (v.empty() && allowNone) return std::nullopt;
  if (v.size() != 1)
    throw ParamError(fmt::format("reader option '{}' must be a single character{}, got \"{}\"",
                                 key, allowNone ? " or \"\" for none" : "", v));
  return v[0];
}

}  // namespace

const std::vector<std::string>& readerOptionNames() {
  static const std::vector<std::string> names{"header", "sep", "delimiter", "quote", "escape",
                                              "inferSchema", "schema", "nullValue",
                                              "nanValue", "mode", "encoding", "charset",
                                              "numFeatures"};
  return names;
}

Schema parseSchemaDdl(std::string_view ddl) {
  std::vector<Field> fields;
  std::size_t start = 0;
  int depth = 0;
  std::vector<std::string> parts;
  for (std::size_t i = 0; i <= ddl.size(); ++i) {
    if (i < ddl.size() && ddl[i] == '<') ++depth;
    if (i < ddl.size() && ddl[i] == '>') --depth;
    if (i == ddl.size() || (ddl[i] == ',' && depth == 0)) {
      parts.push_back(trim(ddl.substr(start, i - start)));
      start = i + 1;
    }
  }
  for (const auto& part : parts) {
    const auto sp = part.find_first_of(" \t:");
    if (part.empty() || sp == std::string::npos)
      throw ParamError(fmt::format("schema: \"{}\" must be 'name type' (e.g. \"id bigint, text "
                                   "string, label double\")",
                                   part));
    const std::string name = trim(part.substr(0, sp));
    const std::string type = lower(trim(std::string_view(part).substr(sp + 1)));
    DataType t;
    if (type == "bigint" || type == "long" || type == "int" || type == "integer") t = DataType::kInt64;
    else if (type == "double" || type == "float") t = DataType::kDouble;
    else if (type == "string") t = DataType::kString;
    else if (type == "boolean") t = DataType::kBoolean;
    else if (type == "array<string>") t = DataType::kStringArray;
    else if (type == "vector") t = DataType::kVector;
    else
      throw ParamError(fmt::format("schema: column '{}' has unknown type '{}' (known: bigint, "
                                   "double, string, boolean, array<string>, vector)",
                                   name, type));
    fields.push_back({name, t});
  }
  return Schema(std::move(fields));
}

ReadOptions makeReadOptions(const std::map<std::string, std::string>& specInput,
                            const std::vector<std::string>& cliOptions,
                            const std::optional<std::string>& format) {
  std::map<std::string, std::string> opts = specInput;
  for (const auto& kv : cliOptions) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ParamError(fmt::format("--option \"{}\" must be KEY=VALUE (keys: header, sep, quote, "
                                   "escape, inferSchema, schema, nullValue, nanValue, mode, encoding, numFeatures)",
                                   kv));
    opts[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  ReadOptions r;
  r.format = format;
  if (!r.format && opts.count("format")) r.format = opts["format"];
  for (const auto& [key, value] : opts) {
    if (key == "format") continue;
    if (key == "header") r.csv.header = parseBool(key, value);
    else if (key == "sep" || key == "delimiter") r.csv.sep = *parseChar(key, value, false);
    else if (key == "quote") r.csv.quote = parseChar(key, value, true);
    else if (key == "escape") r.csv.escape = *parseChar(key, value, false);
    else if (key == "inferSchema") r.csv.inferSchema = parseBool(key, value);
    else if (key == "nullValue") r.csv.nullValue = value;
    else if (key == "nanValue") r.csv.nanValue = value;
    else if (key == "mode") r.csv.mode = r.jsonl.mode = readModeFromName(value);
    else if (key == "encoding" || key == "charset")
      r.csv.encoding = r.jsonl.encoding = encodingFromName(value);
    else if (key == "schema") {
      r.csv.schema = parseSchemaDdl(value);
      r.jsonl.schema = r.csv.schema;
    } else if (key == "numFeatures") {
      try {
        std::size_t pos = 0;
        r.libsvm.numFeatures = std::stoll(value, &pos);
        if (pos != value.size()) throw std::invalid_argument(value);
      } catch (const std::exception&) {
        throw ParamError(fmt::format("reader option 'numFeatures' must be an integer, got \"{}\"",
                                     value));
      }
    } else {
      std::string known;
      for (const auto& n : readerOptionNames()) known += (known.empty() ? "" : ", ") + n;
      throw ParamError(fmt::format("unknown reader option '{}' (known: {})", key, known));
    }
  }
  return r;
}

Frame readInput(const std::string& path, ReadOptions options, std::vector<std::string>& warnings,
                std::ostream& err) {
  ReadCounts counts;
  options.csv.counts = &counts;
  options.jsonl.counts = &counts;
  Frame frame = readFrame(path, options);
  if (!counts.empty()) {
    warnings.push_back(fmt::format("{}: {}", path, counts.summary()));
    err << "warning: " << warnings.back() << "\n";
  }
  return frame;
}

ColumnError asInputColumnError(const ColumnError& e, const Frame& input, const std::string& path) {
  const std::string& col = e.column();
  if (col.empty()) return e;
  const int i = input.schema().indexOf(col);
  if (i < 0)
    return ColumnError(fmt::format("{} has no column '{}' (it has: {}); {}", path, col,
                                   input.schema().names(), e.what()),
                       col);
  // The column is there but of the wrong type: show its first value and where it is.
  if (input.numRows() == 0) return e;
  const DataType type = input.schema().fields()[static_cast<std::size_t>(i)].type;
  const Column& c = *input.column(col);
  if (c.nullCount() == c.size())  // nothing to infer a type from
    return ColumnError(
        fmt::format("{}: column '{}' has no values (every cell is empty), so it was read as {}; "
                    "give its type with --option schema=\"...\" (or the spec's input.schema); "
                    "{}",
                    path, col, toString(type), e.what()),
        col);
  // The first non-null value.
  std::int64_t first = 0;
  while (c.isNull(first)) ++first;
  std::string value = input.cellToString(first, col);
  if (value.size() > 40) value = value.substr(0, 37) + "...";
  const std::string where =
      input.origins() ? input.rowLocation(first) : fmt::format("{}, row {}", path, first);
  return ColumnError(fmt::format("{}: column '{}' holds {} values such as '{}'; {}", where, col,
                                 toString(type), value, e.what()),
                     col);
}

}  // namespace td::cli

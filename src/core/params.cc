// src/core/params.cc
#include "thunderdome/core/params.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <random>

#include "thunderdome/core/error.h"

namespace td {

std::string_view toString(ParamType t) {
  switch (t) {
    case ParamType::kBool: return "bool";
    case ParamType::kInt: return "int";
    case ParamType::kDouble: return "double";
    case ParamType::kString: return "string";
    case ParamType::kStringList: return "string list";
    case ParamType::kIntList: return "int list";
    case ParamType::kDoubleList: return "double list";
    case ParamType::kObject: return "stage";
    case ParamType::kParamMaps: return "param maps";
  }
  return "?";
}

ParamType ParamValue::type() const {
  return static_cast<ParamType>(v_.index());
}

namespace {

std::string formatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Inf" : "-Inf";
  std::string s = fmt::format("{}", d);  // shortest round-trip representation
  return s;
}

template <class T, class F>
std::string joinList(const std::vector<T>& v, F f) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += f(v[i]);
  }
  return out + "]";
}

std::string quote(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

std::string ParamValue::toString() const {
  return std::visit(
      [](const auto& x) -> std::string {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, bool>) return x ? "true" : "false";
        if constexpr (std::is_same_v<X, std::int64_t>) return std::to_string(x);
        if constexpr (std::is_same_v<X, double>) return formatDouble(x);
        if constexpr (std::is_same_v<X, std::string>) return quote(x);
        if constexpr (std::is_same_v<X, std::vector<std::string>>) return joinList(x, quote);
        if constexpr (std::is_same_v<X, std::vector<std::int64_t>>)
          return joinList(x, [](std::int64_t i) { return std::to_string(i); });
        if constexpr (std::is_same_v<X, std::vector<double>>) return joinList(x, formatDouble);
        if constexpr (std::is_same_v<X, std::shared_ptr<Params>>)
          return x ? x->describe() : std::string("null");
        if constexpr (std::is_same_v<X, std::shared_ptr<const std::vector<ParamMap>>>)
          return fmt::format("[{} param maps]", x ? x->size() : 0);
      },
      v_);
}

// ---------------------------------------------------------------- validators
ParamValidator ParamValidator::any() {
  return {[](const ParamValue&) { return true; }, ""};
}

namespace {
// Numeric view of a scalar or every element of a numeric list.
template <class Pred>
bool allNumeric(const ParamValue& v, Pred pred) {
  switch (v.type()) {
    case ParamType::kInt: return pred(static_cast<double>(v.as<std::int64_t>()));
    case ParamType::kDouble: return pred(v.as<double>());
    case ParamType::kIntList:
      return std::all_of(v.as<std::vector<std::int64_t>>().begin(),
                         v.as<std::vector<std::int64_t>>().end(),
                         [&](std::int64_t x) { return pred(static_cast<double>(x)); });
    case ParamType::kDoubleList:
      return std::all_of(v.as<std::vector<double>>().begin(), v.as<std::vector<double>>().end(),
                         pred);
    default: return true;
  }
}
}  // namespace

ParamValidator ParamValidator::gtEq(double lo) {
  return {[lo](const ParamValue& v) { return allNumeric(v, [lo](double x) { return x >= lo; }); },
          ">= " + formatDouble(lo)};
}
ParamValidator ParamValidator::gt(double lo) {
  return {[lo](const ParamValue& v) { return allNumeric(v, [lo](double x) { return x > lo; }); },
          "> " + formatDouble(lo)};
}
ParamValidator ParamValidator::ltEq(double hi) {
  return {[hi](const ParamValue& v) { return allNumeric(v, [hi](double x) { return x <= hi; }); },
          "<= " + formatDouble(hi)};
}
ParamValidator ParamValidator::inRange(double lo, double hi, bool lowerInclusive,
                                       bool upperInclusive) {
  auto ok = [=](double x) {
    return (lowerInclusive ? x >= lo : x > lo) && (upperInclusive ? x <= hi : x < hi);
  };
  return {[ok](const ParamValue& v) { return allNumeric(v, ok); },
          fmt::format("in {}{}, {}{}", lowerInclusive ? "[" : "(", formatDouble(lo),
                      formatDouble(hi), upperInclusive ? "]" : ")")};
}
ParamValidator ParamValidator::oneOf(std::vector<std::string> allowed) {
  std::string rule = "one of {";
  for (std::size_t i = 0; i < allowed.size(); ++i) rule += (i ? ", " : "") + allowed[i];
  rule += "}";
  return {[allowed = std::move(allowed)](const ParamValue& v) {
            if (v.type() != ParamType::kString) return true;
            return std::find(allowed.begin(), allowed.end(), v.as<std::string>()) !=
                   allowed.end();
          },
          rule};
}
ParamValidator ParamValidator::nonEmpty() {
  return {[](const ParamValue& v) {
            if (v.type() == ParamType::kString) return !v.as<std::string>().empty();
            return true;
          },
          "non-empty"};
}

// ---------------------------------------------------------------- ParamMap
ParamMap& ParamMap::put(const ParamRef& param, const ParamValue& value) {
  if (param.owner == nullptr) throw ParamError("ParamMap.put: parameter '" + param.name + "' has no owner stage");
  return put(*param.owner, param.name, value);
}

ParamMap& ParamMap::put(const Params& owner, std::string_view name, const ParamValue& value) {
  ParamValue checked = owner.validate(name, value);
  values_[{owner.uid(), std::string(name)}] = std::move(checked);
  return *this;
}

ParamMap& ParamMap::putUnchecked(std::string uid, std::string name, ParamValue value) {
  values_[{std::move(uid), std::move(name)}] = std::move(value);
  return *this;
}

bool ParamMap::contains(std::string_view uid, std::string_view name) const {
  return values_.count(Key{std::string(uid), std::string(name)}) > 0;
}

std::optional<ParamValue> ParamMap::get(std::string_view uid, std::string_view name) const {
  auto it = values_.find(Key{std::string(uid), std::string(name)});
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

ParamMap ParamMap::merged(const ParamMap& other) const {
  ParamMap out = *this;
  for (const auto& [k, v] : other.values_) out.values_[k] = v;
  return out;
}

std::string ParamMap::toString() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : values_) {
    if (!first) out += ", ";
    first = false;
    out += k.first + "." + k.second + ": " + v.toString();
  }
  return out + "}";
}

// ---------------------------------------------------------------- Params
Params::Params(std::string uid, const ParamSchema& schema) : uid_(std::move(uid)), schema_(&schema) {
  for (const auto& s : schema)
    if (s.defaultValue) defaults_[s.name] = *s.defaultValue;
}

std::string Params::describe() const { return className() + " " + uid_; }

bool Params::hasParam(std::string_view name) const {
  return std::any_of(schema_->begin(), schema_->end(),
                     [&](const ParamSpec& s) { return s.name == name; });
}

const ParamSpec& Params::spec(std::string_view name) const {
  for (const auto& s : *schema_)
    if (s.name == name) return s;
  std::vector<std::string> names;
  for (const auto& s : *schema_) names.push_back(s.name);
  std::sort(names.begin(), names.end());
  std::string valid;
  for (std::size_t i = 0; i < names.size(); ++i) valid += (i ? ", " : "") + names[i];
  throw ParamError(fmt::format("{} has no parameter '{}' (valid: {})", describe(), name, valid));
}

ParamRef Params::param(std::string_view name) const {
  (void)spec(name);
  return ParamRef{this, std::string(name)};
}

namespace {

// Converts `v` to the declared type when the conversion is exact; nullopt when impossible.
std::optional<ParamValue> coerce(const ParamValue& v, ParamType target) {
  if (v.type() == target) return v;
  switch (target) {
    case ParamType::kDouble:
      if (v.type() == ParamType::kInt) return ParamValue(static_cast<double>(v.as<std::int64_t>()));
      break;
    case ParamType::kInt:
      if (v.type() == ParamType::kDouble) {
        double d = v.as<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
          return ParamValue(static_cast<std::int64_t>(d));
      }
      break;
    case ParamType::kDoubleList:
      if (v.type() == ParamType::kIntList) {
        std::vector<double> out;
        for (auto i : v.as<std::vector<std::int64_t>>()) out.push_back(static_cast<double>(i));
        return ParamValue(std::move(out));
      }
      break;
    case ParamType::kIntList:
      if (v.type() == ParamType::kDoubleList) {
        std::vector<std::int64_t> out;
        for (double d : v.as<std::vector<double>>()) {
          if (!(std::isfinite(d) && d == std::floor(d))) return std::nullopt;
          out.push_back(static_cast<std::int64_t>(d));
        }
        return ParamValue(std::move(out));
      }
      break;
    default: break;
  }
  return std::nullopt;
}

}  // namespace

ParamValue Params::validate(std::string_view name, const ParamValue& value) const {
  const ParamSpec& s = spec(name);
  std::optional<ParamValue> c = coerce(value, s.type);
  if (!c)
    throw ParamError(fmt::format("{}: parameter '{}' expects a value of type {}, got {} {}",
                                 describe(), name, toString(s.type), toString(value.type()),
                                 value.toString()));
  if (!s.validator.check(*c))
    throw ParamError(fmt::format("{}: parameter '{}' given invalid value {} (must be {})",
                                 describe(), name, c->toString(), s.validator.rule));
  return *c;
}

Params& Params::set(std::string_view name, const ParamValue& value) {
  ParamValue v = validate(name, value);
  user_[std::string(name)] = std::move(v);
  return *this;
}

void Params::clear(std::string_view name) {
  (void)spec(name);
  auto it = user_.find(name);
  if (it != user_.end()) user_.erase(it);
}

bool Params::isSet(std::string_view name) const {
  (void)spec(name);
  return user_.find(name) != user_.end();
}

bool Params::isDefined(std::string_view name) const {
  (void)spec(name);
  return user_.find(name) != user_.end() || defaults_.find(name) != defaults_.end();
}

ParamValue Params::getOrDefault(std::string_view name) const {
  (void)spec(name);
  if (auto it = user_.find(name); it != user_.end()) return it->second;
  if (auto it = defaults_.find(name); it != defaults_.end()) return it->second;
  throw ParamError(fmt::format("{}: parameter '{}' is not set and has no default value",
                               describe(), name));
}

std::optional<ParamValue> Params::getDefault(std::string_view name) const {
  (void)spec(name);
  if (auto it = defaults_.find(name); it != defaults_.end()) return it->second;
  return std::nullopt;
}

bool Params::getBool(std::string_view name) const { return getOrDefault(name).as<bool>(); }
std::int64_t Params::getInt(std::string_view name) const {
  return getOrDefault(name).as<std::int64_t>();
}
double Params::getDouble(std::string_view name) const { return getOrDefault(name).as<double>(); }
std::string Params::getString(std::string_view name) const {
  return getOrDefault(name).as<std::string>();
}
std::vector<std::string> Params::getStringList(std::string_view name) const {
  return getOrDefault(name).as<std::vector<std::string>>();
}

std::string Params::explainParam(std::string_view name) const {
  const ParamSpec& s = spec(name);
  std::string out = s.name + ": " + s.doc;
  auto d = getDefault(name);
  auto u = user_.find(name);
  std::vector<std::string> parts;
  if (d) parts.push_back("default: " + d->toString());
  if (u != user_.end()) parts.push_back("current: " + u->second.toString());
  if (parts.empty()) {
    out += " (undefined)";
  } else {
    out += " (";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    out += ")";
  }
  return out;
}

std::string Params::explainParams() const {
  std::vector<std::string> names;
  for (const auto& s : *schema_) names.push_back(s.name);
  std::sort(names.begin(), names.end());
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? "\n" : "") + explainParam(names[i]);
  return out;
}

ParamMap Params::extractParamMap(const ParamMap& extra) const {
  ParamMap out;
  for (const auto& [k, v] : defaults_) out.putUnchecked(uid_, k, v);
  for (const auto& [k, v] : user_) out.putUnchecked(uid_, k, v);
  for (const auto& [k, v] : extra.entries())
    if (k.first == uid_) out.putUnchecked(k.first, k.second, v);
  return out;
}

void Params::applyParamMap(const ParamMap& extra) {
  for (const auto& [k, v] : extra.entries())
    if (k.first == uid_) set(k.second, v);
}

void Params::setDefault(std::string_view name, const ParamValue& value) {
  defaults_[std::string(name)] = validate(name, value);
}

void Params::restoreValues(const std::map<std::string, ParamValue, std::less<>>& user,
                           const std::map<std::string, ParamValue, std::less<>>& defaults) {
  std::map<std::string, ParamValue, std::less<>> u, d = defaults_;
  for (const auto& [k, v] : defaults) d[k] = validate(k, v);
  for (const auto& [k, v] : user) u[k] = validate(k, v);
  defaults_ = std::move(d);
  user_ = std::move(u);
}

void Params::copyValuesFrom(const Params& src) {
  for (const auto& [k, v] : src.defaults_)
    if (hasParam(k)) defaults_[k] = v;
  for (const auto& [k, v] : src.user_)
    if (hasParam(k)) user_[k] = v;
}

std::string randomUid(std::string_view prefix) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t base = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
           static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }();
  // splitmix64 of (base + counter): unique within a process, random across processes.
  std::uint64_t z = base + 0x9E3779B97F4A7C15ULL * (counter.fetch_add(1) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return fmt::format("{}_{:012x}", prefix, z & 0xFFFFFFFFFFFFULL);
}

}  // namespace td

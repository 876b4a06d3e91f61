// include/thunderdome/core/params.h
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "thunderdome/core/error.h"

namespace td {

/// The type of a parameter, as declared by its stage.
enum class ParamType { kBool, kInt, kDouble, kString, kStringList, kIntList, kDoubleList };

/// Human-readable name of a ParamType ("int", "double", "string list", ...).
std::string_view toString(ParamType t);

/// A parameter value: one of the types a ParamType names. Built implicitly from literals.
class ParamValue {
 public:
  using Variant = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>,
                               std::vector<std::int64_t>, std::vector<double>>;

  ParamValue() : v_(false) {}
  ParamValue(bool b) : v_(b) {}                                   // NOLINT(implicit)
  ParamValue(int i) : v_(static_cast<std::int64_t>(i)) {}         // NOLINT(implicit)
  ParamValue(long i) : v_(static_cast<std::int64_t>(i)) {}        // NOLINT(implicit)
  ParamValue(long long i) : v_(static_cast<std::int64_t>(i)) {}   // NOLINT(implicit)
  ParamValue(double d) : v_(d) {}                                 // NOLINT(implicit)
  ParamValue(const char* s) : v_(std::string(s)) {}               // NOLINT(implicit)
  ParamValue(std::string s) : v_(std::move(s)) {}                 // NOLINT(implicit)
  ParamValue(std::string_view s) : v_(std::string(s)) {}          // NOLINT(implicit)
  ParamValue(std::vector<std::string> v) : v_(std::move(v)) {}    // NOLINT(implicit)
  ParamValue(std::vector<std::int64_t> v) : v_(std::move(v)) {}   // NOLINT(implicit)
  ParamValue(std::vector<double> v) : v_(std::move(v)) {}         // NOLINT(implicit)

  /// The natural type of the held value.
  [[nodiscard]] ParamType type() const;
  /// The underlying variant.
  [[nodiscard]] const Variant& variant() const { return v_; }
  /// The held value as T; throws ParamError if it holds another type.
  template <class T>
  [[nodiscard]] const T& as() const;
  /// Spark-like rendering: 10, 0.1, true, "text", [1, 2].
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const ParamValue& a, const ParamValue& b) { return a.v_ == b.v_; }

 private:
  Variant v_;
};

/// A validation rule for a parameter value: a predicate plus the rule's text for messages.
struct ParamValidator {
  std::function<bool(const ParamValue&)> check;  ///< True when the value is acceptable.
  std::string rule;                              ///< E.g. ">= 0" or "one of {a, b}".

  static ParamValidator any();
  static ParamValidator gtEq(double lo);
  static ParamValidator gt(double lo);
  static ParamValidator ltEq(double hi);
  /// Closed or open interval; `lowerInclusive`/`upperInclusive` choose the bracket.
  static ParamValidator inRange(double lo, double hi, bool lowerInclusive = true,
                                bool upperInclusive = true);
  static ParamValidator oneOf(std::vector<std::string> allowed);
  static ParamValidator nonEmpty();
};

/// The declaration of one parameter: name, doc, type, default and validator.
struct ParamSpec {
  std::string name;
  std::string doc;
  ParamType type = ParamType::kString;
  std::optional<ParamValue> defaultValue;  ///< Unset means "no default" (must be set by the user).
  ParamValidator validator = ParamValidator::any();
};

/// The ordered list of parameters a stage class declares.
using ParamSchema = std::vector<ParamSpec>;

class Params;

/// A handle to one parameter of one stage instance (Spark's `Param`): (owner uid, name).
struct ParamRef {
  const Params* owner = nullptr;  ///< The stage that declares the parameter.
  std::string name;               ///< The parameter's name.
};

/// Values for parameters of many stages, keyed by (stage uid, param name), like Spark's ParamMap.
class ParamMap {
 public:
  using Key = std::pair<std::string, std::string>;  // (uid, name)

  /// Adds or replaces a value after checking it against the owner's declaration.
  ParamMap& put(const ParamRef& param, const ParamValue& value);
  /// Adds or replaces a value after checking it against `owner`'s declaration of `name`.
  ParamMap& put(const Params& owner, std::string_view name, const ParamValue& value);
  /// Adds a value without validation (used when loading already-validated maps).
  ParamMap& putUnchecked(std::string uid, std::string name, ParamValue value);

  [[nodiscard]] bool contains(std::string_view uid, std::string_view name) const;
  [[nodiscard]] std::optional<ParamValue> get(std::string_view uid, std::string_view name) const;
  [[nodiscard]] std::size_t size() const { return values_.size(); }
  [[nodiscard]] bool empty() const { return values_.empty(); }
  [[nodiscard]] const std::map<Key, ParamValue>& entries() const { return values_; }
  /// This map with `other`'s entries added on top (other wins).
  [[nodiscard]] ParamMap merged(const ParamMap& other) const;
  /// "{hashingTF_1a2b.numFeatures: 10, logreg_3c4d.regParam: 0.1}"
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const ParamMap& a, const ParamMap& b) { return a.values_ == b.values_; }

 private:
  std::map<Key, ParamValue> values_;
};

/// Base of every stage and evaluator: typed parameters settable by name, with uid, defaults
/// and validation, following Spark ML's Params.
class Params {
 public:
  Params(std::string uid, const ParamSchema& schema);
  virtual ~Params() = default;
  Params(const Params&) = default;
  Params& operator=(const Params&) = default;

  /// Unique id, e.g. "logreg_3f2a9c1b0d4e".
  [[nodiscard]] const std::string& uid() const { return uid_; }
  /// The class name users know, e.g. "LogisticRegression".
  [[nodiscard]] virtual std::string className() const = 0;

  /// All declared parameters, in declaration order.
  [[nodiscard]] const ParamSchema& params() const { return *schema_; }
  [[nodiscard]] bool hasParam(std::string_view name) const;
  /// The declaration of `name`; throws ParamError listing the valid names if unknown.
  [[nodiscard]] const ParamSpec& spec(std::string_view name) const;
  /// A handle to `name` for ParamMap / ParamGridBuilder; throws if unknown.
  [[nodiscard]] ParamRef param(std::string_view name) const;

  /// Sets a parameter by name (type-checked, coerced int<->double when exact, validated).
  Params& set(std::string_view name, const ParamValue& value);
  /// Removes a user-set value (the default applies again).
  void clear(std::string_view name);
  [[nodiscard]] bool isSet(std::string_view name) const;
  [[nodiscard]] bool isDefined(std::string_view name) const;
  /// The user value, else the default; throws ParamError if neither exists.
  [[nodiscard]] ParamValue getOrDefault(std::string_view name) const;
  /// The default value, if any.
  [[nodiscard]] std::optional<ParamValue> getDefault(std::string_view name) const;

  [[nodiscard]] bool getBool(std::string_view name) const;
  [[nodiscard]] std::int64_t getInt(std::string_view name) const;
  [[nodiscard]] double getDouble(std::string_view name) const;
  [[nodiscard]] std::string getString(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> getStringList(std::string_view name) const;

  /// "name: doc (default: D, current: C)" like Spark's explainParam.
  [[nodiscard]] std::string explainParam(std::string_view name) const;
  /// All parameters explained, sorted by name, one per line.
  [[nodiscard]] std::string explainParams() const;
  /// defaults ++ user-set ++ extra (entries of `extra` for this uid only).
  [[nodiscard]] ParamMap extractParamMap(const ParamMap& extra = {}) const;
  /// The user-set values only, by name.
  [[nodiscard]] const std::map<std::string, ParamValue, std::less<>>& userValues() const {
    return user_;
  }
  /// All defaults, by name.
  [[nodiscard]] const std::map<std::string, ParamValue, std::less<>>& defaultValues() const {
    return defaults_;
  }

  /// Checks `value` against the declaration of `name` and returns it coerced to the declared
  /// type; throws ParamError naming this stage, the parameter, the value and the rule.
  [[nodiscard]] ParamValue validate(std::string_view name, const ParamValue& value) const;
  /// "LogisticRegression logreg_3f2a9c1b0d4e" — the prefix of every message about this stage.
  [[nodiscard]] std::string describe() const;

  /// Applies the entries of `extra` that belong to this uid (as Spark's copy(extra) does).
  void applyParamMap(const ParamMap& extra);
  /// Replaces the user values and the defaults with saved ones, validating each (used when
  /// loading a saved stage, so a model keeps the defaults it was saved with).
  void restoreValues(const std::map<std::string, ParamValue, std::less<>>& user,
                     const std::map<std::string, ParamValue, std::less<>>& defaults);

 protected:
  /// Overrides a declared default for this instance (e.g. outputCol = uid + "__output").
  void setDefault(std::string_view name, const ParamValue& value);
  /// Copies `src`'s user-set values and defaults for every parameter this instance also
  /// declares (Spark's copyValues, used when an estimator makes its model).
  void copyValuesFrom(const Params& src);

 private:
  std::string uid_;
  const ParamSchema* schema_;
  std::map<std::string, ParamValue, std::less<>> defaults_;
  std::map<std::string, ParamValue, std::less<>> user_;
};

/// A new uid: `prefix` + "_" + 12 random hex digits, as Spark's Identifiable.randomUID.
std::string randomUid(std::string_view prefix);

// ---- template implementation ----
template <class T>
const T& ParamValue::as() const {
  if (const T* p = std::get_if<T>(&v_)) return *p;
  throw ParamError("parameter value " + toString() + " does not hold the requested type");
}

}  // namespace td

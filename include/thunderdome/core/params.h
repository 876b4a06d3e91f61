// include/thunderdome/core/params.h
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/core/state.h"

namespace td {

class Params;
class ParamMap;

/// The type of a parameter, as declared by its stage. kObject (a stage or evaluator, e.g.
/// CrossValidator's estimator) and kParamMaps (e.g. its estimatorParamMaps) are set from code,
/// not from JSON: their classes save them themselves.
enum class ParamType {
  kBool, kInt, kDouble, kString, kStringList, kIntList, kDoubleList, kObject, kParamMaps
};

/// True for the types a value of which is plain JSON (every type but kObject and kParamMaps).
[[nodiscard]] constexpr bool isJsonType(ParamType t) {
  return t != ParamType::kObject && t != ParamType::kParamMaps;
}

/// Human-readable name of a ParamType ("int", "double", "string list", ...).
std::string_view toString(ParamType t);

/// A parameter value: one of the types a ParamType names. Built implicitly from literals.
class ParamValue {
 public:
  using Variant = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>,
                               std::vector<std::int64_t>, std::vector<double>,
                               std::shared_ptr<Params>, std::shared_ptr<const std::vector<ParamMap>>>;

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
  ParamValue(std::shared_ptr<Params> p) : v_(std::move(p)) {}     // NOLINT(implicit)
  ParamValue(std::shared_ptr<const std::vector<ParamMap>> m)      // NOLINT(implicit)
      : v_(std::move(m)) {}

  /// The natural type of the held value.
  [[nodiscard]] ParamType type() const;
  /// The underlying variant.
  [[nodiscard]] const Variant& variant() const { return v_; }
  /// The held value as T; throws ParamError if it holds another type.
  template <class T>
  [[nodiscard]] const T& as() const;
  /// Spark-like rendering: 10, 0.1, true, "text", [1, 2].
  [[nodiscard]] std::string toString() const;

  /// Equal values; a NaN double equals a NaN (Imputer's default missingValue is NaN).
  friend bool operator==(const ParamValue& a, const ParamValue& b) {
    const auto* x = std::get_if<double>(&a.v_);
    const auto* y = std::get_if<double>(&b.v_);
    if (x && y && *x != *x && *y != *y) return true;
    return a.v_ == b.v_;
  }

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
  /// For a parameter without default: a typical valid value (PCA's k, Bucketizer's splits)
  /// that docs may show and the conformance suite sets to drive the class. Not a default.
  std::optional<ParamValue> example{};
};

/// The ordered list of parameters a stage class declares.
using ParamSchema = std::vector<ParamSpec>;

/// Marks a parameter declared without a default (required, or optional like weightCol).
struct NoDefault {};
/// The NoDefault marker, as in `TD_PARAM(std::string, inputCol, InputCol, "doc", kNoDefault)`.
inline constexpr NoDefault kNoDefault{};

/// An example value of a parameter declared without a default (ParamSpec::example), given after
/// the validator: `TD_PARAM(std::int64_t, k, K, "doc", kNoDefault, ParamValidator::gt(0),
/// ParamExample{3})`. The value converts to the parameter's type.
template <class T>
struct ParamExample {
  T value;  ///< The example value.
};
template <class T>
ParamExample(T) -> ParamExample<T>;

namespace detail {
/// The ParamType and the ParamValue alternative that hold a C++ parameter type T.
template <class T, class = void>
struct ParamTraits;
template <> struct ParamTraits<bool> { static constexpr ParamType type = ParamType::kBool; using Stored = bool; };
template <> struct ParamTraits<std::int64_t> { static constexpr ParamType type = ParamType::kInt; using Stored = std::int64_t; };
template <> struct ParamTraits<double> { static constexpr ParamType type = ParamType::kDouble; using Stored = double; };
template <> struct ParamTraits<std::string> { static constexpr ParamType type = ParamType::kString; using Stored = std::string; };
template <> struct ParamTraits<std::vector<std::string>> { static constexpr ParamType type = ParamType::kStringList; using Stored = std::vector<std::string>; };
template <> struct ParamTraits<std::vector<std::int64_t>> { static constexpr ParamType type = ParamType::kIntList; using Stored = std::vector<std::int64_t>; };
template <> struct ParamTraits<std::vector<double>> { static constexpr ParamType type = ParamType::kDoubleList; using Stored = std::vector<double>; };
template <> struct ParamTraits<std::vector<ParamMap>> { static constexpr ParamType type = ParamType::kParamMaps; using Stored = std::shared_ptr<const std::vector<ParamMap>>; };
template <class U>
struct ParamTraits<std::shared_ptr<U>> { static constexpr ParamType type = ParamType::kObject; using Stored = std::shared_ptr<Params>; };

/// The parameter list of class C, filled by its TD_PARAM declarations in declaration order.
template <class C>
ParamSchema& schemaOf() {
  static ParamSchema s;
  return s;
}
}  // namespace detail

/// A typed parameter of a stage class (Spark's Param[T]), declared once in the class with
/// TD_PARAM: its name, doc, default and validator; the class's schema, set-by-name, setter and
/// getter, explainParams, JSON and docs all come from it. A misspelt name is a compile error.
template <class T>
class Param {
 public:
  using ValueType = T;
  /// Declares the parameter and appends it to `schema` (its class's, in declaration order).
  Param(ParamSchema& schema, std::string name, std::string doc, T defaultValue,
        ParamValidator validator = ParamValidator::any())
      : spec_{std::move(name), std::move(doc), detail::ParamTraits<T>::type,
              ParamValue(typename detail::ParamTraits<T>::Stored(std::move(defaultValue))),
              std::move(validator)} {
    schema.push_back(spec_);
  }
  /// Declares a parameter without a default.
  Param(ParamSchema& schema, std::string name, std::string doc, NoDefault,
        ParamValidator validator = ParamValidator::any())
      : spec_{std::move(name), std::move(doc), detail::ParamTraits<T>::type, std::nullopt,
              std::move(validator)} {
    schema.push_back(spec_);
  }
  /// Declares a parameter without a default but with an example value (ParamSpec::example).
  template <class U>
  Param(ParamSchema& schema, std::string name, std::string doc, NoDefault,
        ParamValidator validator, ParamExample<U> example)
      : spec_{std::move(name), std::move(doc), detail::ParamTraits<T>::type, std::nullopt,
              std::move(validator),
              ParamValue(typename detail::ParamTraits<T>::Stored(T(std::move(example.value))))} {
    schema.push_back(spec_);
  }
  /// Declares a parameter from a shared declaration (td::shared::inputCol(), or another class's
  /// Param's spec()), which must be of type T.
  Param(ParamSchema& schema, ParamSpec spec) : spec_(std::move(spec)) {
    if (spec_.type != detail::ParamTraits<T>::type)
      throw ParamError("parameter '" + spec_.name + "' is declared with another type");
    schema.push_back(spec_);
  }
  /// The parameter's name, as in specs and saved models.
  [[nodiscard]] const std::string& name() const { return spec_.name; }
  /// The full declaration.
  [[nodiscard]] const ParamSpec& spec() const { return spec_; }

 private:
  ParamSpec spec_;
};

/// Opens the public part of a registered class: its name, uid prefix, Spark class and one-line
/// summary as static members (read by the registry, `thunderdome stages` and docs/stages.md),
/// className(), schema() (the TD_PARAM declarations below it, in order) and `Self`.
#define TD_CLASS(Class, uidPrefix, sparkClassName, summaryText)                    \
  TD_CLASS_INFO(Class, uidPrefix, sparkClassName, summaryText)                     \
  /** The parameters this class declares (its TD_PARAMs, in order). */              \
  static const ::td::ParamSchema& schema() { return ::td::detail::schemaOf<Class>(); }

/// As TD_CLASS for a model that has exactly its estimator's params (Spark's models mix in the
/// estimator's params trait): schema() is ParamsOf::schema(); reach them as ParamsOf::name.
#define TD_MODEL_CLASS(Class, ParamsOf, uidPrefix, sparkClassName, summaryText) \
  TD_CLASS_INFO(Class, uidPrefix, sparkClassName, summaryText)                  \
  /** The class that declares this model's params (its estimator). */           \
  using EstimatorParams = ParamsOf;                                             \
  /** The parameters of the estimator this model comes from. */                 \
  static const ::td::ParamSchema& schema() { return ParamsOf::schema(); }

/// The part of TD_CLASS that names the class (see TD_CLASS).
#define TD_CLASS_INFO(Class, uidPrefix, sparkClassName, summaryText)                         \
 public:                                                                                    \
  using Self = Class;                                                                       \
  static constexpr std::string_view kClassName = #Class;                                   \
  static constexpr std::string_view kUidPrefix = uidPrefix;                                 \
  static constexpr std::string_view kSparkClass = sparkClassName;                           \
  static constexpr std::string_view kSummary = summaryText;                                 \
  [[nodiscard]] std::string className() const override { return std::string(kClassName); } \
  [[nodiscard]] std::shared_ptr<::td::Params> cloneParams() const override {                \
    return std::make_shared<Class>(*this);                                                  \
  }

/// Inside a class that used TD_CLASS or TD_MODEL_CLASS: how it differs from its Spark class
/// where a user would notice (Markdown). docs/stages.md prints it under the class.
#define TD_SPARK_DIFFERENCES(text) static constexpr std::string_view kSparkDifferences = text;

/// Inside a class that used TD_CLASS: declares `static const Param<Type> name` with the doc,
/// default (or kNoDefault) and optional validator given as the remaining arguments, plus
/// `setName(value)` and `getName()`.
#define TD_PARAM(Type, name, Name, ...)                                                       \
  static inline const ::td::Param<Type> name{::td::detail::schemaOf<Self>(), #name, __VA_ARGS__}; \
  Self& set##Name(const Type& value) {                                                        \
    this->set(name, value);                                                                   \
    return *this;                                                                             \
  }                                                                                           \
  [[nodiscard]] Type get##Name() const { return this->get(name); }

/// As TD_PARAM, from a shared declaration (a ParamSpec such as td::shared::featuresCol(), or
/// OtherClass::param.spec() for a model that mirrors its estimator's parameter).
#define TD_SHARED_PARAM(Type, name, Name, specExpr)                                     \
  static inline const ::td::Param<Type> name{::td::detail::schemaOf<Self>(), specExpr}; \
  Self& set##Name(const Type& value) {                                                  \
    this->set(name, value);                                                             \
    return *this;                                                                       \
  }                                                                                     \
  [[nodiscard]] Type get##Name() const { return this->get(name); }

/// Inside a class that used TD_MODEL_CLASS: `setName(value)` and `getName()` for its
/// estimator's param `name` (Spark's models share their estimator's params and setters).
#define TD_MODEL_PARAM(name, Name)                                                          \
  Self& set##Name(const typename std::remove_cvref_t<decltype(EstimatorParams::name)>::ValueType& \
                      value) {                                                              \
    this->set(EstimatorParams::name, value);                                                \
    return *this;                                                                           \
  }                                                                                         \
  [[nodiscard]] auto get##Name() const { return this->get(EstimatorParams::name); }

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
  /// A copy of this object as its own class (same uid and values); TD_CLASS declares it. The
  /// default copyStage / copyEvaluator (Spark's copy(extra)) are this plus applyParamMap.
  [[nodiscard]] virtual std::shared_ptr<Params> cloneParams() const = 0;

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

  /// Typed access through a class's declared Param (compile-time checked name and type).
  template <class T>
  Params& set(const Param<T>& p, const T& value);
  /// The user value, else the default, as T; throws ParamError if neither exists.
  template <class T>
  [[nodiscard]] T get(const Param<T>& p) const;
  /// A handle to `p` on this instance, for ParamMap / ParamGridBuilder.
  template <class T>
  [[nodiscard]] ParamRef param(const Param<T>& p) const { return param(p.name()); }
  template <class T>
  [[nodiscard]] bool isSet(const Param<T>& p) const { return isSet(p.name()); }
  template <class T>
  [[nodiscard]] bool isDefined(const Param<T>& p) const { return isDefined(p.name()); }
  template <class T>
  void clear(const Param<T>& p) { clear(p.name()); }

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

  /// Writes what this instance learned or holds beyond its JSON params (coefficients, nested
  /// stages, metrics) when saved; the params are written by the store. Default: nothing.
  virtual void saveState(StateWriter& /*out*/) const {}
  /// Reads back what saveState wrote, into an instance made from the uid whose params are
  /// already restored. Default: nothing.
  virtual void loadState(const StateReader& /*in*/) {}

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

template <class T>
Params& Params::set(const Param<T>& p, const T& value) {
  using Stored = typename detail::ParamTraits<T>::Stored;
  if constexpr (std::is_same_v<T, std::vector<ParamMap>>)
    return set(p.name(), ParamValue(std::make_shared<const std::vector<ParamMap>>(value)));
  else if constexpr (std::is_same_v<Stored, std::shared_ptr<Params>>)
    return set(p.name(), ParamValue(std::static_pointer_cast<Params>(
                             std::const_pointer_cast<std::remove_const_t<typename T::element_type>>(value))));
  else
    return set(p.name(), ParamValue(Stored(value)));
}

template <class T>
T Params::get(const Param<T>& p) const {
  using Stored = typename detail::ParamTraits<T>::Stored;
  if constexpr (std::is_same_v<T, std::vector<ParamMap>>) {
    if (!isDefined(p.name())) return {};
    const ParamValue v = getOrDefault(p.name());  // keep the value alive: as<> refers into it
    const auto& m = v.template as<Stored>();
    return m ? *m : T{};
  } else if constexpr (std::is_same_v<Stored, std::shared_ptr<Params>>) {
    if (!isDefined(p.name())) return nullptr;
    return std::dynamic_pointer_cast<typename T::element_type>(
        getOrDefault(p.name()).template as<Stored>());
  } else {
    return getOrDefault(p.name()).template as<Stored>();
  }
}

}  // namespace td

// src/persist/param_json.cc
#include "thunderdome/persist/param_json.h"

#include <fmt/format.h>

#include <cmath>

#include "thunderdome/core/error.h"

namespace td {

using nlohmann::json;

json doubleToJson(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Inf" : "-Inf";
  return d;
}

double doubleFromJson(const json& j, const std::string& where) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s == "NaN") return std::nan("");
    if (s == "Inf" || s == "Infinity") return INFINITY;
    if (s == "-Inf" || s == "-Infinity") return -INFINITY;
  }
  throw ParamError(fmt::format("{}: expected a number, found {}", where, j.dump()));
}

json paramToJson(const ParamValue& v) {
  return std::visit(
      [](const auto& x) -> json {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, double>) {
          return doubleToJson(x);
        } else if constexpr (std::is_same_v<X, std::vector<double>>) {
          json a = json::array();
          for (double d : x) a.push_back(doubleToJson(d));
          return a;
        } else if constexpr (std::is_same_v<X, std::shared_ptr<Params>> ||
                             std::is_same_v<X, std::shared_ptr<const std::vector<ParamMap>>>) {
          // Stages and param maps are saved by their owner (see Validator::saveState).
          throw ParamError("parameter value " + ParamValue(x).toString() +
                           " is a stage or param maps, which have no JSON form");
        } else {
          return json(x);
        }
      },
      v.variant());
}

ParamValue paramFromJson(const json& j, ParamType declared, const std::string& where) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (declared == ParamType::kDouble && (s == "NaN" || s == "Inf" || s == "-Inf"))
      return doubleFromJson(j, where);
    return s;
  }
  if (j.is_array()) {
    if (j.empty()) {
      if (declared == ParamType::kIntList) return std::vector<std::int64_t>{};
      if (declared == ParamType::kDoubleList) return std::vector<double>{};
      return std::vector<std::string>{};
    }
    bool allString = true, allInt = true, allNumber = true;
    for (const auto& e : j) {
      allString = allString && e.is_string();
      allInt = allInt && e.is_number_integer();
      allNumber = allNumber && (e.is_number() || (declared == ParamType::kDoubleList && e.is_string()));
    }
    if (allString && declared != ParamType::kDoubleList) return j.get<std::vector<std::string>>();
    if (allInt) return j.get<std::vector<std::int64_t>>();
    if (allNumber) {
      std::vector<double> out;
      for (const auto& e : j) out.push_back(doubleFromJson(e, where));
      return out;
    }
  }
  throw ParamError(fmt::format("{}: {} is not a valid parameter value (expected {})", where,
                               j.dump(), toString(declared)));
}

}  // namespace td

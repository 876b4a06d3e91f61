// include/thunderdome/persist/param_json.h
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "thunderdome/core/params.h"

namespace td {

/// JSON encoding of a parameter value: numbers, strings, booleans and arrays as themselves;
/// NaN and ±infinity as the strings "NaN", "Inf", "-Inf" (as Spark's DoubleParam).
nlohmann::json paramToJson(const ParamValue& value);

/// A ParamValue from JSON, shaped by the declared type (an empty array becomes an empty list of
/// that type); `owner.validate()` then checks and coerces it. Throws ParamError naming `where`
/// for JSON that no parameter type can hold (objects, null, mixed arrays).
ParamValue paramFromJson(const nlohmann::json& j, ParamType declared, const std::string& where);

/// A JSON number, or "NaN"/"Inf"/"-Inf", as a double; throws ParamError naming `where`.
double doubleFromJson(const nlohmann::json& j, const std::string& where);

/// The JSON encoding of a double (numbers, or "NaN"/"Inf"/"-Inf").
nlohmann::json doubleToJson(double d);

}  // namespace td

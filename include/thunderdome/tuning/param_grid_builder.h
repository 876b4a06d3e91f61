// include/thunderdome/tuning/param_grid_builder.h
#pragma once

#include <vector>

#include "thunderdome/core/params.h"

namespace td {

/// Builds the cartesian product of parameter values to search (Spark's ParamGridBuilder).
/// Order follows PySpark: parameters in the order first added, the last one varying fastest.
class ParamGridBuilder {
 public:
  /// Adds (or replaces the values of) a parameter; every value is validated against its stage.
  ParamGridBuilder& addGrid(const ParamRef& param, const std::vector<ParamValue>& values);
  /// addGrid(owner.param(name), values).
  ParamGridBuilder& addGrid(const Params& owner, std::string_view name,
                            const std::vector<ParamValue>& values);
  /// Fixes a parameter to one value in every map (addGrid with a single value).
  ParamGridBuilder& baseOn(const ParamRef& param, const ParamValue& value);
  /// Fixes every entry of `map` in every built map.
  ParamGridBuilder& baseOn(const ParamMap& map);
  /// All combinations; no grid gives one empty map, a parameter with no values gives none.
  [[nodiscard]] std::vector<ParamMap> build() const;

 private:
  struct Axis {
    ParamMap::Key key;
    std::vector<ParamValue> values;
  };
  std::vector<Axis> axes_;
};

}  // namespace td

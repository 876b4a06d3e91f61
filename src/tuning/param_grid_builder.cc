// src/tuning/param_grid_builder.cc
#include "thunderdome/tuning/param_grid_builder.h"

#include "thunderdome/core/error.h"

namespace td {

ParamGridBuilder& ParamGridBuilder::addGrid(const ParamRef& param,
                                            const std::vector<ParamValue>& values) {
  if (param.owner == nullptr) throw ParamError("addGrid: parameter '" + param.name + "' has no owner stage");
  std::vector<ParamValue> checked;
  checked.reserve(values.size());
  for (const auto& v : values) checked.push_back(param.owner->validate(param.name, v));
  ParamMap::Key key{param.owner->uid(), param.name};
  for (auto& a : axes_) {
    if (a.key == key) {
      a.values = std::move(checked);
      return *this;
    }
  }
  axes_.push_back({std::move(key), std::move(checked)});
  return *this;
}

ParamGridBuilder& ParamGridBuilder::addGrid(const Params& owner, std::string_view name,
                                            const std::vector<ParamValue>& values) {
  return addGrid(owner.param(name), values);
}

ParamGridBuilder& ParamGridBuilder::baseOn(const ParamRef& param, const ParamValue& value) {
  return addGrid(param, {value});
}

ParamGridBuilder& ParamGridBuilder::baseOn(const ParamMap& map) {
  for (const auto& [key, value] : map.entries()) {
    bool found = false;
    for (auto& a : axes_) {
      if (a.key == key) {
        a.values = {value};
        found = true;
      }
    }
    if (!found) axes_.push_back({key, {value}});
  }
  return *this;
}

std::vector<ParamMap> ParamGridBuilder::build() const {
  std::vector<ParamMap> maps{ParamMap{}};
  for (const auto& axis : axes_) {  // later axes vary fastest (itertools.product order)
    std::vector<ParamMap> next;
    next.reserve(maps.size() * axis.values.size());
    for (const auto& m : maps) {
      for (const auto& v : axis.values) {
        ParamMap e = m;
        e.putUnchecked(axis.key.first, axis.key.second, v);
        next.push_back(std::move(e));
      }
    }
    maps = std::move(next);
  }
  return maps;
}

}  // namespace td

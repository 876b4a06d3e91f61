// src/storage/swift_parse.cc — parsers of Swift listings and Keystone token responses.
#include "swift_parse.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "thunderdome/core/error.h"

namespace td::storage::detail {

using nlohmann::json;

namespace {

// The string at `key` of object `j`, or "" when absent or not a string.
std::string stringAt(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string parseListingPage(std::string_view body, const std::string& what,
                             std::vector<ObjectInfo>& out) {
  json page;
  try {
    page = json::parse(body);
  } catch (const json::exception& e) {
    throw IoError(fmt::format("{}: listing is not valid JSON ({})", what, e.what()));
  }
  if (!page.is_array()) throw IoError(fmt::format("{}: listing is not a JSON array", what));
  std::size_t index = 0;
  for (const auto& o : page) {
    if (!o.is_object())
      throw IoError(fmt::format("{}: listing entry {} is not a JSON object", what, index));
    ++index;
    if (!o.contains("name")) continue;  // subdir entries
    const auto& name = o["name"];
    const auto bytes = o.find("bytes");
    const auto hash = o.find("hash");
    // bytes: a whole number that fits int64 and is not negative (a uint64 beyond it would wrap).
    const bool badBytes =
        bytes != o.end() &&
        (!bytes->is_number_integer() ||
         (bytes->is_number_unsigned() &&
          bytes->get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max())) ||
         (!bytes->is_number_unsigned() && bytes->get<std::int64_t>() < 0));
    if (!name.is_string() || badBytes ||
        (hash != o.end() && !hash->is_string()))
      throw IoError(fmt::format("{}: listing entry {} is malformed: {}", what, index - 1,
                                o.dump(-1, ' ', false, json::error_handler_t::replace)));
    ObjectInfo info;
    info.name = name.get<std::string>();
    if (bytes != o.end()) info.bytes = bytes->get<std::int64_t>();
    if (hash != o.end()) info.hash = hash->get<std::string>();
    info.contentType = stringAt(o, "content_type");
    out.push_back(std::move(info));
  }
  return page.empty() ? std::string() : stringAt(page.back(), "name");
}

std::string findObjectStoreEndpoint(std::string_view body, const std::string& interface,
                                    const std::string& region) {
  json tok;
  try {
    tok = json::parse(body).at("token");
  } catch (const json::exception& e) {
    throw IoError(fmt::format("swift: Keystone's token response is not valid JSON ({})", e.what()));
  }
  if (!tok.is_object()) throw IoError("swift: Keystone's token response has no \"token\" object");
  const auto catalog = tok.find("catalog");
  if (catalog == tok.end() || !catalog->is_array()) return "";
  for (const auto& svc : *catalog) {
    if (!svc.is_object() || stringAt(svc, "type") != "object-store") continue;
    const auto endpoints = svc.find("endpoints");
    if (endpoints == svc.end() || !endpoints->is_array()) continue;
    for (const auto& ep : *endpoints) {
      if (!ep.is_object() || stringAt(ep, "interface") != interface) continue;
      std::string epRegion = stringAt(ep, "region_id");
      if (!ep.contains("region_id")) epRegion = stringAt(ep, "region");
      if (!region.empty() && epRegion != region) continue;
      const std::string url = stringAt(ep, "url");
      if (!url.empty()) return url;
      break;  // as before: the first matching endpoint of a service decides
    }
  }
  return "";
}

}  // namespace td::storage::detail

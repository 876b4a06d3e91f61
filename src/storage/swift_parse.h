// src/storage/swift_parse.h — internal: parsers of Swift's and Keystone's JSON answers, apart
// from the HTTP code so that they can be tested and fuzzed on bytes in memory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/storage/swift.h"

namespace td::storage::detail {

/// Parses one page of a container listing (GET ?format=json) and appends its objects to `out`
/// (subdir entries are skipped). Returns the marker for the next page: the last entry's name, or
/// "" when the page is empty (the listing is complete). Throws IoError naming `what` when the
/// body is not a JSON array of objects with a string "name", integer "bytes" and string "hash".
std::string parseListingPage(std::string_view body, const std::string& what,
                             std::vector<ObjectInfo>& out);

/// The object-store endpoint URL in a Keystone v3 token response (POST /v3/auth/tokens): the
/// first catalog entry of type "object-store" with an endpoint of `interface` (and `region`,
/// unless empty). Returns "" when the catalog has none; throws IoError when the body is not JSON
/// or has no "token" object. Catalog entries of the wrong JSON type are skipped.
std::string findObjectStoreEndpoint(std::string_view body, const std::string& interface,
                                    const std::string& region);

}  // namespace td::storage::detail

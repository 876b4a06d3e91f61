// fuzz/swift_auth_fuzz.cc — the parser of a Keystone v3 token response (the service catalog),
// with and without a region to match.
#include "fuzz_common.h"
#include "storage/swift_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = td::fuzz::text(data, size);
  td::fuzz::expectCleanRejection(
      [&] { (void)td::storage::detail::findObjectStoreEndpoint(body, "public", ""); });
  td::fuzz::expectCleanRejection(
      [&] { (void)td::storage::detail::findObjectStoreEndpoint(body, "internal", "RegionOne"); });
  return 0;
}

// fuzz/swift_listing_fuzz.cc — the parser of a Swift container listing page (format=json).
#include "fuzz_common.h"
#include "storage/swift_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<td::storage::ObjectInfo> out;
  td::fuzz::expectCleanRejection([&] {
    (void)td::storage::detail::parseListingPage(td::fuzz::text(data, size), "swift://c/p", out);
  });
  return 0;
}

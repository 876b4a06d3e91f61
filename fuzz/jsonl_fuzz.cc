// fuzz/jsonl_fuzz.cc — the JSON Lines reader (whole text and chunked; FAILFAST, and PERMISSIVE
// and DROPMALFORMED, whose frames must hold only valid UTF-8 without NUL) and the vector JSON
// parser on arbitrary bytes.
#include <algorithm>

#include "fuzz_common.h"
#include "thunderdome/io/jsonl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = td::fuzz::text(data, size);
  td::fuzz::expectCleanRejection([&] { (void)td::readJsonlString(body, {}, "fuzz.jsonl"); });
  td::fuzz::expectCleanRejection([&] {
    (void)td::readJsonlStream(
        [&](const std::function<void(std::string_view)>& sink) {
          for (std::size_t i = 0; i < body.size(); i += 7)
            sink(body.substr(i, std::min<std::size_t>(7, body.size() - i)));
        },
        {}, "fuzz.jsonl");
  });
  for (const auto readMode : {td::ReadMode::kPermissive, td::ReadMode::kDropMalformed}) {
    td::JsonlOptions o;
    o.mode = readMode;
    td::fuzz::expectCleanRejection(
        [&] { td::fuzz::expectCleanText(td::readJsonlString(body, o, "fuzz.jsonl")); });
  }
  td::JsonVector v;
  std::string why;
  (void)td::parseVectorJson(body, v, &why);
  return 0;
}

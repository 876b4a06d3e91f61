// fuzz/libsvm_fuzz.cc — the LibSVM reader (whole text and chunked) on arbitrary bytes; the
// first byte chooses numFeatures (0 = inferred).
#include <algorithm>

#include "fuzz_common.h"
#include "thunderdome/io/libsvm.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  td::LibSvmOptions o;
  o.numFeatures = data[0] < 128 ? 0 : data[0] - 120;
  const std::string_view body = td::fuzz::text(data + 1, size - 1);
  td::fuzz::expectCleanRejection([&] { (void)td::readLibSvmString(body, o, "fuzz.libsvm"); });
  td::fuzz::expectCleanRejection([&] {
    (void)td::readLibSvmStream(
        [&](const std::function<void(std::string_view)>& sink) {
          for (std::size_t i = 0; i < body.size(); i += 5)
            sink(body.substr(i, std::min<std::size_t>(5, body.size() - i)));
        },
        o, "fuzz.libsvm");
  });
  return 0;
}

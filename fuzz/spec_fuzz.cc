// fuzz/spec_fuzz.cc — the pipeline spec parser (parsePipelineSpec) on arbitrary bytes.
#include "fuzz_common.h"
#include "thunderdome/spec/pipeline_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  td::fuzz::expectCleanRejection(
      [&] { (void)td::parsePipelineSpec(td::fuzz::text(data, size), "fuzz.json"); });
  return 0;
}

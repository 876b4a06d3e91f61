// fuzz/csv_fuzz.cc — the CSV/TSV reader (readCsvString and the chunked readCsvStream) on
// arbitrary bytes. The first byte picks options (separator, header, quoting, inference), so
// that every mode is reached; the rest is the file. The whole text is also read under
// PERMISSIVE and DROPMALFORMED (as UTF-8 and as Latin-1), whose frames must hold only valid
// UTF-8 without NUL.
#include <algorithm>

#include "fuzz_common.h"
#include "thunderdome/io/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view body = td::fuzz::text(data + 1, size - 1);
  td::CsvOptions o;
  o.sep = (mode & 1) ? '\t' : ',';
  o.header = !(mode & 2);
  if (mode & 4) o.quote.reset();
  if (mode & 8) o.escape = '\\';
  o.inferSchema = !(mode & 16);
  if (mode & 32) o.nullValue = "NA";
  td::fuzz::expectCleanRejection([&] { (void)td::readCsvString(body, o, "fuzz.csv"); });
  // The same text in small chunks: split points inside quotes, CRLF and the BOM.
  const std::size_t step = 1 + (mode >> 6) * 3;
  td::fuzz::expectCleanRejection([&] {
    (void)td::readCsvStream(
        [&](const std::function<void(std::string_view)>& sink) {
          for (std::size_t i = 0; i < body.size(); i += step)
            sink(body.substr(i, std::min(step, body.size() - i)));
        },
        o, "fuzz.csv");
  });
  for (const auto readMode : {td::ReadMode::kPermissive, td::ReadMode::kDropMalformed}) {
    o.mode = readMode;
    o.encoding = (mode & 64) ? td::TextEncoding::kLatin1 : td::TextEncoding::kUtf8;
    td::fuzz::expectCleanRejection(
        [&] { td::fuzz::expectCleanText(td::readCsvString(body, o, "fuzz.csv")); });
  }
  return 0;
}

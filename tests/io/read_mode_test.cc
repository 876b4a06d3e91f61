// tests/io/read_mode_test.cc — the text policy of the CSV and JSON Lines readers: invalid UTF-8
// and NUL bytes, the wrong number of fields, Spark's `mode` (FAILFAST, PERMISSIVE,
// DROPMALFORMED) and `encoding` options, and the counts they report.
#include "thunderdome/io/read_mode.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "thunderdome/core/error.h"
#include "thunderdome/io/csv.h"
#include "thunderdome/io/jsonl.h"
#include "../testing/io_helpers.h"

namespace td {
namespace {

using td::testing::messageOf;
using namespace std::string_literals;

const std::string kFffd = "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, as UTF-8

CsvOptions csvMode(ReadMode mode, ReadCounts* counts = nullptr) {
  CsvOptions o;
  o.mode = mode;
  o.counts = counts;
  return o;
}

JsonlOptions jsonlMode(ReadMode mode, ReadCounts* counts = nullptr) {
  JsonlOptions o;
  o.mode = mode;
  o.counts = counts;
  return o;
}

// Feeds `text` to `sink` one byte at a time.
ChunkSource byteByByte(const std::string& text) {
  return [text](const ChunkSink& sink) {
    for (const char c : text) sink(std::string_view(&c, 1));
  };
}

TEST(ReadModeTest, NamesFollowSparkAndRejectOthers) {
  EXPECT_EQ(readModeFromName("FAILFAST"), ReadMode::kFailFast);
  EXPECT_EQ(readModeFromName("permissive"), ReadMode::kPermissive);
  EXPECT_EQ(readModeFromName("DropMalformed"), ReadMode::kDropMalformed);
  EXPECT_EQ(toString(ReadMode::kDropMalformed), "DROPMALFORMED");
  EXPECT_EQ(messageOf<ParamError>([] { readModeFromName("lenient"); }),
            "reader option 'mode' must be FAILFAST, PERMISSIVE or DROPMALFORMED, got \"lenient\"");
  EXPECT_EQ(encodingFromName("utf8"), TextEncoding::kUtf8);
  EXPECT_EQ(encodingFromName("ISO-8859-1"), TextEncoding::kLatin1);
  EXPECT_EQ(encodingFromName("Latin1"), TextEncoding::kLatin1);
  EXPECT_EQ(messageOf<ParamError>([] { encodingFromName("UTF-16"); }),
            "reader option 'encoding' must be UTF-8 or ISO-8859-1 (latin1), got \"UTF-16\"");
}

TEST(ReadModeTest, CsvInvalidUtf8IsAnErrorNamingLineFieldColumnAndByte) {
  const std::string text = "id,text,label\n1,good,1\n2,bad\xFF here,0\n";
  EXPECT_EQ(messageOf<DataError>([&] { readCsvString(text, {}, "data.csv"); }),
            "data.csv, line 3: field 2 (column 'text'): invalid UTF-8 (byte 0xFF) at byte 3 of "
            "the value (the reader option mode=PERMISSIVE replaces such bytes with U+FFFD, "
            "mode=DROPMALFORMED drops the row, encoding=ISO-8859-1 reads Latin-1 text)");
}

TEST(ReadModeTest, CsvNulByteIsAnError) {
  const std::string text = "id,text\n1,a\0b\n"s;
  EXPECT_EQ(messageOf<DataError>([&] { readCsvString(text, {}, "nul.csv"); }).substr(0, 70),
            "nul.csv, line 2: field 2 (column 'text'): a NUL byte at byte 1 of the ");
}

TEST(ReadModeTest, CsvBadHeaderIsNamedAsAColumnName) {
  EXPECT_EQ(messageOf<DataError>([] { readCsvString("id,te\xC3xt\n1,a\n", {}, "h.csv"); })
                .substr(0, 75),
            "h.csv, line 1: field 2 (a column name): invalid UTF-8 (byte 0xC3) at byte 2");
}

TEST(ReadModeTest, CsvPermissiveReplacesEachBadSequenceWithOneReplacementCharacter) {
  // A truncated 3-byte sequence (E2 82) is one U+FFFD; C0 and AF are each invalid alone (two);
  // NUL becomes U+FFFD too. Valid multi-byte text (é, €) is kept.
  const std::string text = "id,text\n1,a\xE2\x82z\n2,\xC0\xAF\n3,\xC3\xA9\xE2\x82\xAC\n4,n\0l\n"s;
  ReadCounts counts;
  const Frame f = readCsvString(text, csvMode(ReadMode::kPermissive, &counts), "p.csv");
  const auto& t = f.col<StringColumn>("text");
  ASSERT_EQ(f.numRows(), 4);
  EXPECT_EQ(t[0], "a" + kFffd + "z");
  EXPECT_EQ(t[1], kFffd + kFffd);
  EXPECT_EQ(t[2], "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(t[3], "n" + kFffd + "l");
  EXPECT_EQ(counts.valuesRepaired, 3);
  EXPECT_EQ(counts.rowsDropped, 0);
  EXPECT_EQ(counts.firstProblem.substr(0, 40), "p.csv, line 2: field 2 (column 'text'): ");
  EXPECT_EQ(counts.summary().substr(0, 75),
            "3 values with invalid UTF-8 or NUL repaired to U+FFFD (mode PERMISSIVE; the");
}

TEST(ReadModeTest, CsvBadBytesInAFieldWithEscapedQuotesAreFound) {
  // A quoted field with an escaped quote (doubled, or \" with escape '\\') and a truncated
  // 3-byte sequence: unescaping in place once left a stale byte that completed the sequence,
  // so the row passed as clean text (a fuzzer finding). PERMISSIVE repairs it, DROPMALFORMED
  // drops the row, FAILFAST names the field.
  for (const bool backslash : {false, true}) {
    SCOPED_TRACE(backslash ? "backslash escape" : "doubled quote");
    const std::string text =
        backslash ? "id,text\n1,\"x\\\"\xE2\xA7\"\n2,ok\n" : "id,text\n1,\"x\"\"\xE2\xA7\"\n2,ok\n";
    auto options = [&](ReadMode mode, ReadCounts* counts) {
      CsvOptions o = csvMode(mode, counts);
      if (backslash) o.escape = '\\';
      return o;
    };
    ReadCounts counts;
    const Frame f = readCsvString(text, options(ReadMode::kPermissive, &counts), "e.csv");
    ASSERT_EQ(f.numRows(), 2);
    EXPECT_EQ(f.col<StringColumn>("text")[0], "x\"" + kFffd);
    EXPECT_EQ(counts.valuesRepaired, 1);
    const Frame d = readCsvString(text, options(ReadMode::kDropMalformed, nullptr), "e.csv");
    ASSERT_EQ(d.numRows(), 1);
    EXPECT_EQ(d.col<StringColumn>("text")[0], "ok");
    try {
      (void)readCsvString(text, options(ReadMode::kFailFast, nullptr), "e.csv");
      FAIL() << "FAILFAST read a field with invalid UTF-8";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("e.csv, line 2: field 2 (column 'text'): invalid UTF-8"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(ReadModeTest, CsvDropMalformedDropsBadTextAndWrongWidthRowsAndKeepsLines) {
  const std::string text = "id,text\n1,ok\n2,b\xFF" "d\n3,too,many\n4\n5,fine\n";
  ReadCounts counts;
  const Frame f = readCsvString(text, csvMode(ReadMode::kDropMalformed, &counts), "d.csv");
  ASSERT_EQ(f.numRows(), 2);
  EXPECT_EQ(f.col<Int64Column>("id").values()[1], 5);
  EXPECT_EQ(counts.rowsDropped, 3);
  EXPECT_EQ(counts.firstProblem.substr(0, 17), "d.csv, line 3: fi");
  // The kept rows still point at their own lines.
  ASSERT_TRUE(f.origins());
  EXPECT_EQ(f.origins()->line, (std::vector<std::int64_t>{2, 6}));
}

TEST(ReadModeTest, CsvWrongWidthIsAnErrorByDefaultAndPaddedOrCutWhenPermissive) {
  const std::string text = "id,x,y\n1,0.5,a\n2,0.25\n3,1.5,b,extra\n";
  EXPECT_EQ(messageOf<DataError>([&] { readCsvString(text, {}, "w.csv"); }),
            "w.csv, line 3: malformed row: expected 3 fields but found 2 (the reader option "
            "mode=DROPMALFORMED drops such rows, mode=PERMISSIVE pads or cuts them)");
  ReadCounts counts;
  const Frame f = readCsvString(text, csvMode(ReadMode::kPermissive, &counts), "w.csv");
  ASSERT_EQ(f.numRows(), 3);
  EXPECT_EQ(f.col<StringColumn>("y")[1], "");
  EXPECT_EQ(f.col<StringColumn>("y")[2], "b");
  EXPECT_EQ(f.col<DoubleColumn>("x")[2], 1.5);
  EXPECT_EQ(counts.rowsRepaired, 2);
}

TEST(ReadModeTest, CsvLatin1IsTranscodedAlsoWhenStreamedByteByByte) {
  const std::string text = "id,text\n1,caf\xE9\n2,\xA3 5\n";
  CsvOptions o;
  o.encoding = TextEncoding::kLatin1;
  for (const Frame& f : {readCsvString(text, o), readCsvStream(byteByByte(text), o)}) {
    ASSERT_EQ(f.numRows(), 2);
    EXPECT_EQ(f.col<StringColumn>("text")[0], "caf\xC3\xA9");
    EXPECT_EQ(f.col<StringColumn>("text")[1], "\xC2\xA3 5");
  }
}

TEST(ReadModeTest, CsvStreamingGivesTheSameRepairsAsAWholeBuffer) {
  const std::string text = "id,text\n1,\xE2\x82\n2,\xF0\x9F\x98\x80ok\n";  // cut sequence, then an emoji
  const auto o = csvMode(ReadMode::kPermissive);
  const Frame whole = readCsvString(text, o);
  const Frame streamed = readCsvStream(byteByByte(text), o);
  EXPECT_EQ(whole.col<StringColumn>("text")[0], kFffd);
  EXPECT_EQ(streamed.col<StringColumn>("text")[0], kFffd);
  EXPECT_EQ(streamed.col<StringColumn>("text")[1], "\xF0\x9F\x98\x80ok");
}

TEST(ReadModeTest, CsvValidTextWithLongAsciiRunsPassesTheFastPath) {
  // Bad bytes at every position of an 8-byte word are found.
  for (int k = 0; k < 17; ++k) {
    std::string value(17, 'a');
    value[static_cast<std::size_t>(k)] = '\x80';
    const std::string msg =
        messageOf<DataError>([&] { readCsvString("t\n" + value + "\n", {}, "f.csv"); });
    EXPECT_NE(msg.find("at byte " + std::to_string(k) + " of the value"), std::string::npos)
        << msg;
  }
}

TEST(ReadModeTest, JsonlInvalidUtf8IsAnErrorNamingLineAndByte) {
  const std::string text = "{\"text\":\"ok\"}\n{\"text\":\"b\xFF\"}\n";
  EXPECT_EQ(messageOf<DataError>([&] { readJsonlString(text, {}, "d.jsonl"); }),
            "d.jsonl, line 2: invalid UTF-8 (byte 0xFF) at byte 10 of the line (the reader "
            "option mode=PERMISSIVE replaces such bytes with U+FFFD, mode=DROPMALFORMED drops "
            "the line, encoding=ISO-8859-1 reads Latin-1 text)");
}

TEST(ReadModeTest, JsonlEscapedNulIsAnErrorNamingTheKey) {
  const std::string text = "{\"id\":1,\"text\":\"a\\u0000b\"}\n";
  EXPECT_EQ(messageOf<DataError>([&] { readJsonlString(text, {}, "n.jsonl"); }).substr(0, 70),
            "n.jsonl, line 1: key 'text': a NUL character (\\u0000) in the text (the");
  // An escaped backslash before "u0000" is not a NUL.
  const Frame f = readJsonlString("{\"text\":\"a\\\\u0000b\"}\n");
  EXPECT_EQ(f.col<StringColumn>("text")[0], "a\\u0000b");
}

TEST(ReadModeTest, JsonlPermissiveRepairsAndDropMalformedDropsBadAndInvalidLines) {
  const std::string text =
      "{\"id\":1,\"text\":\"x\xFFy\"}\n{\"id\":2,\"text\":\"a\\u0000\"}\n{\"id\":3,\n"
      "{\"id\":4,\"text\":\"fine\"}\n";
  ReadCounts repaired;
  EXPECT_EQ(messageOf<DataError>(
                [&] { readJsonlString(text, jsonlMode(ReadMode::kPermissive, &repaired)); })
                .substr(0, 33),
            "<string>, line 3: invalid JSON: [");
  const std::string valid = text.substr(0, text.find("{\"id\":3")) + "{\"id\":4,\"text\":\"fine\"}\n";
  const Frame p = readJsonlString(valid, jsonlMode(ReadMode::kPermissive, &repaired));
  ASSERT_EQ(p.numRows(), 3);
  EXPECT_EQ(p.col<StringColumn>("text")[0], "x" + kFffd + "y");
  EXPECT_EQ(p.col<StringColumn>("text")[1], "a" + kFffd);
  EXPECT_EQ(repaired.valuesRepaired, 2);

  ReadCounts dropped;
  const Frame d = readJsonlString(text, jsonlMode(ReadMode::kDropMalformed, &dropped), "m.jsonl");
  ASSERT_EQ(d.numRows(), 1);
  EXPECT_EQ(d.col<Int64Column>("id").values()[0], 4);
  EXPECT_EQ(dropped.rowsDropped, 3);
  EXPECT_EQ(d.origins()->line, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(dropped.summary().substr(0, 63),
            "3 malformed rows dropped (mode DROPMALFORMED; the first: m.json");
}

TEST(ReadModeTest, JsonlLatin1IsTranscoded) {
  JsonlOptions o;
  o.encoding = TextEncoding::kLatin1;
  const Frame f = readJsonlString("{\"text\":\"na\xEFve\"}\n", o);
  EXPECT_EQ(f.col<StringColumn>("text")[0], "na\xC3\xAFve");
}

}  // namespace
}  // namespace td

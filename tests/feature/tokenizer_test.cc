// tests/feature/tokenizer_test.cc
#include "thunderdome/feature/tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/core/error.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> row(const Frame& f, const std::string& col, std::int64_t i) {
  auto span = f.col<StringArrayColumn>(col)[i];
  return {span.begin(), span.end()};
}

TEST(TokenizerTest, JavaSplitSemantics) {
  // Spark: toLowerCase then split("\\s"): empty tokens kept, trailing dropped.
  EXPECT_THAT(Tokenizer::tokenize("  a  b "), ElementsAre("", "", "a", "", "b"));
  EXPECT_THAT(Tokenizer::tokenize(""), ElementsAre(""));
  EXPECT_THAT(Tokenizer::tokenize("a\tb\nc"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Tokenizer::tokenize("   "), ElementsAre());
  EXPECT_THAT(Tokenizer::tokenize("Hi I heard about Spark"),
              ElementsAre("hi", "i", "heard", "about", "spark"));
  // NBSP (U+00A0) is not a separator for Java's \s.
  EXPECT_THAT(Tokenizer::tokenize("a\xC2\xA0" "b"), ElementsAre("a\xC2\xA0" "b"));
}

TEST(TokenizerTest, LowercasesUnicodeLikeJava) {
  EXPECT_EQ(toLowerUtf8("\xC3\x89T\xC3\x89"), "\xC3\xA9t\xC3\xA9");  // ÉTÉ -> été
  EXPECT_EQ(toLowerUtf8("\xD0\x9C\xD0\xB8\xD1\x80"), "\xD0\xBC\xD0\xB8\xD1\x80");  // Мир -> мир
  EXPECT_EQ(toLowerUtf8("\xCE\xA3"), "\xCF\x83");  // Σ -> σ
}

TEST(TokenizerTest, RandomBytesSplitAsLowercaseThenJavaSplit) {
  // Random bytes (ASCII letters, every whitespace, Latin-1/Greek/Cyrillic 2-byte sequences,
  // overlong encodings of whitespace and letters, stray and 3-byte lead bytes) split as Java's
  // text.toLowerCase.split("\\s"): lowercase first, then split, trailing empties dropped.
  auto reference = [](std::string_view text) {
    const std::string lower = toLowerUtf8(text);
    std::vector<std::string> parts{""};
    for (const char c : lower) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\x0B' || c == '\f' || c == '\r')
        parts.emplace_back();
      else
        parts.back() += c;
    }
    if (lower.empty()) return parts;
    while (!parts.empty() && parts.back().empty()) parts.pop_back();
    return parts;
  };
  const std::vector<std::string> pieces = {
      "A", "z", "Q", " ", "\t", "\n", "\x0B", "\f", "\r", "\xC3\x89", "\xCE\xA3", "\xD0\x9C",
      "\xC1\x81", "\xC0\x89", "\xC0\xA0", "\xC3", "\xE6\x97\xA5", "\xFF", "\xC5\xB8", "7"};
  std::uint64_t state = 12345;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string text;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int len = static_cast<int>((state >> 33) % 12);
    for (int j = 0; j < len; ++j) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text += pieces[(state >> 33) % pieces.size()];
    }
    ASSERT_EQ(Tokenizer::tokenize(text), reference(text)) << "text '" << text << "'";
  }
}

TEST(TokenizerTest, TransformAddsArrayColumn) {
  const Frame f({{"text", makeStringColumn({"Hi I heard about Spark", "Logistic,regression"})}});
  Tokenizer tok;
  tok.setInputCol("text").setOutputCol("words");
  const Frame out = tok.transform(f);
  EXPECT_EQ(out.schema().field("words").type, DataType::kStringArray);
  EXPECT_THAT(row(out, "words", 0), ElementsAre("hi", "i", "heard", "about", "spark"));
  EXPECT_THAT(row(out, "words", 1), ElementsAre("logistic,regression"));
}

TEST(TokenizerTest, ColumnMatchesPerRowSplitAcrossBlocks) {
  // Enough rows for several parallel blocks, with the edge cases of Java's split in between.
  const std::vector<std::string> odd{"", " ", "  a  b ", "A\tB\nC", "\xC3\x89T\xC3\x89 x", "\xC3",
                                     "\xC3 b", "a\xC2\xA0" "b", "trailing   ", "x"};
  std::vector<std::string> text;
  for (int i = 0; i < 2600; ++i) {
    std::string doc = odd[static_cast<std::size_t>(i) % odd.size()];
    for (int w = 0; w < i % 7; ++w) doc += " Word" + std::to_string((i * 31 + w) % 97);
    text.push_back(doc);
  }
  const Frame f({{"text", makeStringColumn(text)}});
  Tokenizer tok;
  tok.setInputCol("text").setOutputCol("words");
  const Frame out = tok.transform(f);
  ASSERT_EQ(out.numRows(), static_cast<std::int64_t>(text.size()));
  for (std::size_t i = 0; i < text.size(); ++i)
    ASSERT_EQ(row(out, "words", static_cast<std::int64_t>(i)), Tokenizer::tokenize(text[i]))
        << "row " << i;
  EXPECT_THAT(row(out, "words", 2), ElementsAre("", "", "a", "", "b", "", "word62", "word63"));
  EXPECT_THAT(row(out, "words", 0), ElementsAre(""));
}

TEST(TokenizerTest, DefaultOutputColIsUidOutput) {
  Tokenizer tok;
  EXPECT_EQ(tok.getOutputCol(), tok.uid() + "__output");
  EXPECT_THAT(tok.uid(), ::testing::StartsWith("tok_"));
}

TEST(TokenizerTest, SchemaErrorsNameStageAndColumn) {
  const Frame f({{"text", makeStringColumn({"a"})}, {"n", makeDoubleColumn({1.0})}});
  Tokenizer tok;
  tok.setInputCol("txt").setOutputCol("words");
  try {
    (void)tok.transform(f);
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Tokenizer " + tok.uid()));
    EXPECT_THAT(e.what(), HasSubstr("'txt' does not exist (available: text, n)"));
  }
  tok.setInputCol("n");
  try {
    (void)tok.transform(f);
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'n' must be of type string but is double"));
  }
  tok.setInputCol("text").setOutputCol("n");
  EXPECT_THROW((void)tok.transform(f), ColumnError);  // output exists
  Tokenizer noInput;
  EXPECT_THROW((void)noInput.transform(f), ParamError);  // inputCol unset
}

TEST(RegexTokenizerTest, DefaultsDropEmptyTokens) {
  const Frame f({{"s", makeStringColumn({"  a  b ", "Hi I heard"})}});
  RegexTokenizer rt;
  rt.setInputCol("s").setOutputCol("t");
  EXPECT_EQ(rt.getString("pattern"), "\\s+");
  EXPECT_TRUE(rt.getBool("gaps"));
  EXPECT_EQ(rt.getInt("minTokenLength"), 1);
  const Frame out = rt.transform(f);
  EXPECT_THAT(row(out, "t", 0), ElementsAre("a", "b"));
  EXPECT_THAT(row(out, "t", 1), ElementsAre("hi", "i", "heard"));
}

TEST(RegexTokenizerTest, MatchModeMinLengthAndCase) {
  // The Spark docs example: pattern "\\W" with gaps splits on non-word characters.
  const Frame f({{"s", makeStringColumn({"Logistic,regression,models,are,neat"})}});
  RegexTokenizer rt;
  rt.setInputCol("s").setOutputCol("t").setPattern("\\W");
  EXPECT_THAT(row(rt.transform(f), "t", 0),
              ElementsAre("logistic", "regression", "models", "are", "neat"));
  RegexTokenizer words;
  words.setInputCol("s").setOutputCol("t").setPattern("\\w+").setGaps(false)
      .setMinTokenLength(4).setToLowercase(false);
  EXPECT_THAT(row(words.transform(f), "t", 0),
              ElementsAre("Logistic", "regression", "models", "neat"));
}

TEST(RegexTokenizerTest, BadPatternIsParamError) {
  const Frame f({{"s", makeStringColumn({"x"})}});
  RegexTokenizer rt;
  rt.setInputCol("s").setPattern("(unclosed");
  try {
    (void)rt.transform(f);
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'pattern' given invalid value \"(unclosed\""));
  }
  EXPECT_THROW(rt.setMinTokenLength(-1), ParamError);
}

}  // namespace
}  // namespace td

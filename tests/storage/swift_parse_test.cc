// Tests of the Swift listing and Keystone token parsers (src/storage/swift_parse.h) on bytes in
// memory; inputs that escaped as raw nlohmann exceptions before are now IoErrors naming the
// entry (found by fuzz/swift_listing_fuzz.cc and fuzz/swift_auth_fuzz.cc).
#include "storage/swift_parse.h"

#include <gtest/gtest.h>

#include <functional>

#include "thunderdome/core/error.h"

namespace td::storage::detail {
namespace {

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "<no IoError>";
}

TEST(SwiftListingParse, ReadsObjectsAndReturnsTheLastNameAsMarker) {
  std::vector<ObjectInfo> out;
  const std::string marker =
      parseListingPage(R"([{"name":"d/a.csv","bytes":5,"hash":"5d41402abc4b2a76b9719d911017c592"},)"
                       R"({"subdir":"d/x/"},{"name":"d/b.csv","bytes":0,"content_type":"application/directory"}])",
                       "swift://c/d/", out);
  EXPECT_EQ(marker, "d/b.csv");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "d/a.csv");
  EXPECT_EQ(out[0].bytes, 5);
  EXPECT_EQ(out[0].hash, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(out[1].bytes, 0);
  EXPECT_EQ(out[1].hash, "");
  EXPECT_EQ(out[0].contentType, "");
  EXPECT_EQ(out[1].contentType, "application/directory");  // a directory marker, skipped in prefixes
}

TEST(SwiftListingParse, EmptyPageEndsTheListing) {
  std::vector<ObjectInfo> out;
  EXPECT_EQ(parseListingPage("[]", "swift://c/", out), "");
  EXPECT_TRUE(out.empty());
}

TEST(SwiftListingParse, WrongJsonTypesAreIoErrorsNamingTheEntry) {
  std::vector<ObjectInfo> out;
  // Before: nlohmann::type_error escaped from SwiftClient::list (not a thunderdome error).
  const auto e =
      errorOf([&] { parseListingPage(R"([{"name":1,"bytes":"5"}])", "swift://c/p", out); });
  EXPECT_NE(e.find("swift://c/p: listing entry 0 is malformed"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("bytes":"5")"), std::string::npos) << e;
  const auto e2 = errorOf([&] { parseListingPage(R"([{"name":"a"},3])", "swift://c/p", out); });
  EXPECT_NE(e2.find("listing entry 1 is not a JSON object"), std::string::npos) << e2;
  const auto e3 = errorOf([&] { parseListingPage(R"({"name":"a"})", "swift://c/p", out); });
  EXPECT_NE(e3.find("swift://c/p: listing is not a JSON array"), std::string::npos) << e3;
  const auto e4 = errorOf([&] { parseListingPage("[{", "swift://c/p", out); });
  EXPECT_NE(e4.find("swift://c/p: listing is not valid JSON"), std::string::npos) << e4;
  const auto e5 = errorOf([&] {
    parseListingPage(R"([{"name":"a","bytes":18446744073709551615}])", "swift://c/p", out);
  });
  EXPECT_NE(e5.find("listing entry 0 is malformed"), std::string::npos) << e5;
}

constexpr const char* kToken = R"({"token":{"catalog":[
  {"type":"identity","endpoints":[{"interface":"public","url":"http://k"}]},
  {"type":"object-store","endpoints":[
    {"interface":"internal","region_id":"RegionOne","url":"http://internal/v1/AUTH_p"},
    {"interface":"public","region_id":"RegionTwo","url":"http://two/v1/AUTH_p"},
    {"interface":"public","region":"RegionOne","url":"http://one/v1/AUTH_p"}]}]}})";

TEST(KeystoneTokenParse, FindsTheObjectStoreEndpointByInterfaceAndRegion) {
  EXPECT_EQ(findObjectStoreEndpoint(kToken, "public", ""), "http://two/v1/AUTH_p");
  EXPECT_EQ(findObjectStoreEndpoint(kToken, "public", "RegionOne"), "http://one/v1/AUTH_p");
  EXPECT_EQ(findObjectStoreEndpoint(kToken, "internal", ""), "http://internal/v1/AUTH_p");
  EXPECT_EQ(findObjectStoreEndpoint(kToken, "admin", ""), "");
}

TEST(KeystoneTokenParse, WrongJsonTypesAreSkippedOrIoErrors) {
  // Before: nlohmann::type_error escaped (catalog entries, endpoints or url of another type).
  EXPECT_EQ(
      findObjectStoreEndpoint(R"({"token":{"catalog":[1,{"type":"object-store","endpoints":[null,)"
                              R"({"interface":"public","region":5,"url":7},)"
                              R"({"interface":"public","url":"http://ok"}]}]}})",
                              "public", ""),
      "");
  EXPECT_EQ(
      findObjectStoreEndpoint(R"({"token":{"catalog":{"type":"object-store"}}})", "public", ""),
      "");
  const auto e = errorOf([] { findObjectStoreEndpoint(R"({"token":[]})", "public", ""); });
  EXPECT_NE(e.find("has no \"token\" object"), std::string::npos) << e;
  const auto e2 = errorOf([] { findObjectStoreEndpoint("[1]", "public", ""); });
  EXPECT_NE(e2.find("Keystone's token response is not valid JSON"), std::string::npos) << e2;
}

}  // namespace
}  // namespace td::storage::detail

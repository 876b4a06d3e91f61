// tests/testing/io_helpers.h — helpers shared by the I/O tests: a fresh temporary directory per
// test, checks on exception messages, gzip members and frames as comparable rows.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/frame/frame.h"

namespace td::testing {

/// Expects `f` to throw exactly `Ex` and returns its message (empty plus a failure otherwise).
template <class Ex, class F>
std::string messageOf(F&& f) {
  try {
    f();
  } catch (const Ex& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw the wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

/// One gzip member holding `data`, made with zlib.
inline std::string gzipBytes(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    ADD_FAILURE() << "deflateInit2 failed";
    return {};
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

/// Every row of `f` as "name=value|..." (column names included, so renamed columns differ).
inline std::vector<std::string> rowsOf(const Frame& f) {
  std::vector<std::string> rows;
  const auto names = f.columnNames();
  for (std::int64_t r = 0; r < f.numRows(); ++r) {
    std::string row;
    for (const auto& n : names) row += n + "=" + f.cellToString(r, n) + "|";
    rows.push_back(std::move(row));
  }
  return rows;
}

/// A fixture with a fresh directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("td_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  /// A path inside the test's directory.
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

}  // namespace td::testing

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

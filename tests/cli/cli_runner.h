// tests/cli/cli_runner.h — runs the command-line tool in-process, as a user would run it, and
// captures what it prints.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "app.h"

namespace td::cli::testing {

/// Exit code and the text printed on stdout and stderr.
struct Result {
  int code;
  std::string out, err;
};

/// `thunderdome args...`.
inline Result cli(std::vector<std::string> args) {
  args.insert(args.begin(), "thunderdome");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

}  // namespace td::cli::testing

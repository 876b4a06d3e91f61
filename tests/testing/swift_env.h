// tests/testing/swift_env.h — loads the test Swift server's env.sh into the environment.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace td::testing {

/// Path of the env.sh that scripts/swift/swift-test-server.sh writes.
inline std::string swiftEnvPath() {
  const char* dir = std::getenv("TD_SWIFT_DIR");
  return std::string(dir ? dir : "/tmp/td-swift") + "/env.sh";
}

/// Exports every `export NAME=value` line of env.sh (values as bash's printf %q writes them);
/// false when the file is missing (the server was not started).
inline bool loadSwiftEnv() {
  std::ifstream in(swiftEnvPath());
  if (!in.good()) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) != 0) continue;
    line = line.substr(7);
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string raw = line.substr(eq + 1), value;
    if (raw.size() >= 2 && raw.front() == '\'' && raw.back() == '\'') {
      value = raw.substr(1, raw.size() - 2);
    } else {
      for (std::size_t k = 0; k < raw.size(); ++k)
        value += raw[k] == '\\' && k + 1 < raw.size() ? raw[++k] : raw[k];
    }
    setenv(line.substr(0, eq).c_str(), value.c_str(), 1);
  }
  return true;
}

}  // namespace td::testing

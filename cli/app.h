// cli/app.h — the thunderdome command-line tool, callable in-process (tests) or from main.
#pragma once

#include <exception>
#include <iosfwd>

namespace td::cli {

/// Exit codes of the tool (documented in the README and in --help).
enum ExitCode : int {
  kExitOk = 0,       ///< Success.
  kExitOther = 1,    ///< Anything else (an internal error).
  kExitUsage = 2,    ///< Bad command line, bad spec, unknown or invalid parameter.
  kExitBadData = 3,  ///< Malformed rows, wrong columns or types, NaN, bad labels, single class.
  kExitIo = 4,       ///< A file, model or storage could not be read or written.
};

/// Runs the tool with `argv`; results go to `out`, diagnostics to `err`; returns the exit code.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

/// The exit code that an exception thrown by a command maps to.
int exitCodeFor(const std::exception& e);

}  // namespace td::cli

// cli/logging.h — the CLI's diagnostics logger (spdlog on the error stream).
#pragma once

#include <spdlog/logger.h>

#include <iosfwd>
#include <memory>

namespace td::cli {

/// A logger writing "[thunderdome] message" lines to `err`: warnings only when quiet
/// (verbosity -1), info by default, debug when verbose (1).
std::shared_ptr<spdlog::logger> makeLogger(std::ostream& err, int verbosity);

}  // namespace td::cli

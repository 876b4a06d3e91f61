// cli/logging.cc
#include "logging.h"

#include <spdlog/sinks/ostream_sink.h>

namespace td::cli {

std::shared_ptr<spdlog::logger> makeLogger(std::ostream& err, int verbosity) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
  auto logger = std::make_shared<spdlog::logger>("thunderdome", sink);
  logger->set_pattern("[thunderdome] %v");
  logger->set_level(verbosity < 0   ? spdlog::level::warn
                    : verbosity > 0 ? spdlog::level::debug
                                    : spdlog::level::info);
  return logger;
}

}  // namespace td::cli

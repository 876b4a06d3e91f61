// cli/options.h — reading data the way the CLI's users name it (Spark reader options).
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/io/frame_io.h"

namespace td::cli {

/// A schema from Spark's DDL form: "id bigint, text string, label double" (types: bigint, long,
/// int, double, float, string, array<string>, vector); throws ParamError naming the bad part.
Schema parseSchemaDdl(std::string_view ddl);

/// Reader options from the spec's "input" section overlaid with `--option key=value` flags,
/// using Spark's option names: header, sep, quote ("" = no quoting), escape, inferSchema,
/// schema, nullValue, numFeatures. Unknown keys and bad values are ParamErrors.
ReadOptions makeReadOptions(const std::map<std::string, std::string>& specInput,
                            const std::vector<std::string>& cliOptions,
                            const std::optional<std::string>& format);

/// readFrame(path, options); what the reader's mode repaired or dropped (PERMISSIVE,
/// DROPMALFORMED) becomes one line, e.g. "data.csv: 2 malformed rows dropped (...)", added to
/// `warnings` and printed to `err` at once (so that a later error does not hide it).
Frame readInput(const std::string& path, ReadOptions options, std::vector<std::string>& warnings,
                std::ostream& err);

/// `e` worded as a problem of the data read from `path` into `input` when it is about one of
/// the input's columns: "FILE has no column 'text' (it has: id, txt, label); ..." when the
/// column is missing, "FILE:2: column 'label' holds string values such as 'yes'; ..." when it
/// has the wrong type; `e` itself otherwise.
ColumnError asInputColumnError(const ColumnError& e, const Frame& input, const std::string& path);

/// The option names makeReadOptions accepts, for help texts.
const std::vector<std::string>& readerOptionNames();

}  // namespace td::cli

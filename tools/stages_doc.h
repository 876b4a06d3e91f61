// tools/stages_doc.h — docs/stages.md rendered from the registry (the one source of truth for
// the page: td_gen_stages_doc writes it, tests/registry/stages_doc_test.cc compares it).
#pragma once

#include <string>

namespace td::tools {

/// The whole docs/stages.md page: banner, contents, then every class of builtinStages() in
/// registry order with its kind, Spark class, summary and params table.
std::string stagesMarkdown();

}  // namespace td::tools

// tests/registry/stages_doc_test.cc — docs/stages.md equals what the registry renders.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "stages_doc.h"
#include "thunderdome/registry/registry.h"

namespace td {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(StagesDocTest, PageIsUpToDate) {
  const std::string page = tools::stagesMarkdown();
  const std::string file = slurp(TD_DOCS_DIR "/stages.md");
  if (page == file) return;
  // The first differing line, to say what changed.
  std::istringstream a(file), b(page);
  std::string la, lb;
  int line = 0;
  while (true) {
    ++line;
    const bool ha = static_cast<bool>(std::getline(a, la));
    const bool hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) break;
    if (ha != hb || la != lb) break;
  }
  FAIL() << "docs/stages.md is stale: run tools/gen_stages_doc.sh\nfirst difference at line "
         << line << ":\n  docs/stages.md: " << la << "\n  registry:       " << lb;
}

TEST(StagesDocTest, EveryClassHasASection) {
  const std::string page = tools::stagesMarkdown();
  for (const auto& info : builtinStages()) {
    EXPECT_NE(page.find("\n## " + info.name + "\n"), std::string::npos) << info.name;
    EXPECT_NE(page.find(info.sparkClass), std::string::npos) << info.name;
    for (const auto& spec : *info.params)
      EXPECT_NE(page.find("| `" + spec.name + "` |"), std::string::npos)
          << info.name << "." << spec.name;
  }
}

}  // namespace
}  // namespace td

// tools/gen_stages_doc.cc — td_gen_stages_doc: prints docs/stages.md (rendered from the
// registry by stagesMarkdown) to stdout, or writes it to the file given as the one argument.
#include <fstream>
#include <iostream>

#include "stages_doc.h"

int main(int argc, char** argv) {
  const std::string page = td::tools::stagesMarkdown();
  if (argc < 2) {
    std::cout << page;
    return 0;
  }
  std::ofstream out(argv[1], std::ios::binary);
  out << page;
  if (!out) {
    std::cerr << "td_gen_stages_doc: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}

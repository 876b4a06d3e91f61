// fuzz/model_fuzz.cc — the model loader on an arbitrary file tree: the metadata JSON of each
// stage and the binary arrays (data/*.f64le). The input is the tree as "@@ path\n" lines, each
// followed by that file's bytes (fuzz/corpus/model/ holds saved models in this form). The tree
// goes through deserializeStage (manifest sizes and checksums) and, since random bytes rarely
// pass a checksum, straight into the per-stage reader behind it.
#include <string>

#include "fuzz_common.h"
#include "persist/stage_io.h"
#include "thunderdome/persist/persist.h"

namespace {

// "@@ path\n" starts a file; its bytes run up to the "\n" before the next "@@ " line (or to the
// end of the input, less one final "\n").
td::FileTree parseTree(std::string_view in) {
  td::FileTree files;
  std::size_t pos = in.substr(0, 3) == "@@ " ? 0 : in.find("\n@@ ");
  if (pos != std::string_view::npos && pos > 0) ++pos;
  while (pos != std::string_view::npos && pos < in.size()) {
    const std::size_t eol = in.find('\n', pos);
    if (eol == std::string_view::npos) break;
    const std::string path(in.substr(pos + 3, eol - pos - 3));
    std::size_t next = in.find("\n@@ ", eol);
    std::string_view bytes;  // empty when the next header follows at once
    if (next == std::string_view::npos) bytes = in.substr(eol + 1);
    else if (next > eol) bytes = in.substr(eol + 1, next - eol - 1);
    if (next == std::string_view::npos && !bytes.empty() && bytes.back() == '\n')
      bytes.remove_suffix(1);
    files[path] = std::string(bytes);
    pos = next == std::string_view::npos ? next : next + 1;
  }
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const td::FileTree files = parseTree(td::fuzz::text(data, size));
  td::fuzz::expectCleanRejection([&] { (void)td::deserializeStage(files, "fuzz-model"); });
  td::fuzz::expectCleanRejection([&] { (void)td::persist::readStage(files, "", "fuzz-model"); });
  return 0;
}

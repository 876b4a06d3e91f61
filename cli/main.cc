// cli/main.cc — the thunderdome executable. It owns MPI's lifetime: MPI is initialised only
// when built with it and started by an MPI launcher (mpirun, srun), so plain runs stay MPI-free.
#include <iostream>

#include "app.h"
#include "thunderdome/core/memory.h"
#include "thunderdome/dist/communicator.h"

int main(int argc, char** argv) {
  td::useHugePageMalloc(argv);  // may re-execute this program once, before anything starts
  td::limitHeapRetention();
  td::dist::initWorld(&argc, &argv);
  const int code = td::cli::run(argc, argv, std::cout, std::cerr);
  std::cout.flush();
  td::dist::finalizeWorld();
  return code;
}

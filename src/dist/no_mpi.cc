// src/dist/no_mpi.cc — the world without MPI (TD_WITH_MPI off): always one local process.
#include "thunderdome/dist/communicator.h"

namespace td::dist {

bool builtWithMpi() { return false; }
bool initWorld(int*, char***) { return false; }
void finalizeWorld() {}
std::shared_ptr<Communicator> makeWorldCommunicator() { return std::make_shared<LocalCommunicator>(); }

}  // namespace td::dist

// cli/main.cc — the thunderdome executable.
#include <iostream>

#include "app.h"

int main(int argc, char** argv) { return td::cli::run(argc, argv, std::cout, std::cerr); }

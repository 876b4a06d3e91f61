// src/core/work_counters.cc
#include "thunderdome/core/work_counters.h"

namespace td {

WorkCounters& workCounters() {
  static WorkCounters counters;
  return counters;
}

}  // namespace td

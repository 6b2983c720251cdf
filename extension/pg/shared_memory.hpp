// costsim's shared memory (only when the library is preloaded): each part asks for its area from _PG_init; one
// pair of hooks requests them all and attaches each at startup, under AddinShmemInitLock.
#pragma once

extern "C" {
#include "postgres.h"
}

namespace costsim::pg {

struct SharedArea {
    const char* name;            // its ShmemInitStruct name
    Size size;
    const char* lwlock_tranche;  // a named tranche of one LWLock to request with it, or nullptr
    // Called in every process that attaches, with the area and whether it existed already (false: initialise it).
    void (*attach)(void* area, bool found);
};

// From _PG_init, while shared_preload_libraries are loaded.
void request_shared_area(const SharedArea& area);

}  // namespace costsim::pg

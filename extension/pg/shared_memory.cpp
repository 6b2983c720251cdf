#include "pg/shared_memory.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

namespace costsim::pg {
namespace {

constexpr int max_areas = 8;
SharedArea areas[max_areas];
int area_count = 0;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

void request_areas()
{
    if (previous_request_hook) previous_request_hook();
    for (int i = 0; i < area_count; ++i) {
        RequestAddinShmemSpace(areas[i].size);
        if (areas[i].lwlock_tranche) RequestNamedLWLockTranche(areas[i].lwlock_tranche, 1);
    }
}

void attach_areas()
{
    if (previous_startup_hook) previous_startup_hook();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    for (int i = 0; i < area_count; ++i) {
        bool found = false;
        void* area = ShmemInitStruct(areas[i].name, areas[i].size, &found);
        areas[i].attach(area, found);
    }
    LWLockRelease(AddinShmemInitLock);
}

}  // namespace

void request_shared_area(const SharedArea& area)
{
    if (area_count == max_areas) elog(ERROR, "costsim: more than %d shared memory areas", max_areas);
    if (area_count == 0) {
        previous_request_hook = shmem_request_hook;
        shmem_request_hook = request_areas;
        previous_startup_hook = shmem_startup_hook;
        shmem_startup_hook = attach_areas;
    }
    areas[area_count++] = area;
}

}  // namespace costsim::pg

// The costsim background worker: leadership, the breaker's timer, alert delivery. See worker.cpp.
#pragma once

namespace costsim::worker {

// From _PG_init, when preloaded: shared memory and costsim.worker_count registered workers.
void install();

}  // namespace costsim::worker

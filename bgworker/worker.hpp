// The costsim background worker: leadership, the breaker's timer, alert delivery. See worker.cpp.
#pragma once

namespace costsim::worker {

// From _PG_init, when preloaded: shared memory and costsim.worker_count registered workers.
void install();

// Alert posts that failed since the server started (0 without shared memory): costsim_alert_send_failures_total.
long long alert_send_failures() noexcept;

}  // namespace costsim::worker

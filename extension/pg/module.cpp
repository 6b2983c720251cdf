// The module: what PostgreSQL calls when it loads costsim.so.
#include "bgworker/worker.hpp"
#include "pg/breaker.hpp"
#include "pg/coefficients.hpp"
#include "pg/metrics_shmem.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

PG_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void)
{
    costsim::pg::settings::define();
    costsim::pg::coefficients_cache_install();
    costsim::pg::breaker_cache_install();
    // Shared memory (metrics, the breaker's windows) exists only when the library is preloaded; otherwise the
    // metrics view says so, and the breaker opens only by hand.
    if (process_shared_preload_libraries_in_progress) {
        costsim::pg::metrics_install_hooks();
        costsim::pg::breaker_install_hooks();
        costsim::worker::install();
    }
}
}

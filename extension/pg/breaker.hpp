// The V2 circuit breaker on the sandbox path (spec section 7): whether V2 may run, from a per-backend cache of
// costsim.circuit_breakers that a statement trigger invalidates at commit (no table read per call); and the
// cluster-wide windows, in shared memory, of recent drift scores and V2 errors that open the breaker.
#pragma once

namespace costsim::pg {

// C phase: whether the breaker is closed (loads the cache after a change; may raise while loading).
bool v2_breaker_closed();
// The same for the production path, never raising: false (V2 not shadowed, the cause logged) if loading fails.
bool v2_may_shadow();

// C phase, after a shadow evaluation: adds to the windows and, when a rule trips, opens the breaker in a
// subtransaction (a failure there is logged, never raised: the production answer does not depend on it).
void breaker_observe_drift(double drift_score);
void breaker_observe_v2_error();

void breaker_install_hooks();  // from _PG_init, when preloaded: the shared windows
void breaker_cache_install();  // from _PG_init: the relcache callback

}  // namespace costsim::pg

// The trigger behind the per-backend caches of table rows (V2 coefficient sets, the breaker's state): a statement
// trigger on the table sends a relcache invalidation at commit, and each cache drops itself when it sees it.
extern "C" {
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/inval.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(costsim_table_changed);
// costsim.breaker_changed() (and any later cache's trigger): every backend drops its cache once this commits.
Datum costsim_table_changed(PG_FUNCTION_ARGS)
{
    if (!CALLED_AS_TRIGGER(fcinfo)) elog(ERROR, "costsim: a cache invalidation trigger must be called as a trigger");
    CacheInvalidateRelcacheByRelid(RelationGetRelid(((TriggerData*)fcinfo->context)->tg_relation));
    return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(costsim_coefficients_changed);
// costsim.coefficients_changed(), the name 0.1 gave this trigger on costsim.v2_coefficients.
Datum costsim_coefficients_changed(PG_FUNCTION_ARGS) { return costsim_table_changed(fcinfo); }
}

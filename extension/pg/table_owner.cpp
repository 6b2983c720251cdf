#include "pg/table_owner.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace costsim::pg {

SavedUser become_owner_of(const char* table)
{
    const Oid relid = get_relname_relid(table, get_namespace_oid("costsim", false));
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "costsim: table costsim.%s not found", table);
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    SavedUser saved;
    GetUserIdAndSecContext(&saved.user, &saved.security_context);
    SetUserIdAndSecContext(owner, saved.security_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    return saved;
}

void restore_user(const SavedUser& saved) { SetUserIdAndSecContext(saved.user, saved.security_context); }

}  // namespace costsim::pg

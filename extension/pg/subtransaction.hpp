// Work that must never disturb the caller: run in a subtransaction, its failure caught and reported as text.
#pragma once

extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

namespace costsim::pg {

// Runs `call` (C calls into PostgreSQL, no object with a non-trivial destructor) in a subtransaction. On an
// ERROR the subtransaction is rolled back and its message returned (in the caller's memory context); nullptr
// when the call succeeded. Never raises.
template <class CCall>
const char* in_subtransaction(CCall&& call)
{
    MemoryContext caller_context = CurrentMemoryContext;
    ResourceOwner caller_owner = CurrentResourceOwner;
    const char* volatile failure = nullptr;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(caller_context);
    PG_TRY();
    {
        call();
        ReleaseCurrentSubTransaction();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        ErrorData* error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
        failure = error->message;
    }
    PG_END_TRY();
    MemoryContextSwitchTo(caller_context);
    CurrentResourceOwner = caller_owner;
    return failure;
}

}  // namespace costsim::pg

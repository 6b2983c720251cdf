#include <cstring>

#include "pg/boundary.hpp"
#include "pg/metrics_shmem.hpp"

extern "C" {
#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
}


namespace costsim::pg {

PgError::PgError(int sqlstate, const char* message) noexcept : sqlstate_(sqlstate)
{
    strlcpy(message_, message ? message : "", sizeof message_);
}

void Failure::set(int code, const char* text) noexcept
{
    sqlstate = code;
    std::strncpy(message, text ? text : "", sizeof message - 1);
    message[sizeof message - 1] = '\0';
}

int sqlstate_of(ErrorKind kind) noexcept
{
    switch (kind) {
    case ErrorKind::invalid_input: return ERRCODE_INVALID_PARAMETER_VALUE;
    case ErrorKind::limit_exceeded: return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    case ErrorKind::internal: return ERRCODE_INTERNAL_ERROR;
    }
    return ERRCODE_INTERNAL_ERROR;
}

void raise(const Failure& failure, Counting counting)
{
    const bool bad_input = failure.sqlstate == ERRCODE_INVALID_PARAMETER_VALUE ||
                           failure.sqlstate == ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    if (counting == Counting::schema_errors && bad_input) metrics_count_schema_error();
    ereport(ERROR, (errcode(failure.sqlstate), errmsg("%s", failure.message)));
    pg_unreachable();
}

const char* text_argument(FunctionCallInfo fcinfo, int n)
{
    return PG_ARGISNULL(n) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

TupleDesc result_descriptor(FunctionCallInfo fcinfo)
{
    TupleDesc descriptor;
    if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "costsim: function returning a record called in a context that cannot accept one");
    return BlessTupleDesc(descriptor);
}

Datum result_row(TupleDesc descriptor, Datum* values, bool* nulls)
{
    return HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls));
}

void* allocate(std::size_t bytes, MemoryContext context)
{
    void* memory = MemoryContextAllocExtended(context, bytes, MCXT_ALLOC_NO_OOM);
    if (!memory) throw std::bad_alloc();
    return memory;
}

char* copy_string(const std::string& text, MemoryContext context)
{
    char* copy = allocate_array<char>(text.size() + 1, context);
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    return copy;
}

}  // namespace costsim::pg

// The C++ / PostgreSQL boundary. Every SQL-callable function runs in phases:
//   1. a C phase that talks to PostgreSQL (may ereport; no C++ object with a destructor is alive),
//   2. one C++ phase, run_core(), inside which all C++ objects live and die; no PostgreSQL call that can
//      raise happens there (memory comes from palloc_extended(..., MCXT_ALLOC_NO_OOM)), and every
//      exception, std::bad_alloc included, becomes a Failure,
//   3. a C phase again, which reports a Failure with ereport() only once every C++ frame is gone.
// So a PostgreSQL ERROR longjmp never crosses a live C++ frame, and no C++ exception reaches PostgreSQL.
// Where a C++ phase must call PostgreSQL, it does so through pg_guard(), which catches the ERROR inside
// PG_TRY and throws it on as a PgError once the longjmp has landed.
#pragma once

#include "core/errors.hpp"

#include <cstddef>
#include <exception>
#include <new>
#include <string>

extern "C" {
#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"
}

namespace costsim::pg {

// A PostgreSQL ERROR caught by pg_guard(), carried through C++ frames to run_core().
class PgError : public std::exception {
public:
    PgError(int sqlstate, const char* message) noexcept;
    const char* what() const noexcept override { return message_; }
    int sqlstate() const noexcept { return sqlstate_; }

private:
    int sqlstate_;
    char message_[2048];
};

// Runs `call` (plain C calls into PostgreSQL) inside PG_TRY; an ERROR becomes a PgError. `call` must create no
// object with a non-trivial destructor and throw no C++ exception: a longjmp out of it skips its frames.
template <class CCall>
void pg_guard(CCall&& call)
{
    MemoryContext context = CurrentMemoryContext;
    volatile int sqlstate = 0;  // set after the longjmp
    char message[2048];
    PG_TRY();
    {
        call();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData* error = CopyErrorData();
        FlushErrorState();
        sqlstate = error->sqlerrcode;
        strlcpy(message, error->message ? error->message : "", sizeof message);
        FreeErrorData(error);
    }
    PG_END_TRY();
    if (sqlstate != 0) throw PgError(sqlstate, message);
}

struct Failure {
    int sqlstate = 0;
    char message[2048] = {0};

    void set(int code, const char* text) noexcept;
};

int sqlstate_of(ErrorKind kind) noexcept;

template <class Work>
bool run_core(Failure& failure, Work&& work) noexcept
{
    try {
        work();
        return true;
    } catch (const Error& error) {
        failure.set(sqlstate_of(error.kind()), error.what());
    } catch (const PgError& error) {
        failure.set(error.sqlstate(), error.what());
    } catch (const std::bad_alloc&) {
        failure.set(ERRCODE_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception& error) {
        failure.set(ERRCODE_INTERNAL_ERROR, error.what());
    } catch (...) {
        failure.set(ERRCODE_INTERNAL_ERROR, "unexpected C++ exception");
    }
    return false;
}

// ereport(ERROR) of a failure; bad input (22023, 54000) to a simulation is counted as a schema error.
enum class Counting { plain, schema_errors };
[[noreturn]] void raise(const Failure& failure, Counting counting = Counting::plain);

// C phase: text argument n of a SQL function as a C string, nullptr for NULL.
const char* text_argument(FunctionCallInfo fcinfo, int n);

// C phase: the blessed descriptor of a SQL function's composite result (an ERROR when it has none), and one row
// of it.
TupleDesc result_descriptor(FunctionCallInfo fcinfo);
Datum result_row(TupleDesc descriptor, Datum* values, bool* nulls);

// Memory for the C++ phase, palloc'd in `context`: std::bad_alloc instead of an ERROR.
void* allocate(std::size_t bytes, MemoryContext context = CurrentMemoryContext);
template <class T>
T* allocate_array(std::size_t count, MemoryContext context = CurrentMemoryContext)
{
    return static_cast<T*>(allocate(sizeof(T) * (count > 0 ? count : 1), context));
}
char* copy_string(const std::string& text, MemoryContext context = CurrentMemoryContext);

}  // namespace costsim::pg

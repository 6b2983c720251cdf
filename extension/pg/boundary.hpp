// The C++ / PostgreSQL boundary. Every SQL-callable function runs in phases:
//   1. a C phase that talks to PostgreSQL (may ereport; no C++ object with a destructor is alive),
//   2. one C++ phase, run_core(), inside which all C++ objects live and die; no PostgreSQL call that can
//      raise happens there (memory comes from palloc_extended(..., MCXT_ALLOC_NO_OOM)), and every
//      exception, std::bad_alloc included, becomes a Failure,
//   3. a C phase again, which reports a Failure with ereport() only once every C++ frame is gone.
// So a PostgreSQL ERROR longjmp never crosses a live C++ frame, and no C++ exception reaches PostgreSQL.
#pragma once

#include "core/errors.hpp"

#include <cstddef>
#include <exception>
#include <new>
#include <string>

extern "C" {
#include "postgres.h"

#include "fmgr.h"
}

namespace costsim::pg {

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

// A copy in the current memory context, for use inside run_core(): throws std::bad_alloc instead of raising.
char* copy_string(const std::string& text);

// The text of a jsonb value, and a jsonb from JSON text (C phase).
char* jsonb_text(Datum jsonb);
Datum jsonb_from_text(const char* text);

}  // namespace costsim::pg

// Guard: extension/core is pure C++17. It is compiled and tested without PostgreSQL, and the pg layer
// must include core headers (and the standard library) *before* any PostgreSQL header, whose macros
// break <limits>, Boost and friends. Including a PostgreSQL header first trips this guard.
#pragma once
#if defined(PG_VERSION_NUM) || defined(POSTGRES_H) || defined(FMGR_H)
#error "extension/core must not see PostgreSQL headers: include core headers before postgres.h"
#endif

// PostgreSQL timestamps (microseconds since 2000-01-01) as the core counts time (since 1970-01-01 UTC).
#pragma once

#include <cstdint>

extern "C" {
#include "postgres.h"

#include "datatype/timestamp.h"
}

namespace costsim::pg {

constexpr std::int64_t unix_epoch_offset_us =
    static_cast<std::int64_t>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;

constexpr std::int64_t unix_microseconds(TimestampTz timestamp) { return timestamp + unix_epoch_offset_us; }
constexpr TimestampTz timestamp_of_unix_microseconds(std::int64_t microseconds)
{
    return microseconds - unix_epoch_offset_us;
}

}  // namespace costsim::pg

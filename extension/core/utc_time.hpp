// Instants as text: microseconds since 1970-01-01 UTC in ISO 8601, whatever the session's settings.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>

namespace costsim {

// ISO 8601 UTC text with microseconds, e.g. "2026-11-22T13:05:00.123456Z" (proleptic Gregorian calendar).
std::string utc_timestamp(std::int64_t microseconds_since_epoch);

}  // namespace costsim

// The V2 circuit breaker's automatic trips (spec section 7) as pure functions: when the drift window or the V2
// error rate opens it. The state, its transitions (TTL, half-open trials), incidents and alerts live in SQL.
#pragma once
#include "core/no_postgres.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace costsim::breaker {

struct Policy {
    std::size_t window_size = 100;  // costsim.cb_window_size: the last comparisons the drift rule looks at
    std::size_t min_samples = 20;   // costsim.cb_min_samples: fewer than this never trip
    double drift_threshold = 0.20;  // costsim.drift_threshold: p95 above it trips (P1)
    std::size_t error_threshold = 5;  // costsim.schema_error_threshold: this many V2 errors in an hour trip (P3)
};

// The 95th percentile (linear interpolation between order statistics, as statistics::quantile) of the last
// min(window_size, n) scores — `scores` oldest first — when at least min_samples of them are there.
std::optional<double> drift_p95(const std::vector<double>& scores, const Policy& policy);
// P1: that percentile exists and is above the drift threshold.
bool drift_trips(const std::vector<double>& scores, const Policy& policy);

// P3: at least error_threshold of the error times (microseconds, any order) fall in the hour up to now
// (now - 3600 s < t <= now).
bool errors_trip(const std::vector<std::int64_t>& error_times_us, std::int64_t now_us, const Policy& policy);

}  // namespace costsim::breaker

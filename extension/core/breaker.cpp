#include "core/breaker.hpp"

#include "core/statistics.hpp"

#include <algorithm>

namespace costsim::breaker {

std::optional<double> drift_p95(const std::vector<double>& scores, const Policy& policy)
{
    const std::size_t n = std::min(scores.size(), policy.window_size);
    if (n == 0 || n < policy.min_samples) return std::nullopt;
    return statistics::quantile(std::vector<double>(scores.end() - static_cast<std::ptrdiff_t>(n), scores.end()), 0.95);
}

bool drift_trips(const std::vector<double>& scores, const Policy& policy)
{
    const std::optional<double> p95 = drift_p95(scores, policy);
    return p95.has_value() && *p95 > policy.drift_threshold;
}

bool errors_trip(const std::vector<std::int64_t>& error_times_us, std::int64_t now_us, const Policy& policy)
{
    constexpr std::int64_t hour_us = 3600LL * 1000000LL;
    const auto recent = std::count_if(error_times_us.begin(), error_times_us.end(),
                                      [&](std::int64_t t) { return t > now_us - hour_us && t <= now_us; });
    return policy.error_threshold > 0 && static_cast<std::size_t>(recent) >= policy.error_threshold;
}

}  // namespace costsim::breaker

// The breaker's automatic trips (spec section 7): the p95 drift rule over the latest comparisons and the V2
// error rate. Expected values are worked out by hand in the comments (p95 by linear interpolation between order
// statistics, type 7: position h = (n - 1) * 0.95, value x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h])).
#include "core/breaker.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using costsim::breaker::drift_p95;
using costsim::breaker::drift_trips;
using costsim::breaker::errors_trip;
using costsim::breaker::Policy;

constexpr std::int64_t second = 1000000;
constexpr std::int64_t hour = 3600 * second;

// 0.01, 0.02, ..., n/100: sorted, so position h reads straight off.
std::vector<double> ramp(int n)
{
    std::vector<double> scores;
    for (int i = 1; i <= n; ++i) scores.push_back(i / 100.0);
    return scores;
}

TEST(BreakerDrift, FewerThanMinSamplesNeverTrip)
{
    const Policy policy;  // window 100, min 20, threshold 0.20
    const std::vector<double> nineteen(19, 1.0);
    EXPECT_FALSE(drift_p95(nineteen, policy).has_value());
    EXPECT_FALSE(drift_trips(nineteen, policy));
    EXPECT_FALSE(drift_trips({}, policy));
}

TEST(BreakerDrift, TwentyHighScoresTrip)
{
    const Policy policy;
    const std::vector<double> twenty(20, 0.5);  // every score 0.5: p95 = 0.5 > 0.20
    ASSERT_TRUE(drift_p95(twenty, policy).has_value());
    EXPECT_DOUBLE_EQ(*drift_p95(twenty, policy), 0.5);
    EXPECT_TRUE(drift_trips(twenty, policy));
}

TEST(BreakerDrift, P95ByInterpolation)
{
    const Policy policy;
    // n = 20 scores 0.01 .. 0.20: h = 19 * 0.95 = 18.05 -> x[18] + 0.05 * (x[19] - x[18]) = 0.19 + 0.05 * 0.01
    // = 0.1905 (0-based x[k] = (k + 1) / 100). Not above 0.20: no trip.
    const auto p95 = drift_p95(ramp(20), policy);
    ASSERT_TRUE(p95.has_value());
    EXPECT_NEAR(*p95, 0.1905, 1e-12);
    EXPECT_FALSE(drift_trips(ramp(20), policy));
    // n = 22 scores 0.01 .. 0.22: h = 21 * 0.95 = 19.95 -> x[19] + 0.95 * (x[20] - x[19]) = 0.20 + 0.0095
    // = 0.2095 > 0.20: trips.
    EXPECT_NEAR(*drift_p95(ramp(22), policy), 0.2095, 1e-12);
    EXPECT_TRUE(drift_trips(ramp(22), policy));
}

TEST(BreakerDrift, ExactlyTheThresholdDoesNotTrip)
{
    const Policy policy;
    const std::vector<double> at_threshold(30, 0.20);  // p95 = 0.20, not above 0.20
    EXPECT_FALSE(drift_trips(at_threshold, policy));
}

TEST(BreakerDrift, OnlyTheLatestWindowCounts)
{
    Policy policy;
    policy.window_size = 20;
    // 50 high scores followed by 20 zeros: the window (the last 20) is all zeros.
    std::vector<double> scores(50, 0.9);
    scores.insert(scores.end(), 20, 0.0);
    EXPECT_DOUBLE_EQ(*drift_p95(scores, policy), 0.0);
    EXPECT_FALSE(drift_trips(scores, policy));
    // The other way round: 50 zeros, then 20 high scores -> p95 0.9.
    std::vector<double> rising(50, 0.0);
    rising.insert(rising.end(), 20, 0.9);
    EXPECT_TRUE(drift_trips(rising, policy));
}

TEST(BreakerDrift, OneOutlierInAHundredDoesNotTrip)
{
    const Policy policy;
    // 99 zeros and one 1.0 (sorted: x[99] = 1.0): h = 99 * 0.95 = 94.05 -> x[94] = 0: p95 = 0.
    std::vector<double> scores(99, 0.0);
    scores.push_back(1.0);
    EXPECT_DOUBLE_EQ(*drift_p95(scores, policy), 0.0);
    EXPECT_FALSE(drift_trips(scores, policy));
    // Six in a hundred: sorted x[94..99] = 1.0, h = 94.05 -> 1.0: trips.
    std::vector<double> six(94, 0.0);
    six.insert(six.end(), 6, 1.0);
    EXPECT_DOUBLE_EQ(*drift_p95(six, policy), 1.0);
    EXPECT_TRUE(drift_trips(six, policy));
}

TEST(BreakerErrors, FiveWithinTheHourTrip)
{
    const Policy policy;  // 5 per hour
    const std::int64_t now = 1795000000 * second;
    const std::vector<std::int64_t> five = {now, now - 10 * second, now - 20 * second, now - 30 * second,
                                            now - hour + second};
    EXPECT_TRUE(errors_trip(five, now, policy));
    const std::vector<std::int64_t> four(five.begin(), five.begin() + 4);
    EXPECT_FALSE(errors_trip(four, now, policy));
}

TEST(BreakerErrors, TheHourIsHalfOpen)
{
    const Policy policy;
    const std::int64_t now = 1795000000 * second;
    // Exactly an hour old is outside (now - 3600 s < t <= now); one microsecond younger is inside.
    std::vector<std::int64_t> times = {now, now, now, now, now - hour};
    EXPECT_FALSE(errors_trip(times, now, policy));
    times.back() = now - hour + 1;
    EXPECT_TRUE(errors_trip(times, now, policy));
    // A time in the future (another backend's clock) does not count.
    times.back() = now + 1;
    EXPECT_FALSE(errors_trip(times, now, policy));
}

TEST(BreakerErrors, ThresholdFromThePolicy)
{
    Policy policy;
    policy.error_threshold = 1;
    const std::int64_t now = 1795000000 * second;
    EXPECT_TRUE(errors_trip({now - 5 * second}, now, policy));
    EXPECT_FALSE(errors_trip({}, now, policy));
}

}  // namespace

// Validating a simulator against a reference dataset (spec section 9): how far its costs are from the
// expected ones, how often it misses an expectation, one drift score, one verdict.
#pragma once
#include "core/no_postgres.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace costsim::validation {

// What a dataset accepts: each metric must be <= its threshold. Every threshold is > 0 (Error(invalid_input)
// otherwise, naming it). outlier_rate is a share (0.02 = 2 %).
struct Thresholds {
    double mean_abs_error = 0;
    double median_abs_error = 0;
    double std_abs_error = 0;
    double outlier_rate = 0;
    double drift_score = 0;
};

// One sample's outcome. abs_error = |cost - expected cost|, absent when the simulator raised an error on it.
// missed: the feasibility or the confidence expectation was missed, or the simulator raised an error.
struct Outcome {
    std::optional<double> abs_error;
    bool missed = false;
};

struct Metrics {
    std::size_t sample_count = 0;   // every outcome, errors included
    double mean_abs_error = 0;      // over the outcomes with an abs_error (0 when none has one)
    double median_abs_error = 0;    // linear interpolation between order statistics
    double std_abs_error = 0;       // population standard deviation
    double outlier_rate = 0;        // missed (or without abs_error) / sample_count (0 for no samples)
    // min(1, 0.3 mean/max_mean + 0.3 median/max_median + 0.2 std/max_std + 0.2 outlier_rate/max_outlier_rate)
    double drift_score = 0;
    bool acceptable = false;        // every one of the five <= its threshold; false for no samples
};

// Error(invalid_input) for a threshold <= 0 or not finite, or an abs_error < 0 or not finite.
Metrics evaluate(const std::vector<Outcome>& outcomes, const Thresholds& thresholds);

}  // namespace costsim::validation

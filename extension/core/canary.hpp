// Judging a canary (spec section 8): V1 against V2 over recent shadow inputs plus the golden datasets.
// The statistics come from statistics::drift_report; this decides passed, failed or inconclusive, and why.
#pragma once
#include "core/no_postgres.hpp"

#include "core/statistics.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace costsim::canary {

struct Criteria {
    std::size_t min_samples = 50;         // costsim.canary_min_samples: fewer evaluated samples -> inconclusive
    double max_outlier_rate = 0.05;       // outliers (drift_score > outlier_drift_score) over 5 % fail
    double max_major_rate = 0.10;         // major_drift + mismatch (V2 errors count as mismatch) over 10 % fail
    double kl_threshold = 0.10;           // costsim.canary_kl_threshold
    double outlier_drift_score = 0.5;
};

// The counts of a canary's samples. sample_count = match + minor_drift + major_drift + mismatch + v2_errors.
struct Counts {
    std::size_t match = 0, minor_drift = 0, major_drift = 0, mismatch = 0, v2_errors = 0;
    std::size_t outliers = 0;  // drift_score > outlier_drift_score, V2 errors included
    std::size_t sample_count() const noexcept { return match + minor_drift + major_drift + mismatch + v2_errors; }
};

// A golden dataset's validation within the canary.
struct GoldenResult {
    std::string dataset_id;
    bool acceptable = false;
};

enum class Status { passed, failed, inconclusive };
const char* to_string(Status status) noexcept;

struct Judgement {
    Status status = Status::inconclusive;
    // Empty when passed. Each reason is one sentence with the figures, in this order:
    //   "KL divergence 0.4120 exceeds 0.1000 and its 95 % noise-floor critical value 0.1690"
    //   "outliers (drift score > 0.5): 7.0 % of 100 samples, over 5.0 %"
    //   "major drift or mismatch: 12.0 % of 100 samples, over 10.0 %"
    //   "golden dataset high_variance not acceptable"  (one per dataset, in the given order)
    // Inconclusive: one reason, "only 12 samples, fewer than costsim.canary_min_samples (50)".
    std::vector<std::string> failure_reasons;
};

// KL fails only when it is above kl_threshold AND above its noise floor's critical value (kl.critical_value):
// a small sample's KL is judged against what no drift would give. Rates are compared strictly (> fails).
// Error(invalid_input) for criteria out of range (rates and kl_threshold not in [0, 1] or not finite ...).
Judgement judge(const Counts& counts, const statistics::KlResult& kl, const std::vector<GoldenResult>& golden,
                const Criteria& criteria);

}  // namespace costsim::canary

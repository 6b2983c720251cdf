// Comparing V1 with V2 (spec section 4): drift score, verdict, and the full comparison document.
#pragma once
#include "core/no_postgres.hpp"

#include "core/json.hpp"

#include <cstdint>

namespace costsim {

enum class Verdict { match, minor_drift, major_drift, mismatch };
const char* to_string(Verdict verdict) noexcept;

struct DriftThresholds {
    double warning = 0.15;  // costsim.drift_warning_threshold: minor_drift up to here (inclusive)
    double drift = 0.20;    // costsim.drift_threshold: major_drift up to here (inclusive)
};
inline constexpr double match_threshold = 0.05;  // match up to here (inclusive)

struct Drift {
    double drift_score = 0;        // rounded to 4 decimals
    Verdict verdict = Verdict::match;
    std::int64_t cost_delta_cents = 0;  // v2 - v1
    double cost_delta_pct = 0;          // |v2 - v1| / max(v1, 1)
    bool feasibility_match = true;
};

Drift classify_drift(std::int64_t v1_cost_cents, std::int64_t v2_cost_cents, bool v1_feasible,
                     bool v2_feasible, const DriftThresholds& thresholds = {});

// The full comparison of two result objects (as simulate_v1 / simulate_v2 return them):
// {drift_score, verdict, cost_delta_cents, cost_delta_pct, duration_delta_ms, duration_delta_pct,
//  feasibility_match, v1{cost_cents, duration_ms, feasible, status, output_hash},
//  v2{... , model_version, confidence_score}, step_deltas[{step_index, skill_id, v1_cost_cents, v2_cost_cents,
//  cost_delta_cents, v1_latency_ms, v2_latency_ms, latency_delta_ms}]}.
// Throws Error(invalid_input) naming "v1"/"v2" and the field when a result lacks what is compared.
json::Value compare(const json::Value& v1_result, const json::Value& v2_result,
                    const DriftThresholds& thresholds = {});

}  // namespace costsim

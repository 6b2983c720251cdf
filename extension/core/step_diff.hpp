// The evidence kept for a drifting comparison (spec section 7, diff artifacts): V1 and V2 side by side, step by
// step, as JSON; and gzip, which keeps it small.
#pragma once
#include "core/no_postgres.hpp"

#include "core/comparison.hpp"
#include "core/estimate.hpp"
#include "core/json.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace costsim {

// Whether a verdict keeps a diff artifact: major_drift and mismatch.
bool keeps_diff(Verdict verdict) noexcept;

// {"verdict", "drift_score", "cost_delta_cents", "feasibility_match",
//  "totals": {"v1": {feasible, status, estimated_cost_cents, estimated_duration_ms}, "v2": {...}},
//  "steps": [{"step_index", "skill_id", "v1_cost_cents", "v2_cost_cents", "cost_delta_cents", "v1_latency_ms",
//             "v2_latency_ms", "latency_delta_ms", "v1_risk_probability", "v2_risk_probability", "v2_confidence"}]}
// Steps are matched by step_index; a step only one side has shows null on the other.
json::Value step_diff(const Estimate& v1, const Estimate& v2, const Drift& drift);

// gzip (RFC 1952, zlib), so that `gzip -d` reads an artifact saved to a file.
std::string gzip(std::string_view data);
// The inverse; Error(invalid_input) for data that is not gzip or inflates beyond max_size bytes.
std::string gunzip(std::string_view data, std::size_t max_size);

}  // namespace costsim

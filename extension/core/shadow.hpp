// The V2 shadow path (spec section 5), minus the database: which calls are sampled, and one shadowed
// evaluation (V1 for production, V2 beside it, their comparison) as a record ready to be written.
#pragma once
#include "core/no_postgres.hpp"

#include "core/comparison.hpp"
#include "core/estimate.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/simulator_v2.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace costsim {

// SHA-256 (hex) of the JCS form of {"allowed_skills": [...] or null, "budget_cents": n, "plan": [...]}.
// An empty allowed list hashes like null (both mean every skill is allowed).
std::string input_hash(const json::Value& plan, std::int64_t budget_cents, const AllowedSkills& allowed);

// Deterministic sampling: the first 64 bits of the input hash as a fraction of 2^64, < rate.
// rate <= 0 samples nothing, rate >= 1 everything.
bool in_sample(const std::string& input_hash_hex, double rate);

inline constexpr const char* v1_model_version = "1.0.0";

struct ShadowRecord {
    json::Value v1_result;  // the production answer
    Estimate v1;
    std::int64_t v1_runtime_us = 0;
    // V2 side: either a result or an error
    std::optional<Estimate> v2;
    json::Value v2_result;  // null when V2 failed
    std::string v2_error;   // empty when V2 succeeded
    std::optional<Drift> drift;
    std::string v1_output_hash;
    std::string v2_output_hash;  // empty when V2 failed
};

// Runs V1, then V2 (model may be null: V2 fails with `model_error`). A V2 failure is reported in v2_error
// and does not escape, unless v2_errors_escape (for callers to whom V2's answer is the point). Errors of V1
// (bad input) always escape.
enum class V2Errors { recorded, escape };
ShadowRecord run_shadow(const Plan& plan, std::int64_t budget_cents, const AllowedSkills& allowed,
                        double v1_risk_threshold, const Model* model, const std::string& model_error,
                        const DriftThresholds& thresholds, V2Errors v2_errors = V2Errors::recorded);

}  // namespace costsim

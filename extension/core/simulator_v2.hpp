// V2: the candidate simulator (spec section 3). Its coefficients are data (a Model), loaded by the pg
// layer from costsim.v2_coefficients; the rules that use them are here.
#pragma once
#include "core/no_postgres.hpp"

#include "core/estimate.hpp"
#include "core/plan.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace costsim {

struct SkillCoefficients {
    double base_cost_cents = 0;
    double base_latency_ms = 0;
    double confidence = 1;
    std::string risk_type;
    double risk_factor = 0;
    double latency_variance_ms = 0;            // http_call
    double cost_per_1k_input_chars = 0;        // llm_invoke
    double cost_per_1k_output_chars = 0;       // llm_invoke
    double latency_per_1k_input_chars_ms = 0;  // llm_invoke
};

// The coefficient set of one model version. `fallback` prices any skill not in `skills` (the "*" row).
struct Model {
    std::string version;
    std::unordered_map<std::string, SkillCoefficients> skills;
    std::optional<SkillCoefficients> fallback;

    // Throws Error(invalid_input) when the skill is unknown and the model has no fallback.
    const SkillCoefficients& coefficients_for(const std::string& skill) const;
};

inline constexpr double v2_risk_threshold = 0.5;

// Fills runtime_us with the wall time of the simulation itself.
Estimate simulate_v2(const Plan& plan, std::int64_t budget_cents, const AllowedSkills& allowed,
                     const Model& model, double risk_threshold = v2_risk_threshold);

}  // namespace costsim

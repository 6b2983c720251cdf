// What a simulator answers: the shared shape of V1 and V2 results, and its JSON form.
#pragma once
#include "core/no_postgres.hpp"

#include "core/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace costsim {

struct StepEstimate {
    int step_index = 0;  // 0-based position in the plan
    std::string skill_id;
    double cost_cents = 0;         // one execution's cost x iterations
    double latency_ms = 0;         // one execution's latency x iterations
    double risk_probability = 0;   // 1 - (1 - p)^iterations
    std::string risk_type;
    int iterations = 1;
    double base_cost_cents = 0;    // one execution
    double base_latency_ms = 0;    // one execution
    std::optional<double> confidence;  // V2 only
};

struct Risk {
    int step_index = 0;
    std::string skill_id;
    std::string risk_type;
    double probability = 0;
    std::string description;
    std::string mitigation;
};

struct Alternative {
    std::string suggestion;
    double potential_savings_cents = 0;
};

struct Estimate {
    bool feasible = false;
    std::string status;
    double estimated_cost_cents = 0;
    double estimated_duration_ms = 0;
    std::int64_t budget_cents = 0;
    std::vector<std::string> permission_gaps;
    std::vector<Risk> risks;
    std::vector<StepEstimate> step_estimates;
    std::vector<Alternative> alternatives;
    std::vector<std::string> warnings;
    double cumulative_risk = 0;
    int plan_steps = 0;
    // V2 only (present when model_version is set)
    std::optional<std::string> model_version;
    double confidence_score = 0;
    std::int64_t runtime_us = 0;
};

// The JSON object of spec sections 2 and 3: feasible, status, estimated_cost_cents, estimated_duration_ms,
// budget_remaining_cents, budget_sufficient, permission_gaps, risks, step_estimates, alternatives, warnings,
// metadata{plan_steps, cumulative_risk, budget_utilization}; V2 adds model_version, confidence_score,
// runtime_us and a per-step confidence.
json::Value to_json(const Estimate& estimate);

// SHA-256 (hex) of the JCS form of {feasible, status, estimated_cost_cents, estimated_duration_ms,
// step_estimates} taken from a result object (spec section 4). A missing key hashes as null.
std::string output_hash(const json::Value& result);

// The risk entry of a step: "<skill> x<n> has <round(p x 100)>% chance of <risk_type>" and its mitigation.
Risk risk_of(const StepEstimate& step);
// The mitigation text for a risk type (spec section 2); "unknown"'s text for anything else.
const char* mitigation_for(const std::string& risk_type) noexcept;

// Rounding as the spec means it (Python's round): half to even on the exact binary value.
double round_half_even(double x) noexcept;
// e.g. round_to(0.125, 2) == 0.12 (an exact tie goes to even), round_to(0.12345, 4) == 0.1235 (0.12345 is
// stored as 0.12345000000000000417..., above the tie).
double round_to(double x, int decimals);

}  // namespace costsim

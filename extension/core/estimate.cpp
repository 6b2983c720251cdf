#include "core/estimate.hpp"

#include "core/errors.hpp"
#include "core/hashing.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace costsim {
namespace {

json::Value strings(const std::vector<std::string>& items)
{
    json::Array array;
    array.reserve(items.size());
    for (const std::string& item : items) array.emplace_back(item);
    return array;
}

json::Value step_json(const StepEstimate& step)
{
    json::Object object{
        {"step_index", step.step_index},
        {"skill_id", step.skill_id},
        {"cost_cents", step.cost_cents},
        {"latency_ms", step.latency_ms},
        {"risk_probability", step.risk_probability},
        {"risk_type", step.risk_type},
        {"iterations", step.iterations},
        {"base_cost_cents", step.base_cost_cents},
        {"base_latency_ms", step.base_latency_ms},
    };
    if (step.confidence) object.emplace_back("confidence", *step.confidence);
    return object;
}

json::Value risk_json(const Risk& risk)
{
    return json::Object{
        {"step_index", risk.step_index},   {"skill_id", risk.skill_id},
        {"risk_type", risk.risk_type},     {"probability", risk.probability},
        {"description", risk.description}, {"mitigation", risk.mitigation},
    };
}

}  // namespace

json::Value to_json(const Estimate& e)
{
    json::Array risks, steps, alternatives;
    risks.reserve(e.risks.size());
    steps.reserve(e.step_estimates.size());
    for (const Risk& risk : e.risks) risks.push_back(risk_json(risk));
    for (const StepEstimate& step : e.step_estimates) steps.push_back(step_json(step));
    for (const Alternative& alternative : e.alternatives)
        alternatives.push_back(json::Object{{"suggestion", alternative.suggestion},
                                            {"potential_savings_cents", alternative.potential_savings_cents}});
    const double budget = static_cast<double>(e.budget_cents);
    json::Object object{
        {"feasible", e.feasible},
        {"status", e.status},
        {"estimated_cost_cents", e.estimated_cost_cents},
        {"estimated_duration_ms", e.estimated_duration_ms},
        {"budget_remaining_cents", budget - e.estimated_cost_cents},
        {"budget_sufficient", e.estimated_cost_cents <= budget},
        {"permission_gaps", strings(e.permission_gaps)},
        {"risks", std::move(risks)},
        {"step_estimates", std::move(steps)},
        {"alternatives", std::move(alternatives)},
        {"warnings", strings(e.warnings)},
        {"metadata", json::Object{{"plan_steps", e.plan_steps},
                                  {"cumulative_risk", e.cumulative_risk},
                                  {"budget_utilization", e.estimated_cost_cents / std::max(budget, 1.0)}}},
    };
    if (e.model_version) {
        object.emplace_back("model_version", *e.model_version);
        object.emplace_back("confidence_score", e.confidence_score);
        object.emplace_back("runtime_us", e.runtime_us);
    }
    return object;
}

std::string output_hash(const json::Value& result)
{
    json::Object hashed;
    for (const char* key : {"feasible", "status", "estimated_cost_cents", "estimated_duration_ms", "step_estimates"}) {
        const json::Value* value = result.find(key);
        hashed.emplace_back(key, value ? *value : json::Value());
    }
    return canonical_hash(hashed);
}

const char* mitigation_for(const std::string& risk_type) noexcept
{
    static constexpr const char* table[][2] = {
        {"timeout", "Add retry with exponential backoff"},
        {"rate_limit", "Implement client-side throttling"},
        {"transform_error", "Validate input schema before transform"},
        {"not_found", "Add existence check before access"},
        {"permission", "Verify permissions before write"},
        {"quota", "Check quota before operation"},
        {"delivery", "Use delivery confirmation"},
    };
    for (const auto& row : table)
        if (risk_type == row[0]) return row[1];
    return "Add error handling and monitoring";
}

Risk risk_of(const StepEstimate& step)
{
    const auto percent = static_cast<long long>(round_half_even(step.risk_probability * 100));
    return Risk{step.step_index,
                step.skill_id,
                step.risk_type,
                step.risk_probability,
                step.skill_id + " x" + std::to_string(step.iterations) + " has " + std::to_string(percent) +
                    "% chance of " + step.risk_type,
                mitigation_for(step.risk_type)};
}

double round_half_even(double x) noexcept { return std::nearbyint(x); }

double round_to(double x, int decimals)
{
    // Python's round(x, n): the exact binary value rounded to n decimals, exact ties to even. to_chars with a
    // precision is exact (correctly rounded), and from_chars reads the decimal back to the nearest double.
    if (!std::isfinite(x)) return x;
    char buffer[400];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed, decimals);
    if (ec != std::errc()) throw Error(ErrorKind::internal, "round_to: number too long");
    double rounded = 0;
    std::from_chars(buffer, end, rounded);
    return rounded == 0 ? 0.0 : rounded;  // no negative zero
}

}  // namespace costsim

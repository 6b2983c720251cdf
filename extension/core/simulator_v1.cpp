#include "core/simulator_v1.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace costsim {
namespace {

struct SkillProfile {
    const char* skill;
    double cost_cents;
    double latency_ms;
    double risk_probability;
    const char* risk_type;
};

// Spec section 2, the frozen V1 skill table.
constexpr SkillProfile skill_table[] = {
    {"http_call", 0, 500, 0.10, "timeout"},        {"llm_invoke", 5, 2000, 0.05, "rate_limit"},
    {"json_transform", 0, 10, 0.01, "transform_error"}, {"fs_read", 0, 50, 0.05, "not_found"},
    {"fs_write", 0, 100, 0.05, "permission"},      {"shell_lite", 0, 200, 0.10, "timeout"},
    {"kv_get", 0, 5, 0.02, "not_found"},           {"kv_set", 0, 10, 0.02, "quota"},
    {"webhook_send", 0, 300, 0.10, "timeout"},     {"email_send", 1, 500, 0.05, "delivery"},
};
constexpr SkillProfile other_skill = {"", 10, 1000, 0.20, "unknown"};

const SkillProfile& profile_for(const std::string& skill) noexcept
{
    for (const SkillProfile& profile : skill_table)
        if (skill == profile.skill) return profile;
    return other_skill;
}

// Only risks above this base probability are listed.
constexpr double listed_risk_floor = 0.05;
constexpr double min_prompt_cost_cents = 5;

std::string percent(double fraction) { return std::to_string(static_cast<long long>(round_half_even(fraction * 100))); }

}  // namespace

Estimate simulate_v1(const Plan& plan, std::int64_t budget_cents, const AllowedSkills& allowed, double risk_threshold)
{
    Estimate e;
    e.budget_cents = budget_cents;
    e.plan_steps = static_cast<int>(plan.steps.size());
    if (plan.steps.empty()) {
        e.status = "invalid_plan";
        e.warnings.push_back("Empty plan provided");
        return e;
    }

    double survival = 1;
    double llm_cost = 0;
    e.step_estimates.reserve(plan.steps.size());
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        const Step& step = plan.steps[i];
        const SkillProfile& profile = profile_for(step.skill);
        double cost = profile.cost_cents;
        if (step.skill == "llm_invoke" && step.has_prompt)
            cost = std::max(min_prompt_cost_cents, std::floor(static_cast<double>(step.prompt_chars) / 1000));
        double latency = profile.latency_ms;
        if (step.skill == "http_call" && step.timeout_s) latency = std::min(profile.latency_ms, *step.timeout_s * 1000);

        const int n = step.iterations;
        const double survive_step = std::pow(1 - profile.risk_probability, n);
        StepEstimate s;
        s.step_index = static_cast<int>(i);
        s.skill_id = step.skill;
        s.cost_cents = cost * n;
        s.latency_ms = latency * n;
        s.risk_probability = 1 - survive_step;
        s.risk_type = profile.risk_type;
        s.iterations = n;
        s.base_cost_cents = cost;
        s.base_latency_ms = latency;

        e.estimated_cost_cents += s.cost_cents;
        e.estimated_duration_ms += s.latency_ms;
        survival *= survive_step;
        if (step.skill == "llm_invoke") llm_cost += s.cost_cents;
        if (profile.risk_probability > listed_risk_floor) e.risks.push_back(risk_of(s));
        if (!is_allowed(allowed, step.skill)) e.permission_gaps.push_back(step.skill);
        e.step_estimates.push_back(std::move(s));
    }
    e.cumulative_risk = 1 - survival;

    const bool budget_sufficient = e.estimated_cost_cents <= static_cast<double>(budget_cents);
    if (!budget_sufficient) {
        e.status = "budget_insufficient";
        e.alternatives.push_back(Alternative{"Reduce LLM calls", llm_cost});
    } else if (!e.permission_gaps.empty()) {
        e.status = "permission_denied";
    } else if (e.cumulative_risk > risk_threshold) {
        e.status = "risk_too_high";
        e.warnings.push_back("Cumulative risk " + percent(e.cumulative_risk) + "% exceeds threshold " +
                             percent(risk_threshold) + "%");
    } else {
        e.status = "feasible";
        e.feasible = true;
    }
    return e;
}

}  // namespace costsim

// V1, the frozen production simulator (spec section 2). Every expected number is worked out by hand from
// the spec's skill table and formulas; the arithmetic is in the comment next to it.
#include "core/estimate.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/simulator_v1.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace json = costsim::json;
using costsim::Estimate;
using costsim_test::Array;
using costsim_test::Object;
using costsim_test::Value;
using costsim_test::plan_of;
using costsim_test::repeat;
using costsim_test::step;

namespace {

constexpr double kEps = 1e-12;

Estimate v1(const std::string& plan_json, std::int64_t budget = 1000, const costsim::AllowedSkills& allowed = {},
            double threshold = 0.5)
{
    return costsim::simulate_v1(plan_of(plan_json), budget, allowed, threshold);
}

Estimate v1(Array steps, std::int64_t budget = 1000, const costsim::AllowedSkills& allowed = {},
            double threshold = 0.5)
{
    return costsim::simulate_v1(plan_of(std::move(steps)), budget, allowed, threshold);
}

Estimate llm_with_prompt(const std::string& prompt, int iterations = 1)
{
    return v1(Array{step("llm_invoke", Object{{"prompt", Value(prompt)}}, iterations)});
}

Estimate http_with_timeout(const Value& timeout, int iterations = 1)
{
    return v1(Array{step("http_call", Object{{"timeout", timeout}}, iterations)});
}

std::set<std::string> keys_of(const Value& object)
{
    std::set<std::string> keys;
    if (object.is_object())
        for (const auto& m : object.as_object()) keys.insert(m.first);
    return keys;
}

struct SkillRow {
    const char* skill;
    double cost;
    double latency;
    double p;
    const char* risk_type;
};

// Spec section 2, skill table ("mystery" stands for any other skill).
const SkillRow kSkillTable[] = {
    {"http_call", 0, 500, 0.10, "timeout"},
    {"llm_invoke", 5, 2000, 0.05, "rate_limit"},
    {"json_transform", 0, 10, 0.01, "transform_error"},
    {"fs_read", 0, 50, 0.05, "not_found"},
    {"fs_write", 0, 100, 0.05, "permission"},
    {"shell_lite", 0, 200, 0.10, "timeout"},
    {"kv_get", 0, 5, 0.02, "not_found"},
    {"kv_set", 0, 10, 0.02, "quota"},
    {"webhook_send", 0, 300, 0.10, "timeout"},
    {"email_send", 1, 500, 0.05, "delivery"},
    {"mystery", 10, 1000, 0.20, "unknown"},
};

}  // namespace

// ------------------------------------------------------------------------------------------------ table

TEST(SimulatorV1, EverySkillTableRow)
{
    for (const SkillRow& row : kSkillTable) {
        SCOPED_TRACE(row.skill);
        Estimate e = v1(Array{step(row.skill)});
        ASSERT_EQ(e.step_estimates.size(), 1u);
        const costsim::StepEstimate& s = e.step_estimates[0];
        EXPECT_EQ(s.step_index, 0);
        EXPECT_EQ(s.skill_id, row.skill);
        EXPECT_EQ(s.cost_cents, row.cost);
        EXPECT_EQ(s.latency_ms, row.latency);
        EXPECT_NEAR(s.risk_probability, row.p, kEps);  // 1 - (1 - p)^1
        EXPECT_EQ(s.risk_type, row.risk_type);
        EXPECT_EQ(s.iterations, 1);
        EXPECT_EQ(s.base_cost_cents, row.cost);
        EXPECT_EQ(s.base_latency_ms, row.latency);
        EXPECT_FALSE(s.confidence.has_value());  // V2 only

        EXPECT_EQ(e.estimated_cost_cents, row.cost);
        EXPECT_EQ(e.estimated_duration_ms, row.latency);
        EXPECT_NEAR(e.cumulative_risk, row.p, kEps);
        EXPECT_EQ(e.plan_steps, 1);
        EXPECT_EQ(e.budget_cents, 1000);
        // p <= 0.2 < 0.5 and cost <= 10 <= 1000: feasible.
        EXPECT_EQ(e.status, "feasible");
        EXPECT_TRUE(e.feasible);
        EXPECT_TRUE(e.permission_gaps.empty());
        EXPECT_TRUE(e.alternatives.empty());
        EXPECT_FALSE(e.model_version.has_value());
    }
}

TEST(SimulatorV1, UnknownSkillNamesAreKept)
{
    Estimate e = v1(R"([{"skill":"frobnicate"},{}])");
    ASSERT_EQ(e.step_estimates.size(), 2u);
    EXPECT_EQ(e.step_estimates[0].skill_id, "frobnicate");
    EXPECT_EQ(e.step_estimates[1].skill_id, "unknown");  // missing skill -> "unknown"
    EXPECT_EQ(e.step_estimates[1].step_index, 1);
    EXPECT_EQ(e.estimated_cost_cents, 20);        // 10 + 10
    EXPECT_EQ(e.estimated_duration_ms, 2000);     // 1000 + 1000
    EXPECT_NEAR(e.cumulative_risk, 0.36, kEps);   // 1 - 0.8 * 0.8
}

// ------------------------------------------------------------------------------------------------ llm prompt rule

TEST(SimulatorV1, LlmPromptCost)
{
    // cost = max(5, floor(chars / 1000))
    EXPECT_EQ(llm_with_prompt(std::string(12345, 'x')).estimated_cost_cents, 12);  // max(5, floor(12.345)) = 12
    EXPECT_EQ(llm_with_prompt(std::string(4999, 'x')).estimated_cost_cents, 5);    // max(5, floor(4.999)=4) = 5
    EXPECT_EQ(llm_with_prompt(std::string(5000, 'x')).estimated_cost_cents, 5);    // max(5, 5) = 5
    EXPECT_EQ(llm_with_prompt(std::string(5999, 'x')).estimated_cost_cents, 5);    // floor(5.999) = 5
    EXPECT_EQ(llm_with_prompt(std::string(6000, 'x')).estimated_cost_cents, 6);    // floor(6.0) = 6
    EXPECT_EQ(llm_with_prompt("").estimated_cost_cents, 5);                        // max(5, 0) = 5
    // Characters, not bytes: 6000 x "é" = 12000 bytes -> floor(6000/1000) = 6 (bytes would give 12).
    EXPECT_EQ(llm_with_prompt(repeat("\xc3\xa9", 6000)).estimated_cost_cents, 6);
    // 7000 x U+1F600 = 28000 bytes, 14000 UTF-16 units, 7000 code points -> 7.
    EXPECT_EQ(llm_with_prompt(repeat("\xf0\x9f\x98\x80", 7000)).estimated_cost_cents, 7);
    // Latency is not affected by the prompt.
    EXPECT_EQ(llm_with_prompt(std::string(12345, 'x')).estimated_duration_ms, 2000);
}

TEST(SimulatorV1, LlmNonStringPromptCountsItsJsonText)
{
    // {"p":"<k x's>"} as canonical text is {"p":" (6 chars) + k + "} (2 chars) = k + 8 chars.
    auto prompt_object = [](std::size_t k) { return Value(Object{{"p", Value(std::string(k, 'x'))}}); };
    Estimate six = v1(Array{step("llm_invoke", Object{{"prompt", prompt_object(5992)}})});
    EXPECT_EQ(six.estimated_cost_cents, 6);  // 5992 + 8 = 6000 chars -> floor(6.0) = 6
    Estimate five = v1(Array{step("llm_invoke", Object{{"prompt", prompt_object(5991)}})});
    EXPECT_EQ(five.estimated_cost_cents, 5);  // 5991 + 8 = 5999 chars -> max(5, 5) = 5
}

TEST(SimulatorV1, LlmPromptWithIterations)
{
    Estimate e = llm_with_prompt(std::string(12345, 'x'), 3);
    ASSERT_EQ(e.step_estimates.size(), 1u);
    EXPECT_EQ(e.step_estimates[0].base_cost_cents, 12);   // max(5, floor(12.345))
    EXPECT_EQ(e.step_estimates[0].cost_cents, 36);        // 12 x 3
    EXPECT_EQ(e.step_estimates[0].base_latency_ms, 2000);
    EXPECT_EQ(e.step_estimates[0].latency_ms, 6000);      // 2000 x 3
    EXPECT_EQ(e.estimated_cost_cents, 36);
    EXPECT_EQ(e.estimated_duration_ms, 6000);
}

TEST(SimulatorV1, PromptOnlyMattersForLlmInvoke)
{
    Estimate e = v1(Array{step("kv_get", Object{{"prompt", Value(std::string(50000, 'x'))}})});
    EXPECT_EQ(e.estimated_cost_cents, 0);  // kv_get table cost
}

// ------------------------------------------------------------------------------------------------ http timeout

TEST(SimulatorV1, HttpTimeoutLatency)
{
    // latency = min(500, timeout x 1000)
    EXPECT_EQ(http_with_timeout(Value(0.25)).estimated_duration_ms, 250);  // min(500, 250)
    EXPECT_EQ(http_with_timeout(Value(2)).estimated_duration_ms, 500);     // min(500, 2000)
    EXPECT_EQ(http_with_timeout(Value(0.5)).estimated_duration_ms, 500);   // min(500, 500)
    EXPECT_EQ(http_with_timeout(Value(0.4)).estimated_duration_ms, 400);   // min(500, 400)
    EXPECT_EQ(http_with_timeout(Value(0)).estimated_duration_ms, 0);       // min(500, 0)
    EXPECT_DOUBLE_EQ(http_with_timeout(Value(0.0025)).estimated_duration_ms, 2.5);  // fractional: 0.0025 x 1000
    // A non-numeric timeout is ignored: table latency 500.
    EXPECT_EQ(http_with_timeout(Value("0.25")).estimated_duration_ms, 500);
    EXPECT_EQ(v1(R"([{"skill":"http_call"}])").estimated_duration_ms, 500);
    // Cost stays 0.
    EXPECT_EQ(http_with_timeout(Value(0.25)).estimated_cost_cents, 0);
}

TEST(SimulatorV1, HttpTimeoutWithIterations)
{
    Estimate e = http_with_timeout(Value(0.25), 3);
    ASSERT_EQ(e.step_estimates.size(), 1u);
    EXPECT_EQ(e.step_estimates[0].base_latency_ms, 250);  // min(500, 250)
    EXPECT_EQ(e.step_estimates[0].latency_ms, 750);       // 250 x 3
    EXPECT_EQ(e.estimated_duration_ms, 750);
}

TEST(SimulatorV1, TimeoutOnlyMattersForHttpCall)
{
    Estimate e = v1(Array{step("shell_lite", Object{{"timeout", Value(0.1)}})});
    EXPECT_EQ(e.estimated_duration_ms, 200);  // shell_lite table latency
}

// ------------------------------------------------------------------------------------------------ iterations

TEST(SimulatorV1, Iterations)
{
    Estimate h = v1(R"([{"skill":"http_call","iterations":3}])");
    ASSERT_EQ(h.step_estimates.size(), 1u);
    EXPECT_EQ(h.step_estimates[0].iterations, 3);
    EXPECT_EQ(h.step_estimates[0].cost_cents, 0);                    // 0 x 3
    EXPECT_EQ(h.step_estimates[0].latency_ms, 1500);                 // 500 x 3
    EXPECT_NEAR(h.step_estimates[0].risk_probability, 0.271, kEps);  // 1 - 0.9^3 = 1 - 0.729
    EXPECT_NEAR(h.cumulative_risk, 0.271, kEps);

    Estimate m = v1(R"([{"skill":"email_send","iterations":4}])");
    EXPECT_EQ(m.step_estimates[0].cost_cents, 4);                          // 1 x 4
    EXPECT_EQ(m.step_estimates[0].base_cost_cents, 1);
    EXPECT_EQ(m.step_estimates[0].latency_ms, 2000);                       // 500 x 4
    EXPECT_NEAR(m.step_estimates[0].risk_probability, 0.18549375, kEps);   // 1 - 0.95^4 = 1 - 0.81450625
    EXPECT_EQ(m.estimated_cost_cents, 4);

    Estimate x = v1(R"([{"skill":"mystery","iterations":100}])");
    EXPECT_EQ(x.estimated_cost_cents, 1000);      // 10 x 100
    EXPECT_EQ(x.estimated_duration_ms, 100000);   // 1000 x 100
    EXPECT_NEAR(x.step_estimates[0].risk_probability, 1 - 2.0370359763344975e-10, 1e-15);  // 1 - 0.8^100
}

TEST(SimulatorV1, CumulativeRiskOverAllSteps)
{
    // 1 - 0.9^2 x 0.95 x 0.98^3 = 1 - 0.81 x 0.95 x 0.941192 = 1 - 0.72424724 = 0.27575276
    // (kv_get and llm_invoke count although they are not listed in `risks`)
    Estimate e = v1(R"([{"skill":"http_call","iterations":2},{"skill":"llm_invoke"},{"skill":"kv_get","iterations":3}])");
    EXPECT_NEAR(e.cumulative_risk, 0.275752756, 1e-9);
    EXPECT_EQ(e.estimated_cost_cents, 5);          // 0 + 5 + 0
    EXPECT_EQ(e.estimated_duration_ms, 3015);      // 500 x 2 + 2000 + 5 x 3
    EXPECT_EQ(e.plan_steps, 3);
}

// ------------------------------------------------------------------------------------------------ risks

TEST(SimulatorV1, RisksListOnlyStepsWithBaseProbabilityAboveFivePercent)
{
    Estimate e = v1(R"([
        {"skill":"http_call"}, {"skill":"llm_invoke","iterations":10}, {"skill":"fs_read"}, {"skill":"email_send"},
        {"skill":"shell_lite"}, {"skill":"webhook_send"}, {"skill":"mystery"}, {"skill":"kv_get"},
        {"skill":"json_transform"}, {"skill":"fs_write"}, {"skill":"kv_set"}])");
    // Listed: base p > 0.05, i.e. http_call (0), shell_lite (4), webhook_send (5), mystery (6).
    // Not listed: p = 0.05 exactly (llm_invoke, even at x10 where 1 - 0.95^10 = 0.40; fs_read; email_send;
    // fs_write) and p < 0.05 (kv_get, json_transform, kv_set).
    ASSERT_EQ(e.risks.size(), 4u);
    EXPECT_EQ(e.risks[0].step_index, 0);
    EXPECT_EQ(e.risks[0].skill_id, "http_call");
    EXPECT_EQ(e.risks[1].step_index, 4);
    EXPECT_EQ(e.risks[1].skill_id, "shell_lite");
    EXPECT_EQ(e.risks[2].step_index, 5);
    EXPECT_EQ(e.risks[2].skill_id, "webhook_send");
    EXPECT_EQ(e.risks[3].step_index, 6);
    EXPECT_EQ(e.risks[3].skill_id, "mystery");
    EXPECT_EQ(e.risks[3].risk_type, "unknown");
    EXPECT_NEAR(e.risks[3].probability, 0.2, kEps);
    EXPECT_EQ(e.risks[3].description, "mystery x1 has 20% chance of unknown");
    EXPECT_EQ(e.risks[3].mitigation, "Add error handling and monitoring");
    EXPECT_EQ(e.risks[1].description, "shell_lite x1 has 10% chance of timeout");
    EXPECT_EQ(e.risks[2].description, "webhook_send x1 has 10% chance of timeout");
    EXPECT_EQ(e.risks[2].mitigation, "Add retry with exponential backoff");
}

TEST(SimulatorV1, RiskDescriptions)
{
    auto only_risk = [](const std::string& plan) {
        Estimate e = v1(plan, 1000, {}, 1.0);
        EXPECT_EQ(e.risks.size(), 1u);
        return e.risks.empty() ? costsim::Risk{} : e.risks[0];
    };
    costsim::Risk r1 = only_risk(R"([{"skill":"http_call"}])");
    EXPECT_EQ(r1.description, "http_call x1 has 10% chance of timeout");  // round(10.0) = 10
    EXPECT_EQ(r1.risk_type, "timeout");
    EXPECT_EQ(r1.mitigation, "Add retry with exponential backoff");
    EXPECT_NEAR(r1.probability, 0.1, kEps);

    costsim::Risk r3 = only_risk(R"([{"skill":"http_call","iterations":3}])");
    EXPECT_EQ(r3.description, "http_call x3 has 27% chance of timeout");  // 1 - 0.9^3 = 0.271 -> round(27.1) = 27
    EXPECT_NEAR(r3.probability, 0.271, kEps);

    // 1 - 0.9^2 = 0.19 -> 19
    EXPECT_EQ(only_risk(R"([{"skill":"webhook_send","iterations":2}])").description,
              "webhook_send x2 has 19% chance of timeout");
    // 1 - 0.9^5 = 0.40951 -> round(40.951) = 41
    EXPECT_EQ(only_risk(R"([{"skill":"shell_lite","iterations":5}])").description,
              "shell_lite x5 has 41% chance of timeout");
    // 1 - 0.8^3 = 0.488 -> round(48.8) = 49
    EXPECT_EQ(only_risk(R"([{"skill":"mystery","iterations":3}])").description,
              "mystery x3 has 49% chance of unknown");
    // 1 - 0.8^100 = 0.9999999998 -> round(99.99999998) = 100
    EXPECT_EQ(only_risk(R"([{"skill":"mystery","iterations":100}])").description,
              "mystery x100 has 100% chance of unknown");
}

// ------------------------------------------------------------------------------------------------ permissions

TEST(SimulatorV1, PermissionGapsKeepDuplicates)
{
    Estimate e = v1(R"([{"skill":"llm_invoke"},{"skill":"http_call"},{"skill":"llm_invoke"},{"skill":"kv_get"}])",
                    1000, {"http_call"});
    const std::vector<std::string> expected = {"llm_invoke", "llm_invoke", "kv_get"};
    EXPECT_EQ(e.permission_gaps, expected);
    EXPECT_EQ(e.status, "permission_denied");  // cost 10 <= 1000, so the permission check decides
    EXPECT_FALSE(e.feasible);
}

TEST(SimulatorV1, EmptyAllowListAllowsEverything)
{
    Estimate e = v1(R"([{"skill":"llm_invoke"},{"skill":"anything"}])", 1000, {});
    EXPECT_TRUE(e.permission_gaps.empty());
    EXPECT_EQ(e.status, "feasible");  // cum = 1 - 0.95 x 0.8 = 0.24 <= 0.5

    Estimate all = v1(R"([{"skill":"llm_invoke"},{"skill":"http_call"}])", 1000, {"http_call", "llm_invoke"});
    EXPECT_TRUE(all.permission_gaps.empty());
    EXPECT_EQ(all.status, "feasible");
}

// ------------------------------------------------------------------------------------------------ status

TEST(SimulatorV1, StatusPrecedenceBudgetThenPermissionThenRisk)
{
    // mystery x4: cost 10 x 4 = 40, cumulative risk 1 - 0.8^4 = 0.5904 > 0.5.
    const std::string plan = R"([{"skill":"mystery","iterations":4}])";

    Estimate budget = v1(plan, 39, {"other"});
    EXPECT_EQ(budget.status, "budget_insufficient");  // 40 > 39 wins over the gap and the risk
    EXPECT_FALSE(budget.feasible);
    EXPECT_EQ(budget.permission_gaps, std::vector<std::string>{"mystery"});  // gaps are still reported

    Estimate permission = v1(plan, 40, {"other"});
    EXPECT_EQ(permission.status, "permission_denied");  // 40 > 40 is false; the gap wins over the risk
    EXPECT_FALSE(permission.feasible);

    Estimate risk = v1(plan, 40, {});
    EXPECT_EQ(risk.status, "risk_too_high");
    EXPECT_FALSE(risk.feasible);
    EXPECT_NEAR(risk.cumulative_risk, 0.5904, kEps);
    // round(59.04) = 59, round(0.5 x 100) = 50
    EXPECT_TRUE(costsim_test::has_item(risk.warnings, "Cumulative risk 59% exceeds threshold 50%"))
        << "warnings: " << risk.warnings.size();

    Estimate ok = v1(plan, 40, {}, 0.6);  // 0.5904 <= 0.6
    EXPECT_EQ(ok.status, "feasible");
    EXPECT_TRUE(ok.feasible);
}

TEST(SimulatorV1, RiskWarningRoundsHalfToEven)
{
    // threshold 0.125 -> 12.5 -> 12 (half to even); cum 1 - 0.9^2 = 0.19 -> 19
    Estimate a = v1(R"([{"skill":"http_call","iterations":2}])", 1000, {}, 0.125);
    EXPECT_EQ(a.status, "risk_too_high");
    EXPECT_TRUE(costsim_test::has_item(a.warnings, "Cumulative risk 19% exceeds threshold 12%"));
    // threshold 0.375 -> 37.5 -> 38 (half to even); cum 1 - 0.8^3 = 0.488 -> 49
    Estimate b = v1(R"([{"skill":"mystery","iterations":3}])", 1000, {}, 0.375);
    EXPECT_EQ(b.status, "risk_too_high");
    EXPECT_TRUE(costsim_test::has_item(b.warnings, "Cumulative risk 49% exceeds threshold 38%"));
}

TEST(SimulatorV1, RiskAtThresholdIsNotTooHigh)
{
    // cum = 1 - 0.8 = 0.2 (up to rounding below) and the check is strictly greater: feasible at 0.2.
    Estimate e = v1(R"([{"skill":"mystery"}])", 1000, {}, 0.2);
    EXPECT_EQ(e.status, "feasible");
    // Exactly at the threshold: pass the threshold computed with the spec's own formula, 1 - (1 - 0.2)^1,
    // so cumulative risk == threshold bit for bit; "> threshold" is false -> feasible.
    const double exact = 1.0 - (1.0 - 0.2);
    EXPECT_EQ(v1(R"([{"skill":"mystery"}])", 1000, {}, exact).status, "feasible");
    // Budget equal to cost is sufficient (cost > budget fails, not >=).
    Estimate b = v1(R"([{"skill":"mystery"}])", 10);
    EXPECT_EQ(b.status, "feasible");
    EXPECT_TRUE(b.feasible);
}

// ------------------------------------------------------------------------------------------------ empty plan

TEST(SimulatorV1, EmptyPlan)
{
    Estimate e = v1("[]");
    EXPECT_EQ(e.status, "invalid_plan");
    EXPECT_FALSE(e.feasible);
    EXPECT_EQ(e.estimated_cost_cents, 0);
    EXPECT_EQ(e.estimated_duration_ms, 0);
    EXPECT_EQ(e.warnings, std::vector<std::string>{"Empty plan provided"});
    EXPECT_TRUE(e.step_estimates.empty());
    EXPECT_TRUE(e.risks.empty());
    EXPECT_TRUE(e.alternatives.empty());
    EXPECT_TRUE(e.permission_gaps.empty());
    EXPECT_EQ(e.plan_steps, 0);
    EXPECT_EQ(e.cumulative_risk, 0);

    Value j = costsim::to_json(e);
    EXPECT_EQ(costsim_test::string_at(j, "status"), "invalid_plan");
    EXPECT_FALSE(costsim_test::bool_at(j, "feasible"));
    EXPECT_EQ(costsim_test::number_at(j, "estimated_cost_cents"), 0);
    EXPECT_EQ(costsim_test::number_at(j, "budget_remaining_cents"), 1000);  // 1000 - 0
    EXPECT_TRUE(costsim_test::array_at(j, "alternatives").empty());
    const Array& warnings = costsim_test::array_at(j, "warnings");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].as_string(), "Empty plan provided");
}

// ------------------------------------------------------------------------------------------------ alternatives

TEST(SimulatorV1, AlternativesWhenBudgetInsufficient)
{
    // llm 12,345-char prompt: 12; llm x2: 5 x 2 = 10; mystery: 10; http_call: 0 -> total 32
    Array steps{step("llm_invoke", Object{{"prompt", Value(std::string(12345, 'x'))}}),
                step("llm_invoke", {}, 2), step("mystery"), step("http_call")};
    Estimate e = v1(steps, 20);
    EXPECT_EQ(e.estimated_cost_cents, 32);
    EXPECT_EQ(e.status, "budget_insufficient");
    EXPECT_FALSE(e.feasible);
    ASSERT_EQ(e.alternatives.size(), 1u);
    EXPECT_EQ(e.alternatives[0].suggestion, "Reduce LLM calls");
    EXPECT_EQ(e.alternatives[0].potential_savings_cents, 22);  // llm_invoke step costs: 12 + 10

    Value j = costsim::to_json(e);
    EXPECT_EQ(costsim_test::number_at(j, "budget_remaining_cents"), -12);  // 20 - 32
    EXPECT_FALSE(costsim_test::bool_at(j, "budget_sufficient"));
    const Value& meta = costsim_test::member(j, "metadata");
    EXPECT_DOUBLE_EQ(costsim_test::number_at(meta, "budget_utilization"), 1.6);  // 32 / max(20, 1)
    const Array& alts = costsim_test::array_at(j, "alternatives");
    ASSERT_EQ(alts.size(), 1u);
    EXPECT_EQ(costsim_test::string_at(alts[0], "suggestion"), "Reduce LLM calls");
    EXPECT_EQ(costsim_test::number_at(alts[0], "potential_savings_cents"), 22);

    // Same plan with budget 32: sufficient, no alternatives.
    // cum = 1 - 0.95 x 0.95^2 x 0.8 x 0.9 = 1 - 0.61731 = 0.38269 <= 0.5 -> feasible
    Estimate ok = v1(steps, 32);
    EXPECT_EQ(ok.status, "feasible");
    EXPECT_TRUE(ok.alternatives.empty());
    EXPECT_NEAR(ok.cumulative_risk, 0.38269, 1e-12);
}

TEST(SimulatorV1, AlternativesWithoutLlmStepsSaveNothing)
{
    Estimate e = v1(R"([{"skill":"mystery"}])", 5);  // 10 > 5
    EXPECT_EQ(e.status, "budget_insufficient");
    ASSERT_EQ(e.alternatives.size(), 1u);
    EXPECT_EQ(e.alternatives[0].suggestion, "Reduce LLM calls");
    EXPECT_EQ(e.alternatives[0].potential_savings_cents, 0);  // no llm_invoke steps
}

// ------------------------------------------------------------------------------------------------ metadata

TEST(SimulatorV1, BudgetZero)
{
    Estimate e = v1(R"([{"skill":"mystery"}])", 0);
    EXPECT_EQ(e.status, "budget_insufficient");  // 10 > 0
    Value j = costsim::to_json(e);
    EXPECT_EQ(costsim_test::number_at(j, "budget_remaining_cents"), -10);  // 0 - 10
    EXPECT_DOUBLE_EQ(costsim_test::number_at(costsim_test::member(j, "metadata"), "budget_utilization"),
                     10.0);  // 10 / max(0, 1)

    Estimate free = v1(R"([{"skill":"json_transform"}])", 0);
    EXPECT_EQ(free.status, "feasible");  // 0 > 0 is false
    Value jf = costsim::to_json(free);
    EXPECT_EQ(costsim_test::number_at(costsim_test::member(jf, "metadata"), "budget_utilization"), 0.0);  // 0 / 1
    EXPECT_TRUE(costsim_test::bool_at(jf, "budget_sufficient"));
}

// ------------------------------------------------------------------------------------------------ to_json

TEST(SimulatorV1, ToJsonShapeAndValues)
{
    // kv_get (0 c, 5 ms, 0.02) and http_call x3 with timeout 0.25 (0 c, 250 ms x 3, 1 - 0.9^3 = 0.271).
    Estimate e = v1(R"([{"skill":"kv_get"},{"skill":"http_call","params":{"timeout":0.25},"iterations":3}])", 100);
    Value j = costsim::to_json(e);
    ASSERT_TRUE(j.is_object());
    const std::set<std::string> top = {"feasible", "status", "estimated_cost_cents", "estimated_duration_ms",
                                       "budget_remaining_cents", "budget_sufficient", "permission_gaps", "risks",
                                       "step_estimates", "alternatives", "warnings", "metadata"};
    EXPECT_EQ(keys_of(j), top);  // exactly V1's keys: no model_version / confidence_score / runtime_us

    EXPECT_TRUE(costsim_test::bool_at(j, "feasible"));
    EXPECT_EQ(costsim_test::string_at(j, "status"), "feasible");
    EXPECT_EQ(costsim_test::number_at(j, "estimated_cost_cents"), 0);
    EXPECT_EQ(costsim_test::number_at(j, "estimated_duration_ms"), 755);  // 5 + 250 x 3
    EXPECT_EQ(costsim_test::number_at(j, "budget_remaining_cents"), 100);  // 100 - 0
    EXPECT_TRUE(costsim_test::bool_at(j, "budget_sufficient"));
    EXPECT_TRUE(costsim_test::array_at(j, "permission_gaps").empty());
    EXPECT_TRUE(costsim_test::array_at(j, "alternatives").empty());
    EXPECT_TRUE(costsim_test::array_at(j, "warnings").empty());

    const Array& steps = costsim_test::array_at(j, "step_estimates");
    ASSERT_EQ(steps.size(), 2u);
    const std::set<std::string> step_keys = {"step_index", "skill_id", "cost_cents", "latency_ms",
                                             "risk_probability", "risk_type", "iterations", "base_cost_cents",
                                             "base_latency_ms"};
    EXPECT_EQ(keys_of(steps[0]), step_keys);
    EXPECT_EQ(keys_of(steps[1]), step_keys);
    EXPECT_EQ(costsim_test::number_at(steps[0], "step_index"), 0);  // 0-based
    EXPECT_EQ(costsim_test::string_at(steps[0], "skill_id"), "kv_get");
    EXPECT_NEAR(costsim_test::number_at(steps[0], "risk_probability"), 0.02, kEps);
    EXPECT_EQ(costsim_test::string_at(steps[0], "risk_type"), "not_found");
    EXPECT_EQ(costsim_test::number_at(steps[1], "step_index"), 1);
    EXPECT_EQ(costsim_test::string_at(steps[1], "skill_id"), "http_call");
    EXPECT_EQ(costsim_test::number_at(steps[1], "cost_cents"), 0);
    EXPECT_EQ(costsim_test::number_at(steps[1], "latency_ms"), 750);
    EXPECT_NEAR(costsim_test::number_at(steps[1], "risk_probability"), 0.271, kEps);
    EXPECT_EQ(costsim_test::string_at(steps[1], "risk_type"), "timeout");
    EXPECT_EQ(costsim_test::number_at(steps[1], "iterations"), 3);
    EXPECT_EQ(costsim_test::number_at(steps[1], "base_cost_cents"), 0);
    EXPECT_EQ(costsim_test::number_at(steps[1], "base_latency_ms"), 250);

    const Array& risks = costsim_test::array_at(j, "risks");
    ASSERT_EQ(risks.size(), 1u);
    EXPECT_EQ(keys_of(risks[0]), (std::set<std::string>{"step_index", "skill_id", "risk_type", "probability",
                                                         "description", "mitigation"}));
    EXPECT_EQ(costsim_test::number_at(risks[0], "step_index"), 1);  // 0-based position of http_call
    EXPECT_EQ(costsim_test::string_at(risks[0], "skill_id"), "http_call");
    EXPECT_EQ(costsim_test::string_at(risks[0], "risk_type"), "timeout");
    EXPECT_NEAR(costsim_test::number_at(risks[0], "probability"), 0.271, kEps);
    EXPECT_EQ(costsim_test::string_at(risks[0], "description"), "http_call x3 has 27% chance of timeout");
    EXPECT_EQ(costsim_test::string_at(risks[0], "mitigation"), "Add retry with exponential backoff");

    const Value& meta = costsim_test::member(j, "metadata");
    EXPECT_EQ(keys_of(meta), (std::set<std::string>{"plan_steps", "cumulative_risk", "budget_utilization"}));
    EXPECT_EQ(costsim_test::number_at(meta, "plan_steps"), 2);
    EXPECT_NEAR(costsim_test::number_at(meta, "cumulative_risk"), 0.28558, kEps);  // 1 - 0.98 x 0.729
    EXPECT_EQ(costsim_test::number_at(meta, "budget_utilization"), 0);             // 0 / 100
}

TEST(SimulatorV1, ToJsonPermissionGapsAndWarnings)
{
    Estimate e = v1(R"([{"skill":"mystery","iterations":4},{"skill":"kv_get"},{"skill":"kv_get"}])", 1000,
                    {"mystery"});
    Value j = costsim::to_json(e);
    EXPECT_EQ(costsim_test::string_at(j, "status"), "permission_denied");
    const Array& gaps = costsim_test::array_at(j, "permission_gaps");
    ASSERT_EQ(gaps.size(), 2u);
    EXPECT_EQ(gaps[0].as_string(), "kv_get");
    EXPECT_EQ(gaps[1].as_string(), "kv_get");

    // Risk warning in JSON form.
    Estimate r = v1(R"([{"skill":"mystery","iterations":4}])");
    Value jr = costsim::to_json(r);
    bool found = false;
    for (const Value& w : costsim_test::array_at(jr, "warnings"))
        if (w.is_string() && w.as_string() == "Cumulative risk 59% exceeds threshold 50%") found = true;
    EXPECT_TRUE(found) << json::dump(jr);
}

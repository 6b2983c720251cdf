// V2, the candidate simulator (spec section 3), with model 2.0.0 typed in from the spec's table
// (test_models.hpp). Expected values are worked out by hand; the arithmetic is next to each.
#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/simulator_v2.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace json = costsim::json;
using costsim::Estimate;
using costsim_test::Array;
using costsim_test::Object;
using costsim_test::Value;
using costsim_test::model_2_0_0;
using costsim_test::plan_of;
using costsim_test::repeat;
using costsim_test::step;

namespace {

constexpr double kEps = 1e-9;

const costsim::Model& model()
{
    static const costsim::Model m = model_2_0_0();
    return m;
}

Estimate v2(const std::string& plan_json, std::int64_t budget = 1000, const costsim::AllowedSkills& allowed = {},
            const costsim::Model& m = model())
{
    return costsim::simulate_v2(plan_of(plan_json), budget, allowed, m);
}

Estimate v2(Array steps, std::int64_t budget = 1000, const costsim::AllowedSkills& allowed = {},
            const costsim::Model& m = model())
{
    return costsim::simulate_v2(plan_of(std::move(steps)), budget, allowed, m);
}

Estimate llm(std::size_t prompt_chars, int iterations = 1)
{
    return v2(Array{step("llm_invoke", Object{{"prompt", Value(std::string(prompt_chars, 'x'))}}, iterations)});
}

const costsim::StepEstimate& only_step(const Estimate& e)
{
    static const costsim::StepEstimate none;
    EXPECT_EQ(e.step_estimates.size(), 1u);
    return e.step_estimates.empty() ? none : e.step_estimates[0];
}

double step_confidence(const Estimate& e)
{
    const costsim::StepEstimate& s = only_step(e);
    EXPECT_TRUE(s.confidence.has_value());
    return s.confidence.value_or(-1);
}

std::set<std::string> keys_of(const Value& object)
{
    std::set<std::string> keys;
    if (object.is_object())
        for (const auto& m : object.as_object()) keys.insert(m.first);
    return keys;
}

struct PlainRow {
    const char* skill;
    double cost, latency, confidence;
    const char* risk_type;
    double factor;
    bool reported;  // factor > 0.02
    double rounded_cost;
};

// Spec section 3 table, the skills without a special rule ("mystery" = any other skill, the "*" row).
const PlainRow kPlainRows[] = {
    {"json_transform", 0, 5, 0.98, "transform_error", 0.005, false, 0},
    {"fs_read", 0, 30, 0.95, "not_found", 0.03, true, 0},
    {"fs_write", 0, 50, 0.94, "permission", 0.02, false, 0},  // exactly 0.02: not reported
    {"kv_get", 0, 3, 0.97, "not_found", 0.01, false, 0},
    {"kv_set", 0, 5, 0.97, "quota", 0.01, false, 0},
    {"webhook_send", 0, 200, 0.90, "timeout", 0.08, true, 0},
    {"email_send", 0.8, 350, 0.93, "delivery", 0.03, true, 1},  // round(0.8) = 1
    {"mystery", 5, 500, 0.60, "unknown", 0.15, true, 5},
};

}  // namespace

// ------------------------------------------------------------------------------------------------ table

TEST(SimulatorV2, PlainSkillRows)
{
    for (const PlainRow& row : kPlainRows) {
        SCOPED_TRACE(row.skill);
        Estimate e = v2(Array{step(row.skill)});
        const costsim::StepEstimate& s = only_step(e);
        EXPECT_EQ(s.step_index, 0);
        EXPECT_EQ(s.skill_id, row.skill);
        EXPECT_EQ(s.cost_cents, row.cost);
        EXPECT_EQ(s.base_cost_cents, row.cost);
        EXPECT_EQ(s.latency_ms, row.latency);
        EXPECT_EQ(s.base_latency_ms, row.latency);
        EXPECT_EQ(s.risk_probability, row.factor);  // n = 1: exactly p
        EXPECT_EQ(s.risk_type, row.risk_type);
        EXPECT_EQ(s.iterations, 1);
        ASSERT_TRUE(s.confidence.has_value());
        EXPECT_EQ(*s.confidence, row.confidence);
        EXPECT_DOUBLE_EQ(e.confidence_score, row.confidence);  // round(conf, 4) = conf (<= 2 decimals)
        EXPECT_EQ(e.estimated_cost_cents, row.rounded_cost);
        EXPECT_EQ(e.estimated_duration_ms, row.latency);
        EXPECT_EQ(e.risks.size(), row.reported ? 1u : 0u);
        EXPECT_NEAR(e.cumulative_risk, row.reported ? row.factor : 0.0, 1e-15);
        EXPECT_EQ(e.status, "success");
        EXPECT_TRUE(e.feasible);
        ASSERT_TRUE(e.model_version.has_value());
        EXPECT_EQ(*e.model_version, "2.0.0");
        EXPECT_EQ(e.plan_steps, 1);
    }
}

TEST(SimulatorV2, CoefficientsFor)
{
    EXPECT_EQ(model().coefficients_for("kv_get").base_latency_ms, 3);
    EXPECT_EQ(model().coefficients_for("anything").base_latency_ms, 500);  // "*" fallback
    EXPECT_EQ(model().coefficients_for("anything").risk_type, "unknown");
    costsim::Model no_fallback = model_2_0_0();
    no_fallback.fallback.reset();
    costsim_test::expect_error([&] { no_fallback.coefficients_for("anything"); },
                               costsim::ErrorKind::invalid_input);
    EXPECT_EQ(no_fallback.coefficients_for("kv_get").base_latency_ms, 3);
}

TEST(SimulatorV2, UnknownSkillWithoutFallbackIsAnError)
{
    costsim::Model no_fallback = model_2_0_0();
    no_fallback.fallback.reset();
    EXPECT_THROW(v2(R"([{"skill":"kv_get"},{"skill":"zzz"}])", 1000, {}, no_fallback), costsim::Error);
    EXPECT_NO_THROW(v2(R"([{"skill":"kv_get"}])", 1000, {}, no_fallback));
}

// ------------------------------------------------------------------------------------------------ llm_invoke

TEST(SimulatorV2, LlmWithoutPrompt)
{
    // L = 0, out = 0: cost 3.5, latency 1800, confidence 0.92, risk 0.03 (reported: > 0.02)
    Estimate e = v2(R"([{"skill":"llm_invoke"}])");
    const costsim::StepEstimate& s = only_step(e);
    EXPECT_EQ(s.cost_cents, 3.5);
    EXPECT_EQ(s.latency_ms, 1800);
    EXPECT_EQ(s.risk_probability, 0.03);
    EXPECT_EQ(s.risk_type, "rate_limit");
    EXPECT_EQ(s.confidence.value_or(-1), 0.92);
    EXPECT_EQ(e.estimated_cost_cents, 4);  // round(3.5) = 4 (half to even)
    EXPECT_EQ(e.estimated_duration_ms, 1800);
    ASSERT_EQ(e.risks.size(), 1u);
    EXPECT_EQ(e.risks[0].risk_type, "rate_limit");
}

TEST(SimulatorV2, LlmPromptRule)
{
    {
        SCOPED_TRACE("L = 1000");
        // out = min(2000, 4000) = 2000; cost = 3.5 + 1.0 x 0.8 + 2.0 x 1.2 = 6.7; latency = 1800 + 1.0 x 200
        Estimate e = llm(1000);
        EXPECT_NEAR(only_step(e).cost_cents, 6.7, kEps);
        EXPECT_NEAR(only_step(e).latency_ms, 2000, kEps);
        EXPECT_DOUBLE_EQ(step_confidence(e), 0.92);
        EXPECT_EQ(e.estimated_cost_cents, 7);
        EXPECT_EQ(e.estimated_duration_ms, 2000);
    }
    {
        SCOPED_TRACE("L = 2000");
        // out = min(4000, 4000); cost = 3.5 + 1.6 + 4.8 = 9.9; latency = 1800 + 400; L > 2000 is false
        Estimate e = llm(2000);
        EXPECT_NEAR(only_step(e).cost_cents, 9.9, kEps);
        EXPECT_NEAR(only_step(e).latency_ms, 2200, kEps);
        EXPECT_DOUBLE_EQ(step_confidence(e), 0.92);
        EXPECT_EQ(e.estimated_cost_cents, 10);
    }
    {
        SCOPED_TRACE("L = 2001");
        // out = min(4002, 4000) = 4000; cost = 3.5 + 2.001 x 0.8 + 4 x 1.2 = 3.5 + 1.6008 + 4.8 = 9.9008
        // latency = 1800 + 2.001 x 200 = 2200.2; confidence 0.92 x 0.95 = 0.874
        Estimate e = llm(2001);
        EXPECT_NEAR(only_step(e).cost_cents, 9.9008, kEps);
        EXPECT_NEAR(only_step(e).latency_ms, 2200.2, kEps);
        EXPECT_NEAR(step_confidence(e), 0.874, 1e-12);
        EXPECT_EQ(e.estimated_cost_cents, 10);
        EXPECT_EQ(e.estimated_duration_ms, 2200);
        EXPECT_DOUBLE_EQ(e.confidence_score, 0.874);
    }
    {
        SCOPED_TRACE("L = 2500");
        // out = 4000 (capped); cost = 3.5 + 2.0 + 4.8 = 10.3; latency = 1800 + 500 = 2300; conf 0.874
        Estimate e = llm(2500);
        EXPECT_NEAR(only_step(e).cost_cents, 10.3, kEps);
        EXPECT_NEAR(only_step(e).latency_ms, 2300, kEps);
        EXPECT_NEAR(step_confidence(e), 0.874, 1e-12);
        EXPECT_EQ(e.estimated_cost_cents, 10);
    }
    {
        SCOPED_TRACE("L = 4000");
        // cost = 3.5 + 3.2 + 4.8 = 11.5; latency = 1800 + 800 = 2600; L > 4000 is false: conf 0.92 x 0.95
        Estimate e = llm(4000);
        EXPECT_NEAR(only_step(e).cost_cents, 11.5, kEps);
        EXPECT_NEAR(only_step(e).latency_ms, 2600, kEps);
        EXPECT_NEAR(step_confidence(e), 0.874, 1e-12);
    }
    {
        SCOPED_TRACE("L = 4001");
        // cost = 3.5 + 3.2008 + 4.8 = 11.5008 -> 12; latency = 1800 + 800.2 = 2600.2 -> 2600
        // confidence 0.92 x 0.95 x 0.90 = 0.7866
        Estimate e = llm(4001);
        EXPECT_NEAR(only_step(e).cost_cents, 11.5008, kEps);
        EXPECT_NEAR(only_step(e).latency_ms, 2600.2, kEps);
        EXPECT_NEAR(step_confidence(e), 0.7866, 1e-12);
        EXPECT_EQ(e.estimated_cost_cents, 12);
        EXPECT_EQ(e.estimated_duration_ms, 2600);
        EXPECT_DOUBLE_EQ(e.confidence_score, 0.7866);
    }
    {
        SCOPED_TRACE("L = 5000");
        // out = min(10000, 4000) = 4000; cost = 3.5 + 4.0 + 4.8 = 12.3; latency = 1800 + 1000 = 2800
        Estimate e = llm(5000);
        EXPECT_NEAR(only_step(e).cost_cents, 12.3, kEps);
        EXPECT_NEAR(only_step(e).latency_ms, 2800, kEps);
        EXPECT_NEAR(step_confidence(e), 0.7866, 1e-12);
        EXPECT_EQ(e.estimated_cost_cents, 12);
        EXPECT_EQ(e.estimated_duration_ms, 2800);
    }
}

TEST(SimulatorV2, LlmCountsCodePoints)
{
    // 1000 x U+1F600: L = 1000 code points (2000 UTF-16 units, 4000 bytes) -> cost 6.7 as for 1000 ASCII chars
    Estimate e = v2(Array{step("llm_invoke", Object{{"prompt", Value(repeat("\xf0\x9f\x98\x80", 1000))}})});
    EXPECT_NEAR(only_step(e).cost_cents, 6.7, kEps);
    // Non-string prompt: {"p":"<992 x's>"} is 992 + 8 = 1000 chars of canonical text -> 6.7
    Estimate o = v2(Array{step("llm_invoke", Object{{"prompt", Value(Object{{"p", Value(std::string(992, 'x'))}})}})});
    EXPECT_NEAR(only_step(o).cost_cents, 6.7, kEps);
}

TEST(SimulatorV2, LlmIterations)
{
    // L = 1000 x 2: cost 6.7 x 2 = 13.4; latency 2000 x 2 = 4000; risk 1 - 0.97^2 = 0.0591; conf once: 0.92
    Estimate e = llm(1000, 2);
    const costsim::StepEstimate& s = only_step(e);
    EXPECT_NEAR(s.base_cost_cents, 6.7, kEps);
    EXPECT_NEAR(s.cost_cents, 13.4, kEps);
    EXPECT_NEAR(s.base_latency_ms, 2000, kEps);
    EXPECT_NEAR(s.latency_ms, 4000, kEps);
    EXPECT_NEAR(s.risk_probability, 0.0591, 1e-12);
    EXPECT_EQ(s.iterations, 2);
    EXPECT_DOUBLE_EQ(s.confidence.value_or(-1), 0.92);
    EXPECT_EQ(e.estimated_cost_cents, 13);
    EXPECT_EQ(e.estimated_duration_ms, 4000);
    EXPECT_DOUBLE_EQ(e.confidence_score, 0.92);
}

// ------------------------------------------------------------------------------------------------ http_call

TEST(SimulatorV2, HttpDefaultsAreExternalWithThirtySecondTimeout)
{
    // latency = min(350 + 150, 30 x 1000) = 500; missing URL counts as external:
    // risk 0.08 x 1.5 = 0.12, confidence 0.85 x 0.95 = 0.8075
    Estimate e = v2(R"([{"skill":"http_call"}])");
    const costsim::StepEstimate& s = only_step(e);
    EXPECT_EQ(s.cost_cents, 0);
    EXPECT_EQ(s.latency_ms, 500);
    EXPECT_NEAR(s.risk_probability, 0.12, 1e-15);
    EXPECT_EQ(s.risk_type, "timeout");
    EXPECT_NEAR(s.confidence.value_or(-1), 0.8075, 1e-12);
    EXPECT_DOUBLE_EQ(e.confidence_score, 0.8075);
    ASSERT_EQ(e.risks.size(), 1u);
    EXPECT_NEAR(e.risks[0].probability, 0.12, 1e-15);
}

TEST(SimulatorV2, HttpLocalUrls)
{
    for (const char* url : {"http://localhost:8080/x", "http://127.0.0.1/"}) {
        SCOPED_TRACE(url);
        Estimate e = v2(Array{step("http_call", Object{{"url", Value(url)}})});
        EXPECT_EQ(only_step(e).risk_probability, 0.08);  // no external factor, n = 1: exactly p
        EXPECT_DOUBLE_EQ(step_confidence(e), 0.85);
        EXPECT_EQ(only_step(e).latency_ms, 500);
    }
    for (const char* url : {"https://localhost", "https://api.example.com/v1"}) {
        SCOPED_TRACE(url);
        Estimate e = v2(Array{step("http_call", Object{{"url", Value(url)}})});
        EXPECT_NEAR(only_step(e).risk_probability, 0.12, 1e-15);  // 0.08 x 1.5
        EXPECT_NEAR(step_confidence(e), 0.8075, 1e-12);           // 0.85 x 0.95
    }
}

TEST(SimulatorV2, HttpTimeout)
{
    auto latency = [](double timeout) {
        Estimate e = v2(Array{step("http_call", Object{{"url", Value("http://localhost/")}, {"timeout", Value(timeout)}})});
        return only_step(e).latency_ms;
    };
    EXPECT_EQ(latency(0.25), 250);  // min(500, 250)
    EXPECT_EQ(latency(0.4), 400);   // min(500, 400)
    EXPECT_EQ(latency(2), 500);     // min(500, 2000)
    EXPECT_EQ(latency(60), 500);    // min(500, 60000)
    EXPECT_EQ(latency(0), 0);       // min(500, 0)
}

// ------------------------------------------------------------------------------------------------ shell_lite

TEST(SimulatorV2, ShellLongCommand)
{
    auto shell = [](std::size_t command_chars) {
        return v2(Array{step("shell_lite", Object{{"command", Value(std::string(command_chars, 'c'))}})});
    };
    Estimate at100 = shell(100);  // not longer than 100: table values
    EXPECT_EQ(only_step(at100).risk_probability, 0.07);
    EXPECT_DOUBLE_EQ(step_confidence(at100), 0.88);
    EXPECT_EQ(only_step(at100).latency_ms, 150);

    Estimate at101 = shell(101);  // risk 0.07 x 1.2 = 0.084, confidence 0.88 x 0.95 = 0.836
    EXPECT_NEAR(only_step(at101).risk_probability, 0.084, 1e-15);
    EXPECT_NEAR(step_confidence(at101), 0.836, 1e-12);
    EXPECT_EQ(only_step(at101).latency_ms, 150);

    Estimate none = v2(R"([{"skill":"shell_lite"}])");
    EXPECT_EQ(only_step(none).risk_probability, 0.07);
}

// ------------------------------------------------------------------------------------------------ iterations

TEST(SimulatorV2, Iterations)
{
    // http_call local x3: latency 500 x 3; risk 1 - 0.92^3 = 1 - 0.778688 = 0.221312; confidence once: 0.85
    Estimate h = v2(Array{step("http_call", Object{{"url", Value("http://localhost/")}}, 3)});
    EXPECT_EQ(only_step(h).latency_ms, 1500);
    EXPECT_EQ(only_step(h).base_latency_ms, 500);
    EXPECT_NEAR(only_step(h).risk_probability, 0.221312, 1e-12);
    EXPECT_DOUBLE_EQ(step_confidence(h), 0.85);
    EXPECT_DOUBLE_EQ(h.confidence_score, 0.85);
    EXPECT_EQ(h.estimated_duration_ms, 1500);

    // email_send x5: cost 0.8 x 5 = 4.0; latency 350 x 5 = 1750; risk 1 - 0.97^5 = 0.1412659743
    Estimate m = v2(R"([{"skill":"email_send","iterations":5}])");
    EXPECT_NEAR(only_step(m).cost_cents, 4.0, kEps);
    EXPECT_EQ(only_step(m).latency_ms, 1750);
    EXPECT_NEAR(only_step(m).risk_probability, 0.1412659743, 1e-12);
    EXPECT_DOUBLE_EQ(step_confidence(m), 0.93);
    EXPECT_EQ(m.estimated_cost_cents, 4);
    EXPECT_EQ(m.estimated_duration_ms, 1750);
}

TEST(SimulatorV2, SingleIterationRiskIsExactlyTheFactor)
{
    // n = 1: exactly p (spec), so that 0.02 is not reported through rounding error.
    EXPECT_EQ(only_step(v2(R"([{"skill":"fs_write"}])")).risk_probability, 0.02);
    EXPECT_EQ(only_step(v2(R"([{"skill":"kv_get"}])")).risk_probability, 0.01);
    EXPECT_EQ(only_step(v2(R"([{"skill":"mystery"}])")).risk_probability, 0.15);
    EXPECT_TRUE(v2(R"([{"skill":"fs_write"}])").risks.empty());
}

// ------------------------------------------------------------------------------------------------ rounding

TEST(SimulatorV2, TotalsRoundHalfToEven)
{
    // llm_invoke without prompt x3: 3.5 x 3 = 10.5 -> 10 (half to even; half up would give 11)
    Estimate e = v2(R"([{"skill":"llm_invoke","iterations":3}])");
    EXPECT_EQ(only_step(e).cost_cents, 10.5);
    EXPECT_EQ(e.estimated_cost_cents, 10);
    EXPECT_EQ(e.estimated_duration_ms, 5400);  // 1800 x 3

    // http_call timeout 0.0025 s: latency min(500, 2.5) = 2.5 -> 2; 0.0035 s -> 3.5 -> 4
    auto http_ms = [](double timeout) {
        return v2(Array{step("http_call", Object{{"url", Value("http://localhost/")}, {"timeout", Value(timeout)}})})
            .estimated_duration_ms;
    };
    EXPECT_EQ(http_ms(0.0025), 2);
    EXPECT_EQ(http_ms(0.0035), 4);
}

TEST(SimulatorV2, TotalsAreFloatSumsRoundedOnce)
{
    // Two llm_invoke without prompt: 3.5 + 3.5 = 7.0 -> 7 (rounding each step first would give 4 + 4 = 8)
    EXPECT_EQ(v2(R"([{"skill":"llm_invoke"},{"skill":"llm_invoke"}])").estimated_cost_cents, 7);
    // llm_invoke + email_send: 3.5 + 0.8 = 4.3 -> 4 (not 4 + 1 = 5)
    EXPECT_EQ(v2(R"([{"skill":"llm_invoke"},{"skill":"email_send"}])").estimated_cost_cents, 4);
}

TEST(SimulatorV2, RoundingWithACustomModel)
{
    // A coefficient set with exact binary halves: a = 0.5 c / 2.5 ms, b = 1.5 c / 0.5 ms.
    costsim::Model t;
    t.version = "test-halves";
    t.skills["a"] = costsim_test::coeff(0.5, 2.5, 1.0, "unknown", 0.0);
    t.skills["b"] = costsim_test::coeff(1.5, 0.5, 1.0, "unknown", 0.0);
    Estimate a = v2(R"([{"skill":"a"}])", 1000, {}, t);
    EXPECT_EQ(a.estimated_cost_cents, 0);    // round(0.5) = 0
    EXPECT_EQ(a.estimated_duration_ms, 2);   // round(2.5) = 2
    Estimate b = v2(R"([{"skill":"b"}])", 1000, {}, t);
    EXPECT_EQ(b.estimated_cost_cents, 2);    // round(1.5) = 2
    EXPECT_EQ(b.estimated_duration_ms, 0);   // round(0.5) = 0
    Estimate ab = v2(R"([{"skill":"a"},{"skill":"b","iterations":3}])", 1000, {}, t);
    EXPECT_EQ(ab.estimated_cost_cents, 5);   // 0.5 + 1.5 x 3 = 5.0
    EXPECT_EQ(ab.estimated_duration_ms, 4);  // 2.5 + 0.5 x 3 = 4.0
    Estimate aaa = v2(R"([{"skill":"a","iterations":3}])", 1000, {}, t);
    EXPECT_EQ(aaa.estimated_cost_cents, 2);   // 0.5 x 3 = 1.5 -> 2
    EXPECT_EQ(aaa.estimated_duration_ms, 8);  // 2.5 x 3 = 7.5 -> 8
    ASSERT_TRUE(aaa.model_version.has_value());
    EXPECT_EQ(*aaa.model_version, "test-halves");
}

// ------------------------------------------------------------------------------------------------ risks

TEST(SimulatorV2, RisksReportedAboveTwoPercent)
{
    // kv_get 0.01: no; http_call local 0.08: yes; fs_write 0.02 exactly: no.
    Estimate e = v2(Array{step("kv_get"), step("http_call", Object{{"url", Value("http://localhost/")}}),
                          step("fs_write")});
    ASSERT_EQ(e.risks.size(), 1u);
    EXPECT_EQ(e.risks[0].step_index, 1);
    EXPECT_EQ(e.risks[0].skill_id, "http_call");
    EXPECT_EQ(e.risks[0].risk_type, "timeout");
    EXPECT_EQ(e.risks[0].probability, 0.08);
    EXPECT_NEAR(e.cumulative_risk, 0.08, 1e-15);  // over reported risks only: 1 - (1 - 0.08)

    // kv_get x3: 1 - 0.99^3 = 0.029701 > 0.02: reported.
    Estimate k = v2(R"([{"skill":"kv_get","iterations":3}])");
    ASSERT_EQ(k.risks.size(), 1u);
    EXPECT_NEAR(k.risks[0].probability, 0.029701, 1e-12);
}

TEST(SimulatorV2, CumulativeRiskOverReportedRisksOnly)
{
    // Reported: http local 0.08 (step 0), fs_read 0.03 (step 2); kv_get 0.01 (step 1) is not.
    // 1 - 0.92 x 0.97 = 1 - 0.8924 = 0.1076 (including kv_get would give 1 - 0.92 x 0.99 x 0.97 = 0.116524)
    Estimate e = v2(Array{step("http_call", Object{{"url", Value("http://localhost/")}}), step("kv_get"),
                          step("fs_read")});
    ASSERT_EQ(e.risks.size(), 2u);
    EXPECT_EQ(e.risks[0].step_index, 0);
    EXPECT_EQ(e.risks[1].step_index, 2);
    EXPECT_EQ(e.risks[1].skill_id, "fs_read");
    EXPECT_NEAR(e.cumulative_risk, 0.1076, 1e-12);
}

// ------------------------------------------------------------------------------------------------ confidence

TEST(SimulatorV2, ConfidenceScoreIsTheRoundedProduct)
{
    // 0.85 x 0.92 x 0.97 = 0.75854 -> round(., 4) = 0.7585
    Estimate a = v2(Array{step("http_call", Object{{"url", Value("http://localhost/")}}), step("llm_invoke"),
                          step("kv_get")});
    EXPECT_DOUBLE_EQ(a.confidence_score, 0.7585);
    // shell_lite 101-char command (0.88 x 0.95 = 0.836) x llm 5000 chars (0.92 x 0.95 x 0.90 = 0.7866)
    // x mystery (0.60) = 0.39455856 -> 0.3946
    Estimate b = v2(Array{step("shell_lite", Object{{"command", Value(std::string(101, 'c'))}}),
                          step("llm_invoke", Object{{"prompt", Value(std::string(5000, 'p'))}}), step("mystery")});
    EXPECT_DOUBLE_EQ(b.confidence_score, 0.3946);
}

// ------------------------------------------------------------------------------------------------ status

TEST(SimulatorV2, Success)
{
    Estimate e = llm(1000);
    EXPECT_EQ(e.status, "success");
    EXPECT_TRUE(e.feasible);
    EXPECT_EQ(e.budget_cents, 1000);
}

TEST(SimulatorV2, BudgetInsufficient)
{
    // L = 1000: 6.7 -> 7 cents > 5
    Estimate e = costsim::simulate_v2(
        plan_of(Array{step("llm_invoke", Object{{"prompt", Value(std::string(1000, 'x'))}})}), 5, {}, model());
    EXPECT_EQ(e.status, "error");
    EXPECT_FALSE(e.feasible);
    ASSERT_FALSE(e.warnings.empty());
    EXPECT_EQ(e.warnings[0], "Budget insufficient: need 7 cents, have 5");
}

TEST(SimulatorV2, BudgetCheckUsesTheRoundedCost)
{
    // docs/sql.md choice. L = 850: 3.5 + 0.85 x 0.8 + 1.7 x 1.2 = 3.5 + 0.68 + 2.04 = 6.22 -> 6 <= 6: success
    Estimate e = costsim::simulate_v2(
        plan_of(Array{step("llm_invoke", Object{{"prompt", Value(std::string(850, 'x'))}})}), 6, {}, model());
    EXPECT_EQ(e.estimated_cost_cents, 6);
    EXPECT_EQ(e.status, "success");
    Value j = costsim::to_json(e);
    EXPECT_EQ(costsim_test::number_at(j, "budget_remaining_cents"), 0);  // 6 - 6
}

TEST(SimulatorV2, PermissionDenied)
{
    // a, b, a are unknown skills (fallback: 5 c, p 0.15): cost 15, cum 1 - 0.85^3 = 0.385875 <= 0.5
    Estimate e = v2(R"([{"skill":"a"},{"skill":"b"},{"skill":"a"}])", 1000, {"c"});
    EXPECT_EQ(e.status, "error");
    EXPECT_FALSE(e.feasible);
    ASSERT_FALSE(e.warnings.empty());
    EXPECT_EQ(e.warnings[0], "Permission denied for skills: a, b");  // each once, plan order (docs/sql.md)
}

TEST(SimulatorV2, RiskTooHigh)
{
    // mystery x5: 1 - 0.85^5 = 1 - 0.4437053125 = 0.5562946875 > 0.5
    Estimate e = v2(R"([{"skill":"mystery","iterations":5}])");
    EXPECT_EQ(e.status, "error");
    EXPECT_FALSE(e.feasible);
    EXPECT_NEAR(e.cumulative_risk, 0.5562946875, 1e-12);
    ASSERT_FALSE(e.warnings.empty());
    EXPECT_EQ(e.warnings[0], "Risk too high: 55.6% > 50.0%");

    // mystery x4 + external http_call: 1 - 0.85^4 x 0.88 = 1 - 0.52200625 x 0.88 = 0.5406345 -> 54.1%
    Estimate f = v2(R"([{"skill":"mystery","iterations":4},{"skill":"http_call"}])");
    EXPECT_EQ(f.status, "error");
    ASSERT_FALSE(f.warnings.empty());
    EXPECT_EQ(f.warnings[0], "Risk too high: 54.1% > 50.0%");

    // mystery x4 alone: 0.47799375 <= 0.5: success
    EXPECT_EQ(v2(R"([{"skill":"mystery","iterations":4}])").status, "success");
}

TEST(SimulatorV2, RiskThresholdParameterIsExclusive)
{
    // mystery x1: the only reported risk is exactly 0.15 (n = 1), cum = 1 - (1 - 0.15).
    const costsim::Plan plan = plan_of(R"([{"skill":"mystery"}])");
    const double cum = 1.0 - (1.0 - 0.15);
    EXPECT_EQ(costsim::simulate_v2(plan, 1000, {}, model(), cum).status, "success");  // not > threshold
    Estimate over = costsim::simulate_v2(plan, 1000, {}, model(), 0.1);
    EXPECT_EQ(over.status, "error");
    ASSERT_FALSE(over.warnings.empty());
    EXPECT_EQ(over.warnings[0], "Risk too high: 15.0% > 10.0%");
}

TEST(SimulatorV2, FirstFailingCheckWins)
{
    // mystery x5: cost 25, cum 0.556; allowed ["x"] makes it a permission gap too.
    const std::string plan = R"([{"skill":"mystery","iterations":5}])";
    Estimate budget = v2(plan, 24, {"x"});
    ASSERT_FALSE(budget.warnings.empty());
    EXPECT_EQ(budget.warnings[0], "Budget insufficient: need 25 cents, have 24");
    EXPECT_EQ(budget.status, "error");
    Estimate permission = v2(plan, 25, {"x"});
    ASSERT_FALSE(permission.warnings.empty());
    EXPECT_EQ(permission.warnings[0], "Permission denied for skills: mystery");
    EXPECT_EQ(permission.status, "error");
    Estimate risk = v2(plan, 25, {});
    ASSERT_FALSE(risk.warnings.empty());
    EXPECT_EQ(risk.warnings[0], "Risk too high: 55.6% > 50.0%");
}

TEST(SimulatorV2, EmptyPlanIsSchemaError)
{
    Estimate e = v2("[]");
    EXPECT_EQ(e.status, "schema_error");
    EXPECT_FALSE(e.feasible);
    EXPECT_EQ(e.confidence_score, 0);
    EXPECT_EQ(e.estimated_cost_cents, 0);
    EXPECT_EQ(e.estimated_duration_ms, 0);
    EXPECT_TRUE(e.step_estimates.empty());
    ASSERT_TRUE(e.model_version.has_value());
    EXPECT_EQ(*e.model_version, "2.0.0");
    Value j = costsim::to_json(e);
    EXPECT_EQ(costsim_test::string_at(j, "status"), "schema_error");
    EXPECT_EQ(costsim_test::number_at(j, "confidence_score"), 0);
}

// ------------------------------------------------------------------------------------------------ to_json

TEST(SimulatorV2, ToJsonAddsModelFields)
{
    Estimate e = v2(Array{step("llm_invoke", Object{{"prompt", Value(std::string(1000, 'x'))}}),
                          step("http_call", Object{{"url", Value("http://localhost/")}})});
    EXPECT_GE(e.runtime_us, 0);
    Value j = costsim::to_json(e);
    const std::set<std::string> expected = {"feasible", "status", "estimated_cost_cents", "estimated_duration_ms",
                                            "budget_remaining_cents", "budget_sufficient", "permission_gaps",
                                            "risks", "step_estimates", "alternatives", "warnings", "metadata",
                                            "model_version", "confidence_score", "runtime_us"};
    EXPECT_EQ(keys_of(j), expected);
    EXPECT_EQ(costsim_test::string_at(j, "model_version"), "2.0.0");
    EXPECT_EQ(costsim_test::string_at(j, "status"), "success");
    EXPECT_TRUE(costsim_test::bool_at(j, "feasible"));
    EXPECT_EQ(costsim_test::number_at(j, "estimated_cost_cents"), 7);       // 6.7 + 0 -> 7
    EXPECT_EQ(costsim_test::number_at(j, "estimated_duration_ms"), 2500);   // 2000 + 500
    EXPECT_EQ(costsim_test::number_at(j, "budget_remaining_cents"), 993);   // 1000 - 7
    EXPECT_DOUBLE_EQ(costsim_test::number_at(j, "confidence_score"), 0.782);  // 0.92 x 0.85
    EXPECT_GE(costsim_test::number_at(j, "runtime_us"), 0);
    const Array& steps = costsim_test::array_at(j, "step_estimates");
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(costsim_test::number_at(steps[0], "step_index"), 0);
    EXPECT_EQ(costsim_test::number_at(steps[1], "step_index"), 1);
    EXPECT_DOUBLE_EQ(costsim_test::number_at(steps[0], "confidence"), 0.92);
    EXPECT_DOUBLE_EQ(costsim_test::number_at(steps[1], "confidence"), 0.85);
    EXPECT_NEAR(costsim_test::number_at(steps[0], "cost_cents"), 6.7, kEps);
    // risks: llm 0.03 (step 0) and http 0.08 (step 1); cum = 1 - 0.97 x 0.92 = 0.1076
    const Array& risks = costsim_test::array_at(j, "risks");
    ASSERT_EQ(risks.size(), 2u);
    EXPECT_EQ(costsim_test::number_at(risks[1], "step_index"), 1);
    const Value& meta = costsim_test::member(j, "metadata");
    EXPECT_NEAR(costsim_test::number_at(meta, "cumulative_risk"), 0.1076, 1e-12);
    EXPECT_EQ(costsim_test::number_at(meta, "plan_steps"), 2);
    EXPECT_DOUBLE_EQ(costsim_test::number_at(meta, "budget_utilization"), 0.007);  // 7 / 1000
}

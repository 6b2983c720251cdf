// Comparison (spec section 4): drift score, verdicts with inclusive bounds, and compare() of two results.
#include "core/comparison.hpp"
#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/json.hpp"
#include "core/plan.hpp"
#include "core/simulator_v1.hpp"
#include "core/simulator_v2.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace json = costsim::json;
using costsim::Drift;
using costsim::Verdict;
using costsim_test::Array;
using costsim_test::Object;
using costsim_test::Value;
using costsim_test::step;

namespace {

std::string verdict_name(Verdict v) { return costsim::to_string(v); }

}  // namespace

TEST(ClassifyDrift, VerdictNames)
{
    EXPECT_STREQ(costsim::to_string(Verdict::match), "match");
    EXPECT_STREQ(costsim::to_string(Verdict::minor_drift), "minor_drift");
    EXPECT_STREQ(costsim::to_string(Verdict::major_drift), "major_drift");
    EXPECT_STREQ(costsim::to_string(Verdict::mismatch), "mismatch");
}

TEST(ClassifyDrift, Identical)
{
    Drift d = costsim::classify_drift(100, 100, true, true);
    EXPECT_EQ(d.drift_score, 0.0);
    EXPECT_EQ(d.verdict, Verdict::match);
    EXPECT_EQ(d.cost_delta_cents, 0);
    EXPECT_EQ(d.cost_delta_pct, 0.0);
    EXPECT_TRUE(d.feasibility_match);
    EXPECT_TRUE(costsim::classify_drift(0, 0, false, false).feasibility_match);
}

TEST(ClassifyDrift, MatchBoundaryIsInclusive)
{
    // |1300 - 1200| / 1200 = 1/12; 0.6 x 1/12 = 0.05 -> match (<= 0.05)
    Drift at = costsim::classify_drift(1200, 1300, true, true);
    EXPECT_DOUBLE_EQ(at.drift_score, 0.05);
    EXPECT_EQ(verdict_name(at.verdict), "match");
    EXPECT_EQ(at.cost_delta_cents, 100);
    EXPECT_DOUBLE_EQ(at.cost_delta_pct, 100.0 / 1200.0);
    // 101 / 1200 x 0.6 = 0.0505 -> minor_drift
    Drift above = costsim::classify_drift(1200, 1301, true, true);
    EXPECT_DOUBLE_EQ(above.drift_score, 0.0505);
    EXPECT_EQ(verdict_name(above.verdict), "minor_drift");
    // 417 / 5000 = 0.0834 x 0.6 = 0.05004 -> rounded to 4 decimals 0.05 -> match (the rounded score decides)
    Drift rounded = costsim::classify_drift(5000, 5417, true, true);
    EXPECT_DOUBLE_EQ(rounded.drift_score, 0.05);
    EXPECT_EQ(verdict_name(rounded.verdict), "match");
}

TEST(ClassifyDrift, WarningBoundaryIsInclusive)
{
    // 100 / 400 = 0.25 x 0.6 = 0.15 -> minor_drift (<= 0.15)
    Drift at = costsim::classify_drift(400, 500, true, true);
    EXPECT_DOUBLE_EQ(at.drift_score, 0.15);
    EXPECT_EQ(verdict_name(at.verdict), "minor_drift");
    // 1250 / 5000 = 0.25 -> 0.15 too
    EXPECT_EQ(verdict_name(costsim::classify_drift(5000, 6250, true, true).verdict), "minor_drift");
    // 101 / 400 = 0.2525 x 0.6 = 0.1515 -> major_drift
    Drift above = costsim::classify_drift(400, 501, true, true);
    EXPECT_DOUBLE_EQ(above.drift_score, 0.1515);
    EXPECT_EQ(verdict_name(above.verdict), "major_drift");
    // 1251 / 5000 = 0.2502 x 0.6 = 0.15012 -> 0.1501 -> major_drift
    Drift just = costsim::classify_drift(5000, 6251, true, true);
    EXPECT_DOUBLE_EQ(just.drift_score, 0.1501);
    EXPECT_EQ(verdict_name(just.verdict), "major_drift");
}

TEST(ClassifyDrift, DriftBoundaryIsInclusive)
{
    // 100 / 300 = 1/3 x 0.6 = 0.2 (0.19999999999999998 before rounding) -> major_drift (<= 0.2)
    Drift at = costsim::classify_drift(300, 400, true, true);
    EXPECT_DOUBLE_EQ(at.drift_score, 0.2);
    EXPECT_EQ(verdict_name(at.verdict), "major_drift");
    // 1667 / 5000 = 0.3334 x 0.6 = 0.20004 -> 0.2 -> major_drift
    Drift rounded = costsim::classify_drift(5000, 6667, true, true);
    EXPECT_DOUBLE_EQ(rounded.drift_score, 0.2);
    EXPECT_EQ(verdict_name(rounded.verdict), "major_drift");
    // 101 / 300 = 0.33667 x 0.6 = 0.202 -> mismatch
    Drift above = costsim::classify_drift(300, 401, true, true);
    EXPECT_DOUBLE_EQ(above.drift_score, 0.202);
    EXPECT_EQ(verdict_name(above.verdict), "mismatch");
}

TEST(ClassifyDrift, SignedDeltaAbsolutePct)
{
    // v2 below v1: delta = 300 - 400 = -100; pct = |−100| / 400 = 0.25 -> 0.15
    Drift d = costsim::classify_drift(400, 300, true, true);
    EXPECT_EQ(d.cost_delta_cents, -100);
    EXPECT_DOUBLE_EQ(d.cost_delta_pct, 0.25);
    EXPECT_DOUBLE_EQ(d.drift_score, 0.15);
    EXPECT_EQ(verdict_name(d.verdict), "minor_drift");
}

TEST(ClassifyDrift, FeasibilityMismatchAddsPointFour)
{
    // equal cost: 0.6 x 0 + 0.4 x 1 = 0.4 -> mismatch
    Drift d = costsim::classify_drift(100, 100, true, false);
    EXPECT_FALSE(d.feasibility_match);
    EXPECT_DOUBLE_EQ(d.drift_score, 0.4);
    EXPECT_EQ(verdict_name(d.verdict), "mismatch");
    Drift e = costsim::classify_drift(100, 100, false, true);
    EXPECT_FALSE(e.feasibility_match);
    EXPECT_DOUBLE_EQ(e.drift_score, 0.4);
    // 0.6 x (10 / 100) + 0.4 = 0.46
    EXPECT_DOUBLE_EQ(costsim::classify_drift(100, 110, true, false).drift_score, 0.46);
}

TEST(ClassifyDrift, PctIsCappedAtOneInTheScoreOnly)
{
    // |1000 - 10| / 10 = 99 -> min(99, 1) = 1 -> 0.6
    Drift d = costsim::classify_drift(10, 1000, true, true);
    EXPECT_DOUBLE_EQ(d.cost_delta_pct, 99.0);  // the pct itself is not capped
    EXPECT_EQ(d.cost_delta_cents, 990);
    EXPECT_DOUBLE_EQ(d.drift_score, 0.6);
    EXPECT_EQ(verdict_name(d.verdict), "mismatch");
    // 0.6 x 1 + 0.4 = 1.0 at most
    EXPECT_DOUBLE_EQ(costsim::classify_drift(10, 1000, false, true).drift_score, 1.0);
}

TEST(ClassifyDrift, ZeroV1CostDividesByOne)
{
    // |1 - 0| / max(0, 1) = 1 -> 0.6
    Drift d = costsim::classify_drift(0, 1, true, true);
    EXPECT_DOUBLE_EQ(d.cost_delta_pct, 1.0);
    EXPECT_DOUBLE_EQ(d.drift_score, 0.6);
    // |0 - 1| / max(1, 1) = 1
    EXPECT_DOUBLE_EQ(costsim::classify_drift(1, 0, true, true).cost_delta_pct, 1.0);
    // |5 - 0| / 1 = 5 (not capped) -> score 0.6
    Drift five = costsim::classify_drift(0, 5, true, true);
    EXPECT_DOUBLE_EQ(five.cost_delta_pct, 5.0);
    EXPECT_DOUBLE_EQ(five.drift_score, 0.6);
    EXPECT_EQ(costsim::classify_drift(0, 0, true, true).verdict, Verdict::match);
}

TEST(ClassifyDrift, RoundedToFourDecimals)
{
    // 0.6 x 1/7 = 0.0857142857... -> 0.0857
    EXPECT_DOUBLE_EQ(costsim::classify_drift(7, 8, true, true).drift_score, 0.0857);
    // 0.6 x 1/9 = 0.0666666... -> 0.0667
    EXPECT_DOUBLE_EQ(costsim::classify_drift(9, 10, true, true).drift_score, 0.0667);
    // 0.6 / 3000 = 0.0002
    EXPECT_DOUBLE_EQ(costsim::classify_drift(3000, 3001, true, true).drift_score, 0.0002);
    // 0.6 / 30000 = 0.00002 -> 0.0
    EXPECT_EQ(costsim::classify_drift(30000, 30001, true, true).drift_score, 0.0);
    // 0.6 x 1/3 = 0.19999999999999998 -> 0.2
    EXPECT_DOUBLE_EQ(costsim::classify_drift(3, 4, true, true).drift_score, 0.2);
}

TEST(ClassifyDrift, CustomThresholds)
{
    costsim::DriftThresholds t;
    t.warning = 0.3;
    t.drift = 0.5;
    EXPECT_EQ(verdict_name(costsim::classify_drift(400, 500, true, true, t).verdict), "minor_drift");   // 0.15
    EXPECT_EQ(verdict_name(costsim::classify_drift(300, 401, true, true, t).verdict), "minor_drift");   // 0.202
    EXPECT_EQ(verdict_name(costsim::classify_drift(100, 100, true, false, t).verdict), "major_drift");  // 0.4
    EXPECT_EQ(verdict_name(costsim::classify_drift(10, 1000, true, true, t).verdict), "mismatch");      // 0.6
    EXPECT_EQ(verdict_name(costsim::classify_drift(1200, 1300, true, true, t).verdict), "match");       // 0.05

    costsim::DriftThresholds at_point_four;
    at_point_four.warning = 0.3;
    at_point_four.drift = 0.4;  // 0.4 <= 0.4: still major_drift (inclusive)
    EXPECT_EQ(verdict_name(costsim::classify_drift(100, 100, true, false, at_point_four).verdict), "major_drift");
    costsim::DriftThresholds warn_point_four;
    warn_point_four.warning = 0.4;
    warn_point_four.drift = 0.5;  // 0.4 <= 0.4: minor_drift
    EXPECT_EQ(verdict_name(costsim::classify_drift(100, 100, true, false, warn_point_four).verdict), "minor_drift");
}

// ------------------------------------------------------------------------------------------------ compare

namespace {

// Plan: llm_invoke with a 1000-char prompt, http_call to localhost.
//   V1: llm max(5, floor(1000/1000)) = 5 c, 2000 ms; http 0 c, 500 ms -> 5 c, 2500 ms;
//       cum 1 - 0.95 x 0.9 = 0.145 -> feasible.
//   V2: llm 3.5 + 1.0 x 0.8 + 2.0 x 1.2 = 6.7 c, 1800 + 200 = 2000 ms; http local 0 c, min(500, 30000) ms
//       -> 6.7 -> 7 c, 2500 ms; success; confidence 0.92 x 0.85 = 0.782.
costsim::Plan comparison_plan()
{
    return costsim_test::plan_of(Array{step("llm_invoke", Object{{"prompt", Value(std::string(1000, 'x'))}}),
                                       step("http_call", Object{{"url", Value("http://localhost:8080/")}})});
}

Value v1_result() { return costsim::to_json(costsim::simulate_v1(comparison_plan(), 1000, {})); }
Value v2_result()
{
    return costsim::to_json(costsim::simulate_v2(comparison_plan(), 1000, {}, costsim_test::model_2_0_0()));
}

}  // namespace

TEST(Compare, DocumentForAV1V2Pair)
{
    const Value a = v1_result();
    const Value b = v2_result();
    const Value c = costsim::compare(a, b);
    ASSERT_TRUE(c.is_object());
    // cost: 7 - 5 = 2; pct 2 / 5 = 0.4; drift 0.6 x 0.4 = 0.24 -> mismatch (> 0.2)
    EXPECT_DOUBLE_EQ(costsim_test::number_at(c, "drift_score"), 0.24);
    EXPECT_EQ(costsim_test::string_at(c, "verdict"), "mismatch");
    EXPECT_EQ(costsim_test::number_at(c, "cost_delta_cents"), 2);
    EXPECT_DOUBLE_EQ(costsim_test::number_at(c, "cost_delta_pct"), 0.4);
    EXPECT_EQ(costsim_test::number_at(c, "duration_delta_ms"), 0);   // 2500 - 2500
    EXPECT_EQ(costsim_test::number_at(c, "duration_delta_pct"), 0);  // 0 / 2500
    EXPECT_TRUE(costsim_test::bool_at(c, "feasibility_match"));
    std::set<std::string> keys;
    for (const auto& m : c.as_object()) keys.insert(m.first);
    // docs/sql.md, costsim.compare
    EXPECT_EQ(keys, (std::set<std::string>{"drift_score", "verdict", "cost_delta_cents", "cost_delta_pct",
                                           "duration_delta_ms", "duration_delta_pct", "feasibility_match", "v1",
                                           "v2", "step_deltas"}));

    const Value& s1 = costsim_test::member(c, "v1");
    EXPECT_EQ(costsim_test::number_at(s1, "cost_cents"), 5);
    EXPECT_EQ(costsim_test::number_at(s1, "duration_ms"), 2500);
    EXPECT_TRUE(costsim_test::bool_at(s1, "feasible"));
    EXPECT_EQ(costsim_test::string_at(s1, "status"), "feasible");
    EXPECT_EQ(costsim_test::string_at(s1, "output_hash"), costsim::output_hash(a));

    const Value& s2 = costsim_test::member(c, "v2");
    EXPECT_EQ(costsim_test::number_at(s2, "cost_cents"), 7);
    EXPECT_EQ(costsim_test::number_at(s2, "duration_ms"), 2500);
    EXPECT_TRUE(costsim_test::bool_at(s2, "feasible"));
    EXPECT_EQ(costsim_test::string_at(s2, "status"), "success");
    EXPECT_EQ(costsim_test::string_at(s2, "output_hash"), costsim::output_hash(b));
    EXPECT_EQ(costsim_test::string_at(s2, "model_version"), "2.0.0");
    EXPECT_DOUBLE_EQ(costsim_test::number_at(s2, "confidence_score"), 0.782);
    EXPECT_NE(costsim_test::string_at(s1, "output_hash"), costsim_test::string_at(s2, "output_hash"));

    const Array& steps = costsim_test::array_at(c, "step_deltas");
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(costsim_test::number_at(steps[0], "step_index"), 0);
    EXPECT_EQ(costsim_test::string_at(steps[0], "skill_id"), "llm_invoke");
    EXPECT_EQ(costsim_test::number_at(steps[0], "v1_cost_cents"), 5);
    EXPECT_NEAR(costsim_test::number_at(steps[0], "v2_cost_cents"), 6.7, 1e-9);
    EXPECT_NEAR(costsim_test::number_at(steps[0], "cost_delta_cents"), 1.7, 1e-9);  // 6.7 - 5
    EXPECT_EQ(costsim_test::number_at(steps[0], "v1_latency_ms"), 2000);
    EXPECT_NEAR(costsim_test::number_at(steps[0], "v2_latency_ms"), 2000, 1e-9);
    EXPECT_NEAR(costsim_test::number_at(steps[0], "latency_delta_ms"), 0, 1e-9);
    EXPECT_EQ(costsim_test::number_at(steps[1], "step_index"), 1);
    EXPECT_EQ(costsim_test::string_at(steps[1], "skill_id"), "http_call");
    EXPECT_EQ(costsim_test::number_at(steps[1], "v1_latency_ms"), 500);
    EXPECT_EQ(costsim_test::number_at(steps[1], "v2_latency_ms"), 500);
    EXPECT_EQ(costsim_test::number_at(steps[1], "cost_delta_cents"), 0);
}

TEST(Compare, CustomThresholds)
{
    costsim::DriftThresholds t;
    t.warning = 0.3;
    t.drift = 0.5;
    // drift 0.24 <= 0.3 -> minor_drift
    EXPECT_EQ(costsim_test::string_at(costsim::compare(v1_result(), v2_result(), t), "verdict"), "minor_drift");
}

TEST(Compare, HandWrittenResults)
{
    const Value a = json::parse(R"({"feasible":true,"status":"feasible","estimated_cost_cents":100,
        "estimated_duration_ms":1000,"step_estimates":[]})");
    const Value b = json::parse(R"({"feasible":false,"status":"error","estimated_cost_cents":110,
        "estimated_duration_ms":700,"step_estimates":[],"model_version":"9.9.9","confidence_score":0.5})");
    const Value c = costsim::compare(a, b);
    // pct 10 / 100 = 0.1; drift 0.6 x 0.1 + 0.4 = 0.46 -> mismatch
    EXPECT_DOUBLE_EQ(costsim_test::number_at(c, "drift_score"), 0.46);
    EXPECT_EQ(costsim_test::string_at(c, "verdict"), "mismatch");
    EXPECT_EQ(costsim_test::number_at(c, "cost_delta_cents"), 10);
    EXPECT_DOUBLE_EQ(costsim_test::number_at(c, "cost_delta_pct"), 0.1);
    EXPECT_EQ(costsim_test::number_at(c, "duration_delta_ms"), -300);        // 700 - 1000 (signed, as cost)
    EXPECT_DOUBLE_EQ(costsim_test::number_at(c, "duration_delta_pct"), 0.3);  // |−300| / max(1000, 1)
    EXPECT_FALSE(costsim_test::bool_at(c, "feasibility_match"));
    EXPECT_TRUE(costsim_test::array_at(c, "step_deltas").empty());
    EXPECT_EQ(costsim_test::string_at(costsim_test::member(c, "v2"), "model_version"), "9.9.9");
    EXPECT_DOUBLE_EQ(costsim_test::number_at(costsim_test::member(c, "v2"), "confidence_score"), 0.5);
}

TEST(Compare, InvalidInputs)
{
    const Value good = json::parse(R"({"feasible":true,"status":"feasible","estimated_cost_cents":1,
        "estimated_duration_ms":1,"step_estimates":[]})");
    const Value no_cost = json::parse(R"({"feasible":true,"status":"feasible","estimated_duration_ms":1})");
    std::string m = costsim_test::expect_error([&] { costsim::compare(no_cost, good); },
                                               costsim::ErrorKind::invalid_input);
    EXPECT_TRUE(costsim_test::contains(m, "v1")) << m;
    EXPECT_TRUE(costsim_test::contains(m, "estimated_cost_cents")) << m;

    m = costsim_test::expect_error([&] { costsim::compare(good, no_cost); }, costsim::ErrorKind::invalid_input);
    EXPECT_TRUE(costsim_test::contains(m, "v2")) << m;
    EXPECT_TRUE(costsim_test::contains(m, "estimated_cost_cents")) << m;

    const Value string_cost = json::parse(R"({"feasible":true,"estimated_cost_cents":"1"})");
    costsim_test::expect_error([&] { costsim::compare(good, string_cost); }, costsim::ErrorKind::invalid_input);

    const Value string_feasible = json::parse(R"({"feasible":"yes","estimated_cost_cents":1})");
    m = costsim_test::expect_error([&] { costsim::compare(good, string_feasible); },
                                   costsim::ErrorKind::invalid_input);
    EXPECT_TRUE(costsim_test::contains(m, "v2")) << m;
    EXPECT_TRUE(costsim_test::contains(m, "feasible")) << m;

    costsim_test::expect_error([&] { costsim::compare(Value("x"), good); }, costsim::ErrorKind::invalid_input);
    costsim_test::expect_error([&] { costsim::compare(good, Value()); }, costsim::ErrorKind::invalid_input);
}

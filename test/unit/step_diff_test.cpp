// Diff artifacts (spec section 7): the step-by-step V1/V2 comparison kept for major_drift and mismatch verdicts,
// and its gzip form. Expected values are the inputs' own numbers and the differences worked out by hand.
#include "core/comparison.hpp"
#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/hashing.hpp"
#include "core/json.hpp"
#include "core/step_diff.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace costsim;

StepEstimate step(int index, const char* skill, double cost, double latency, double risk)
{
    StepEstimate s;
    s.step_index = index;
    s.skill_id = skill;
    s.cost_cents = cost;
    s.latency_ms = latency;
    s.risk_probability = risk;
    return s;
}

TEST(StepDiff, KeptForMajorDriftAndMismatchOnly)
{
    EXPECT_FALSE(keeps_diff(Verdict::match));
    EXPECT_FALSE(keeps_diff(Verdict::minor_drift));
    EXPECT_TRUE(keeps_diff(Verdict::major_drift));
    EXPECT_TRUE(keeps_diff(Verdict::mismatch));
}

TEST(StepDiff, StepsSideBySide)
{
    Estimate v1, v2;
    v1.feasible = true;
    v1.status = "feasible";
    v1.estimated_cost_cents = 12;
    v1.estimated_duration_ms = 300;
    v1.step_estimates = {step(0, "llm_invoke", 10, 200, 0.1), step(1, "kv_get", 2, 100, 0)};
    v2.feasible = false;
    v2.status = "over_budget";
    v2.estimated_cost_cents = 20;
    v2.estimated_duration_ms = 450;
    v2.step_estimates = {step(0, "llm_invoke", 17, 320, 0.2), step(1, "kv_get", 3, 130, 0)};
    v2.step_estimates[0].confidence = 0.8;
    Drift drift;
    drift.drift_score = 0.6;
    drift.verdict = Verdict::mismatch;
    drift.cost_delta_cents = 8;
    drift.feasibility_match = false;

    const std::string text = json::dump(step_diff(v1, v2, drift));
    EXPECT_EQ(text,
              "{\"verdict\":\"mismatch\",\"drift_score\":0.6,\"cost_delta_cents\":8,\"feasibility_match\":false,"
              "\"totals\":{\"v1\":{\"feasible\":true,\"status\":\"feasible\",\"estimated_cost_cents\":12,"
              "\"estimated_duration_ms\":300},\"v2\":{\"feasible\":false,\"status\":\"over_budget\","
              "\"estimated_cost_cents\":20,\"estimated_duration_ms\":450}},"
              "\"steps\":[{\"step_index\":0,\"skill_id\":\"llm_invoke\",\"v1_cost_cents\":10,\"v2_cost_cents\":17,"
              "\"cost_delta_cents\":7,\"v1_latency_ms\":200,\"v2_latency_ms\":320,\"latency_delta_ms\":120,"
              "\"v1_risk_probability\":0.1,\"v2_risk_probability\":0.2,\"v2_confidence\":0.8},"
              "{\"step_index\":1,\"skill_id\":\"kv_get\",\"v1_cost_cents\":2,\"v2_cost_cents\":3,"
              "\"cost_delta_cents\":1,\"v1_latency_ms\":100,\"v2_latency_ms\":130,\"latency_delta_ms\":30,"
              "\"v1_risk_probability\":0,\"v2_risk_probability\":0,\"v2_confidence\":null}]}");
}

TEST(StepDiff, AStepOnlyOneSideHasShowsNullOnTheOther)
{
    Estimate v1, v2;
    v1.step_estimates = {step(0, "kv_get", 1, 10, 0)};
    v2.step_estimates = {step(0, "kv_get", 1, 10, 0), step(1, "http_call", 4, 50, 0.05)};
    const json::Value diff = step_diff(v1, v2, Drift{});
    const json::Value& second = diff.find("steps")->as_array().at(1);
    EXPECT_EQ(json::dump(second),
              "{\"step_index\":1,\"skill_id\":\"http_call\",\"v1_cost_cents\":null,\"v2_cost_cents\":4,"
              "\"cost_delta_cents\":null,\"v1_latency_ms\":null,\"v2_latency_ms\":50,\"latency_delta_ms\":null,"
              "\"v1_risk_probability\":null,\"v2_risk_probability\":0.05,\"v2_confidence\":null}");
}

TEST(Gzip, RoundTripAndTheGzipHeader)
{
    const std::string text(10000, 'a');
    const std::string packed = gzip(text);
    ASSERT_GE(packed.size(), 18u);
    // RFC 1952: ID1 0x1f, ID2 0x8b, CM 8 (deflate).
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
    EXPECT_EQ(packed[2], 8);
    EXPECT_LT(packed.size(), 200u);  // 10,000 equal bytes compress to a few dozen
    EXPECT_EQ(gunzip(packed, 10000), text);
    EXPECT_EQ(gunzip(gzip(""), 0), "");
}

TEST(Gzip, AFileMadeByTheGzipTool)
{
    // printf 'hello\n' | gzip -n | xxd -p   (gzip 1.12, -n: no name or time in the header)
    const unsigned char made_by_gzip[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd,
                                          0xc9, 0xc9, 0xe7, 0x02, 0x00, 0x20, 0x30, 0x3a, 0x36, 0x06, 0x00, 0x00, 0x00};
    EXPECT_EQ(gunzip(std::string(reinterpret_cast<const char*>(made_by_gzip), sizeof made_by_gzip), 100), "hello\n");
}

TEST(Gzip, DamagedTruncatedOrTooBigIsInvalidInput)
{
    const std::string packed = gzip("some evidence worth keeping");
    auto kind_of = [](auto&& call) {
        try {
            call();
        } catch (const Error& error) {
            return error.kind();
        }
        return ErrorKind::internal;
    };
    EXPECT_EQ(kind_of([&] { gunzip("not gzip at all", 1000); }), ErrorKind::invalid_input);
    EXPECT_EQ(kind_of([&] { gunzip(packed.substr(0, packed.size() / 2), 1000); }), ErrorKind::invalid_input);
    EXPECT_EQ(kind_of([&] { gunzip(gzip(std::string(100000, 'x')), 1000); }), ErrorKind::invalid_input);
}

}  // namespace

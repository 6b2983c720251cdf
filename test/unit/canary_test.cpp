// Judging a canary (spec section 8): inconclusive below costsim.canary_min_samples, failed when the KL divergence
// is above both its threshold and its noise floor's critical value, when outliers are over 5 %, major drift or
// mismatch over 10 % (strictly: exactly at the limit passes), or a golden dataset is not acceptable; the failure
// reasons come in that order, with their figures.
#include "core/canary.hpp"
#include "core/errors.hpp"
#include "core/statistics.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

using costsim::ErrorKind;
using costsim::canary::Counts;
using costsim::canary::Criteria;
using costsim::canary::GoldenResult;
using costsim::canary::Judgement;
using costsim::canary::judge;
using costsim::canary::Status;
using costsim::statistics::KlResult;
using costsim_test::contains;
using costsim_test::expect_error;

namespace {

// 100 samples that all match.
Counts clean()
{
    Counts c;
    c.match = 100;
    return c;
}

KlResult kl(double value, double critical_value)
{
    KlResult r;
    r.value = value;
    r.critical_value = critical_value;
    r.significant = value > critical_value;
    return r;
}

// Well under the default threshold 0.10 and its critical value.
KlResult quiet_kl() { return kl(0.02, 0.169); }

const std::vector<GoldenResult> golden_ok{{"low_variance", true}, {"high_variance", true}};

std::vector<std::string> reasons(const Counts& counts, const KlResult& k,
                                 const std::vector<GoldenResult>& golden = golden_ok, const Criteria& criteria = {})
{
    return judge(counts, k, golden, criteria).failure_reasons;
}

const std::string kl_reason = "KL divergence 0.4120 exceeds 0.1000 and its 95 % noise-floor critical value 0.1690";

}  // namespace

TEST(Canary, StatusNames)
{
    EXPECT_STREQ(costsim::canary::to_string(Status::passed), "passed");
    EXPECT_STREQ(costsim::canary::to_string(Status::failed), "failed");
    EXPECT_STREQ(costsim::canary::to_string(Status::inconclusive), "inconclusive");
}

TEST(Canary, CleanRunPasses)
{
    const Judgement j = judge(clean(), quiet_kl(), golden_ok, Criteria{});
    EXPECT_EQ(j.status, Status::passed);
    EXPECT_TRUE(j.failure_reasons.empty());
}

TEST(Canary, KlAboveThresholdAndCriticalValueFails)
{
    // 0.412 > 0.10 and 0.412 > 0.169; figures with 4 decimals.
    const Judgement j = judge(clean(), kl(0.412, 0.169), golden_ok, Criteria{});
    EXPECT_EQ(j.status, Status::failed);
    EXPECT_EQ(j.failure_reasons, std::vector<std::string>{kl_reason});
}

TEST(Canary, KlAboveThresholdButBelowItsCriticalValuePasses)
{
    // A small sample: 0.30 > 0.10, but no drift would give up to 0.35 at 95 %.
    const Judgement j = judge(clean(), kl(0.30, 0.35), golden_ok, Criteria{});
    EXPECT_EQ(j.status, Status::passed);
    EXPECT_TRUE(j.failure_reasons.empty());
}

TEST(Canary, KlSignificantButBelowThresholdPasses)
{
    // 0.08 > 0.05 (significant), but not above the 0.10 threshold.
    EXPECT_EQ(judge(clean(), kl(0.08, 0.05), golden_ok, Criteria{}).status, Status::passed);
}

TEST(Canary, KlExactlyAtThresholdPasses)
{
    // 0.10 is not above 0.10.
    EXPECT_EQ(judge(clean(), kl(0.10, 0.05), golden_ok, Criteria{}).status, Status::passed);
}

TEST(Canary, OutliersOverFivePercentFail)
{
    // 93 match + 7 mismatch: major or mismatch 7 % (<= 10 %), outliers 7 / 100 = 7.0 % > 5 %.
    Counts c;
    c.match = 93;
    c.mismatch = 7;
    c.outliers = 7;
    const Judgement j = judge(c, quiet_kl(), golden_ok, Criteria{});
    EXPECT_EQ(j.status, Status::failed);
    EXPECT_EQ(j.failure_reasons,
              std::vector<std::string>{"outliers (drift score > 0.5): 7.0 % of 100 samples, over 5.0 %"});
}

TEST(Canary, MajorDriftOrMismatchOverTenPercentFails)
{
    // major 6 + mismatch 4 + V2 errors 2 (counted as mismatch) = 12 of 100 = 12.0 % > 10 %;
    // outliers 5 / 100 = 5 %, not over.
    Counts c;
    c.match = 88;
    c.major_drift = 6;
    c.mismatch = 4;
    c.v2_errors = 2;
    c.outliers = 5;
    const Judgement j = judge(c, quiet_kl(), golden_ok, Criteria{});
    EXPECT_EQ(j.status, Status::failed);
    EXPECT_EQ(j.failure_reasons,
              std::vector<std::string>{"major drift or mismatch: 12.0 % of 100 samples, over 10.0 %"});
}

TEST(Canary, V2ErrorsCountAsMismatch)
{
    // 89 match + 11 V2 errors: 11 % > 10 %.
    Counts c;
    c.match = 89;
    c.v2_errors = 11;
    c.outliers = 0;
    EXPECT_EQ(reasons(c, quiet_kl()),
              std::vector<std::string>{"major drift or mismatch: 11.0 % of 100 samples, over 10.0 %"});
}

TEST(Canary, GoldenDatasetNotAcceptableFails)
{
    const Judgement j = judge(clean(), quiet_kl(), {{"low_variance", true}, {"high_variance", false}}, Criteria{});
    EXPECT_EQ(j.status, Status::failed);
    EXPECT_EQ(j.failure_reasons, std::vector<std::string>{"golden dataset high_variance not acceptable"});
}

TEST(Canary, RatesExactlyAtTheLimitPass)
{
    // outliers 5 / 100 = 5 % (not over 5 %); major 6 + mismatch 2 + errors 2 = 10 / 100 = 10 % (not over 10 %);
    // minor drift does not count.
    Counts c;
    c.match = 80;
    c.minor_drift = 10;
    c.major_drift = 6;
    c.mismatch = 2;
    c.v2_errors = 2;
    c.outliers = 5;
    const Judgement j = judge(c, quiet_kl(), golden_ok, Criteria{});
    EXPECT_EQ(j.status, Status::passed);
    EXPECT_TRUE(j.failure_reasons.empty());
}

TEST(Canary, OneMoreThanTheLimitFails)
{
    // 200 samples: outliers 10 = 5 % passes, 11 = 5.5 % fails; major 20 = 10 % passes, 21 = 10.5 % fails.
    Counts c;
    c.match = 180;
    c.major_drift = 20;
    c.outliers = 10;
    EXPECT_TRUE(reasons(c, quiet_kl()).empty());
    c.outliers = 11;
    EXPECT_EQ(reasons(c, quiet_kl()),
              std::vector<std::string>{"outliers (drift score > 0.5): 5.5 % of 200 samples, over 5.0 %"});
    c.outliers = 10;
    c.match = 179;
    c.major_drift = 21;
    EXPECT_EQ(reasons(c, quiet_kl()),
              std::vector<std::string>{"major drift or mismatch: 10.5 % of 200 samples, over 10.0 %"});
}

TEST(Canary, ReasonsInOrder)
{
    // Everything fails: KL, outliers 30 / 100, major + mismatch 10 + 15 + 5 = 30 / 100, two golden datasets in
    // the order given (not alphabetical).
    Counts c;
    c.match = 70;
    c.major_drift = 10;
    c.mismatch = 15;
    c.v2_errors = 5;
    c.outliers = 30;
    const Judgement j = judge(c, kl(0.412, 0.169), {{"noise_injected", false}, {"low_variance", true},
                                                    {"high_variance", false}}, Criteria{});
    EXPECT_EQ(j.status, Status::failed);
    const std::vector<std::string> expected{kl_reason,
                                            "outliers (drift score > 0.5): 30.0 % of 100 samples, over 5.0 %",
                                            "major drift or mismatch: 30.0 % of 100 samples, over 10.0 %",
                                            "golden dataset noise_injected not acceptable",
                                            "golden dataset high_variance not acceptable"};
    EXPECT_EQ(j.failure_reasons, expected);
}

TEST(Canary, FewerThanMinSamplesIsInconclusiveWhateverElse)
{
    // 12 samples, every one a mismatch and an outlier, KL far out, a golden dataset failing: still inconclusive,
    // with the one reason.
    Counts c;
    c.mismatch = 12;
    c.outliers = 12;
    const Judgement j = judge(c, kl(2.0, 0.5), {{"high_variance", false}}, Criteria{});
    EXPECT_EQ(j.status, Status::inconclusive);
    EXPECT_EQ(j.failure_reasons,
              std::vector<std::string>{"only 12 samples, fewer than costsim.canary_min_samples (50)"});
}

TEST(Canary, MinSamplesBoundary)
{
    // 49 samples (V2 errors included in the count) -> inconclusive; 50 -> judged.
    Counts c;
    c.match = 48;
    c.v2_errors = 1;
    c.outliers = 1;
    EXPECT_EQ(judge(c, quiet_kl(), golden_ok, Criteria{}).status, Status::inconclusive);
    c.match = 49;  // 50 samples; 1 / 50 = 2 % V2 errors and outliers
    const Judgement j = judge(c, quiet_kl(), golden_ok, Criteria{});
    EXPECT_EQ(j.status, Status::passed);
    EXPECT_TRUE(j.failure_reasons.empty());
}

TEST(Canary, NoSamplesIsInconclusive)
{
    const Judgement j = judge(Counts{}, KlResult{}, {}, Criteria{});
    EXPECT_EQ(j.status, Status::inconclusive);
    EXPECT_EQ(j.failure_reasons, std::vector<std::string>{"only 0 samples, fewer than costsim.canary_min_samples (50)"});
}

TEST(Canary, CustomCriteriaAppearInTheReasons)
{
    // min 10 samples, outliers over 20 % with drift score > 0.3, KL threshold 0.25.
    Criteria criteria;
    criteria.min_samples = 10;
    criteria.max_outlier_rate = 0.20;
    criteria.outlier_drift_score = 0.3;
    criteria.kl_threshold = 0.25;
    Counts c;
    c.match = 15;
    c.minor_drift = 5;
    c.outliers = 5;  // 5 / 20 = 25.0 % > 20 %
    const std::vector<std::string> expected{
        "KL divergence 0.3000 exceeds 0.2500 and its 95 % noise-floor critical value 0.1000",
        "outliers (drift score > 0.3): 25.0 % of 20 samples, over 20.0 %"};
    EXPECT_EQ(reasons(c, kl(0.3, 0.1), {}, criteria), expected);
    criteria.min_samples = 21;
    EXPECT_EQ(reasons(c, kl(0.3, 0.1), {}, criteria),
              std::vector<std::string>{"only 20 samples, fewer than costsim.canary_min_samples (21)"});
}

TEST(Canary, BadCriteriaRejected)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    struct Field {
        const char* name;
        double Criteria::*member;
    };
    const Field fields[] = {{"max_outlier_rate", &Criteria::max_outlier_rate},
                            {"max_major_rate", &Criteria::max_major_rate},
                            {"kl_threshold", &Criteria::kl_threshold},
                            {"outlier_drift_score", &Criteria::outlier_drift_score}};
    for (const Field& field : fields) {
        for (const double bad : {-0.01, 1.01, nan, inf}) {
            Criteria criteria;
            criteria.*field.member = bad;
            const std::string message =
                expect_error([&] { judge(clean(), quiet_kl(), golden_ok, criteria); }, ErrorKind::invalid_input);
            EXPECT_TRUE(contains(message, field.name)) << message;
        }
        Criteria edges;  // 0 and 1 are in range
        edges.*field.member = 0;
        EXPECT_NO_THROW(judge(clean(), quiet_kl(), golden_ok, edges));
        edges.*field.member = 1;
        EXPECT_NO_THROW(judge(clean(), quiet_kl(), golden_ok, edges));
    }
    Criteria no_minimum;
    no_minimum.min_samples = 0;
    EXPECT_TRUE(contains(expect_error([&] { judge(clean(), quiet_kl(), golden_ok, no_minimum); },
                                      ErrorKind::invalid_input),
                         "min_samples"));
}

TEST(Canary, InconsistentInputsRejected)
{
    Counts c = clean();
    c.outliers = 101;  // more outliers than samples
    expect_error([&] { judge(c, quiet_kl(), golden_ok, Criteria{}); }, ErrorKind::invalid_input);
    expect_error([] { judge(clean(), kl(std::numeric_limits<double>::quiet_NaN(), 0.1), golden_ok, Criteria{}); },
                 ErrorKind::invalid_input);
    expect_error([] { judge(clean(), kl(0.5, std::numeric_limits<double>::infinity()), golden_ok, Criteria{}); },
                 ErrorKind::invalid_input);
}

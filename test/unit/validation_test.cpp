// Validating a simulator against a reference dataset (spec section 9): mean, median (linear interpolation between
// order statistics) and population standard deviation of |cost - expected|, the outlier share, the drift score
// min(1, 0.3 mean/max_mean + 0.3 median/max_median + 0.2 std/max_std + 0.2 outlier/max_outlier) and the verdict
// (every metric <= its threshold). Expected values are worked out by hand in the comments.
#include "core/errors.hpp"
#include "core/validation.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using costsim::ErrorKind;
using costsim::validation::evaluate;
using costsim::validation::Metrics;
using costsim::validation::Outcome;
using costsim::validation::Thresholds;
using costsim_test::contains;
using costsim_test::expect_error;

namespace {

constexpr double kEps = 1e-12;

// Thresholds of spec section 9, in the order mean, median, std, outlier share, drift.
const Thresholds low_variance{1, 0.5, 2, 0.02, 0.05};
const Thresholds high_variance{10, 5, 15, 0.10, 0.15};
const Thresholds noise_injected{20, 10, 25, 0.30, 0.25};

Outcome hit(double abs_error) { return Outcome{abs_error, false}; }
Outcome miss(double abs_error) { return Outcome{abs_error, true}; }
Outcome error() { return Outcome{std::nullopt, true}; }

// |errors| 1, 2, 4 (expectation missed), 9, and one sample the simulator failed on.
std::vector<Outcome> small_example() { return {hit(1), hit(2), miss(4), hit(9), error()}; }

// Four samples with |errors| 1, 3, 1, 3 and one missed expectation: mean 2, median 2, std 1, outliers 1/4.
std::vector<Outcome> boundary_example() { return {hit(1), hit(3), miss(1), hit(3)}; }
const Thresholds boundary_thresholds{2, 2, 1, 0.25, 1};

double below(double x) { return std::nextafter(x, 0.0); }

}  // namespace

TEST(Validation, MetricsOfASmallExample)
{
    const Metrics m = evaluate(small_example(), noise_injected);
    // 5 samples, the error included; the abs errors are those of the 4 others: 1, 2, 4, 9.
    EXPECT_EQ(m.sample_count, 5u);
    // mean = (1 + 2 + 4 + 9) / 4 = 16 / 4 = 4
    EXPECT_NEAR(m.mean_abs_error, 4.0, kEps);
    // median: h = (4 - 1) x 0.5 = 1.5 -> x[1] + 0.5 (x[2] - x[1]) = 2 + 0.5 x 2 = 3
    EXPECT_NEAR(m.median_abs_error, 3.0, kEps);
    // population std: deviations -3, -2, 0, 5; squares 9 + 4 + 0 + 25 = 38; 38 / 4 = 9.5; sqrt(9.5) = 3.0822070014844882
    // (the sample std, sqrt(38 / 3) = 3.5590..., would be wrong)
    EXPECT_NEAR(m.std_abs_error, 3.0822070014844882, kEps);
    // missed: the sample with abs error 4 and the error = 2 of 5 = 0.4
    EXPECT_NEAR(m.outlier_rate, 0.4, kEps);
    // drift with noise_injected (20, 10, 25, 0.30): 0.3 x 4/20 + 0.3 x 3/10 + 0.2 x 3.0822070014844882/25 + 0.2 x 0.4/0.30
    //   = 0.06 + 0.09 + 0.024657656011875906 + 0.26666666666666667 = 0.44132432267854258
    EXPECT_NEAR(m.drift_score, 0.44132432267854258, kEps);
    // outliers 0.4 > 0.30 and drift 0.441 > 0.25: not acceptable
    EXPECT_FALSE(m.acceptable);
}

TEST(Validation, DriftScoreIsCappedAtOne)
{
    // high_variance (10, 5, 15, 0.10): 0.3 x 4/10 + 0.3 x 3/5 + 0.2 x 3.0822070014844882/15 + 0.2 x 0.4/0.10
    //   = 0.12 + 0.18 + 0.041096093353126509 + 0.8 = 1.1410960933531265 -> min(1, ...) = 1
    const Metrics m = evaluate(small_example(), high_variance);
    EXPECT_DOUBLE_EQ(m.drift_score, 1.0);
    EXPECT_FALSE(m.acceptable);
}

TEST(Validation, LowVarianceAcceptsASmallError)
{
    // 30 samples: 29 exact, one 0.1 cent off.
    std::vector<Outcome> outcomes(29, hit(0));
    outcomes.push_back(hit(0.1));
    const Metrics m = evaluate(outcomes, low_variance);
    EXPECT_EQ(m.sample_count, 30u);
    // mean = 0.1 / 30 = 1/300 = 0.0033333...
    EXPECT_NEAR(m.mean_abs_error, 1.0 / 300, kEps);
    // median: h = 29 x 0.5 = 14.5 -> between x[14] = 0 and x[15] = 0: 0
    EXPECT_NEAR(m.median_abs_error, 0.0, kEps);
    // std: 29 x (1/300)^2 + (0.1 - 1/300)^2 = 29/90000 + (29/300)^2 = 29/90000 + 841/90000 = 870/90000;
    // / 30 = 29/90000; sqrt = sqrt(29)/300 = 5.385164807134504/300 = 0.017950549357115013
    EXPECT_NEAR(m.std_abs_error, 0.017950549357115013, kEps);
    EXPECT_NEAR(m.outlier_rate, 0.0, kEps);
    // drift (1, 0.5, 2, 0.02): 0.3 x (1/300)/1 + 0.3 x 0/0.5 + 0.2 x 0.017950549357115013/2 + 0
    //   = 0.001 + 0.0017950549357115013 = 0.0027950549357115013
    EXPECT_NEAR(m.drift_score, 0.0027950549357115013, kEps);
    // 0.0033 <= 1, 0 <= 0.5, 0.018 <= 2, 0 <= 0.02, 0.0028 <= 0.05
    EXPECT_TRUE(m.acceptable);
}

TEST(Validation, LowVarianceRefusesOneMissedExpectationInThirty)
{
    std::vector<Outcome> outcomes(29, hit(0));
    outcomes.push_back(miss(0));  // cost right, feasibility wrong
    const Metrics m = evaluate(outcomes, low_variance);
    EXPECT_NEAR(m.mean_abs_error, 0.0, kEps);
    // outliers 1/30 = 0.0333... > 0.02
    EXPECT_NEAR(m.outlier_rate, 1.0 / 30, kEps);
    // drift = 0.2 x (1/30) / 0.02 = 0.3333... > 0.05
    EXPECT_NEAR(m.drift_score, 1.0 / 3, kEps);
    EXPECT_FALSE(m.acceptable);
}

TEST(Validation, ErroredSamplesHaveNoAbsErrorButCountAsOutliers)
{
    // 2 errors and 2 samples with |errors| 2 and 6: mean 4, median 4 (h = 0.5: 2 + 0.5 x 4), std 2
    // (deviations -2, 2; (4 + 4) / 2 = 4; sqrt 4 = 2); outliers 2/4 = 0.5.
    const Metrics m = evaluate({error(), hit(2), error(), hit(6)}, noise_injected);
    EXPECT_EQ(m.sample_count, 4u);
    EXPECT_NEAR(m.mean_abs_error, 4.0, kEps);
    EXPECT_NEAR(m.median_abs_error, 4.0, kEps);
    EXPECT_NEAR(m.std_abs_error, 2.0, kEps);
    EXPECT_NEAR(m.outlier_rate, 0.5, kEps);
}

TEST(Validation, AnErrorIsAMissEvenWithoutTheFlag)
{
    // An outcome without abs_error is an error, which the spec counts as an outlier whatever `missed` says.
    const Metrics m = evaluate({Outcome{std::nullopt, false}, hit(0)}, noise_injected);
    EXPECT_NEAR(m.outlier_rate, 0.5, kEps);
}

TEST(Validation, OnlyErrors)
{
    // no abs error at all: mean, median, std 0; outliers 3/3 = 1; drift = 0.2 x 1 / 0.30 = 0.6666...
    const Metrics m = evaluate({error(), error(), error()}, noise_injected);
    EXPECT_EQ(m.sample_count, 3u);
    EXPECT_DOUBLE_EQ(m.mean_abs_error, 0.0);
    EXPECT_DOUBLE_EQ(m.median_abs_error, 0.0);
    EXPECT_DOUBLE_EQ(m.std_abs_error, 0.0);
    EXPECT_DOUBLE_EQ(m.outlier_rate, 1.0);
    EXPECT_NEAR(m.drift_score, 2.0 / 3, kEps);
    EXPECT_FALSE(m.acceptable);
}

TEST(Validation, NoSamplesIsNeverAcceptable)
{
    const Metrics m = evaluate({}, low_variance);
    EXPECT_EQ(m.sample_count, 0u);
    EXPECT_DOUBLE_EQ(m.mean_abs_error, 0.0);
    EXPECT_DOUBLE_EQ(m.median_abs_error, 0.0);
    EXPECT_DOUBLE_EQ(m.std_abs_error, 0.0);
    EXPECT_DOUBLE_EQ(m.outlier_rate, 0.0);
    EXPECT_DOUBLE_EQ(m.drift_score, 0.0);
    EXPECT_FALSE(m.acceptable);
}

TEST(Validation, EveryMetricExactlyAtItsThresholdIsAcceptable)
{
    // |errors| 1, 3, 1, 3: mean 8/4 = 2; median h = 1.5 between sorted x[1] = 1 and x[2] = 3: 2;
    // std: deviations +-1, (1 + 1 + 1 + 1) / 4 = 1, sqrt 1 = 1; outliers 1/4 = 0.25.
    // With thresholds (2, 2, 1, 0.25, 1): drift = min(1, 0.3 + 0.3 + 0.2 + 0.2) = 1 <= 1.
    const Metrics m = evaluate(boundary_example(), boundary_thresholds);
    EXPECT_DOUBLE_EQ(m.mean_abs_error, 2.0);
    EXPECT_DOUBLE_EQ(m.median_abs_error, 2.0);
    EXPECT_DOUBLE_EQ(m.std_abs_error, 1.0);
    EXPECT_DOUBLE_EQ(m.outlier_rate, 0.25);
    EXPECT_NEAR(m.drift_score, 1.0, kEps);
    EXPECT_TRUE(m.acceptable);
}

TEST(Validation, AnyMetricJustAboveItsThresholdIsNotAcceptable)
{
    // Lowering one threshold by one ulp puts that metric just above it; the drift score stays capped at 1, so
    // it is the only failing check.
    const std::vector<Outcome> outcomes = boundary_example();
    Thresholds t = boundary_thresholds;
    t.mean_abs_error = below(2);
    EXPECT_FALSE(evaluate(outcomes, t).acceptable);
    t = boundary_thresholds;
    t.median_abs_error = below(2);
    EXPECT_FALSE(evaluate(outcomes, t).acceptable);
    t = boundary_thresholds;
    t.std_abs_error = below(1);
    EXPECT_FALSE(evaluate(outcomes, t).acceptable);
    t = boundary_thresholds;
    t.outlier_rate = below(0.25);
    EXPECT_FALSE(evaluate(outcomes, t).acceptable);
}

TEST(Validation, DriftScoreExactlyAtItsThresholdIsAcceptable)
{
    // Exact |errors| and 1 miss in 4, outlier threshold 0.5: drift = 0.2 x 0.25 / 0.5 = 0.1 (only powers of two
    // scale 0.2, so this is the double nearest 0.1 exactly). Drift threshold 0.1: acceptable; one ulp below: not.
    Thresholds t{1, 1, 1, 0.5, 0.1};
    const std::vector<Outcome> outcomes{hit(0), hit(0), miss(0), hit(0)};
    const Metrics m = evaluate(outcomes, t);
    EXPECT_DOUBLE_EQ(m.drift_score, 0.1);
    EXPECT_TRUE(m.acceptable);
    t.drift_score = below(0.1);
    EXPECT_FALSE(evaluate(outcomes, t).acceptable);
}

TEST(Validation, BadThresholdsRejected)
{
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    struct Field {
        const char* name;
        double Thresholds::*member;
    };
    const Field fields[] = {{"mean_abs_error", &Thresholds::mean_abs_error},
                            {"median_abs_error", &Thresholds::median_abs_error},
                            {"std_abs_error", &Thresholds::std_abs_error},
                            {"outlier_rate", &Thresholds::outlier_rate},
                            {"drift_score", &Thresholds::drift_score}};
    for (const Field& field : fields) {
        for (const double bad : {0.0, -1.0, nan, inf}) {
            Thresholds t = low_variance;
            t.*field.member = bad;
            const std::string message = expect_error([&] { evaluate(small_example(), t); }, ErrorKind::invalid_input);
            EXPECT_TRUE(contains(message, field.name)) << message;
        }
    }
    // The default Thresholds (all 0) are not a dataset's.
    expect_error([] { evaluate({}, Thresholds{}); }, ErrorKind::invalid_input);
}

TEST(Validation, BadAbsErrorsRejected)
{
    for (const double bad :
         {-0.5, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
        const std::string message =
            expect_error([&] { evaluate({hit(1), hit(bad)}, low_variance); }, ErrorKind::invalid_input);
        EXPECT_TRUE(contains(message, "outcomes[1].abs_error")) << message;
    }
}

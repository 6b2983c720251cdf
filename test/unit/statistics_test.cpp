// Drift statistics (spec section 6): quantiles, histograms, KL (legacy and robust), PSI, Jensen-Shannon
// distance, two-sample KS, Wasserstein-1, modified z-score outliers and the divergence report.
//
// Every expected value below is worked out by hand (the arithmetic is in the comment beside it). python3 was
// used only as a calculator for ln, log2, sqrt and exp; the chi-squared 95 % quantiles are the published
// values chi2_0.95(1) = z_0.975^2 = 1.959963984540054^2 = 3.841458820694124, chi2_0.95(2) = 2 ln 20 (the
// chi-squared with 2 degrees of freedom is exponential with mean 2) and chi2_0.95(9) = 16.919 (table value;
// 16.91897760462 by bisection on a hand-written series for the regularised lower incomplete gamma P(4.5, x/2)).
#include "core/errors.hpp"
#include "core/statistics.hpp"

#include "test_models.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace st = costsim::statistics;
using costsim::ErrorKind;
using costsim_test::expect_error;

namespace {

const double nan_v = std::numeric_limits<double>::quiet_NaN();
const double inf_v = std::numeric_limits<double>::infinity();

const double chi2_95_df1 = 3.841458820694124;   // 1.959963984540054^2 (published z_0.975)
const double chi2_95_df2 = 5.991464547107979;   // 2 ln 20 = 2 x 2.995732273553991
const double chi2_95_df9 = 16.918977604620448;  // table 16.919; series + bisection 16.91897760462

// Relative comparison for the chi-squared based critical values (1e-6 relative).
void expect_rel(double actual, double expected, double rel = 1e-6)
{
    EXPECT_NEAR(actual, expected, std::fabs(expected) * rel) << "expected " << expected << ", got " << actual;
}

std::vector<std::size_t> idx(std::initializer_list<std::size_t> l) { return std::vector<std::size_t>(l); }

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// quantile (type 7): h = (n - 1) q, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])

TEST(Quantile, Type7Interpolation)
{
    // n = 4: q 0.5 -> h = 1.5 -> 2 + 0.5 x (3 - 2) = 2.5
    EXPECT_NEAR(st::quantile({1, 2, 3, 4}, 0.5), 2.5, 1e-12);
    // q 0.9 -> h = 2.7 -> 3 + 0.7 x (4 - 3) = 3.7
    EXPECT_NEAR(st::quantile({1, 2, 3, 4}, 0.9), 3.7, 1e-12);
    // q 0.25 -> h = 0.75 -> 1 + 0.75 = 1.75
    EXPECT_NEAR(st::quantile({1, 2, 3, 4}, 0.25), 1.75, 1e-12);
    // n = 5: q 0.1 -> h = 0.4 -> 10 + 0.4 x 10 = 14; q 0.25 -> h = 1 -> 20 exactly
    EXPECT_NEAR(st::quantile({10, 20, 30, 40, 50}, 0.1), 14.0, 1e-12);
    EXPECT_NEAR(st::quantile({10, 20, 30, 40, 50}, 0.25), 20.0, 1e-12);
    // q 0.5 on an odd count: h = 2 -> the middle value 30
    EXPECT_NEAR(st::quantile({10, 20, 30, 40, 50}, 0.5), 30.0, 1e-12);
}

TEST(Quantile, Ends)
{
    // q 0 -> h = 0 -> the minimum; q 1 -> h = n - 1 -> the maximum
    EXPECT_EQ(st::quantile({1, 2, 3, 4}, 0.0), 1.0);
    EXPECT_EQ(st::quantile({1, 2, 3, 4}, 1.0), 4.0);
    EXPECT_EQ(st::quantile({-7.5, 3, 12}, 0.0), -7.5);
    EXPECT_EQ(st::quantile({-7.5, 3, 12}, 1.0), 12.0);
}

TEST(Quantile, OneValue)
{
    // n = 1: h = 0 for every q -> the value itself
    EXPECT_EQ(st::quantile({7}, 0.0), 7.0);
    EXPECT_EQ(st::quantile({7}, 0.37), 7.0);
    EXPECT_EQ(st::quantile({7}, 1.0), 7.0);
}

TEST(Quantile, UnsortedInput)
{
    // sorted: [1, 2, 3, 4] -> 2.5 and 3.7 as above; min 1, max 4
    EXPECT_NEAR(st::quantile({4, 1, 3, 2}, 0.5), 2.5, 1e-12);
    EXPECT_NEAR(st::quantile({3, 4, 2, 1}, 0.9), 3.7, 1e-12);
    EXPECT_EQ(st::quantile({3, 4, 1, 2}, 0.0), 1.0);
    EXPECT_EQ(st::quantile({3, 4, 1, 2}, 1.0), 4.0);
    // sorted [0, 10, 10, 100]: q 0.5 -> h 1.5 -> 10 + 0.5 x 0 = 10; q 0.9 -> h 2.7 -> 10 + 0.7 x 90 = 73
    EXPECT_NEAR(st::quantile({100, 10, 0, 10}, 0.5), 10.0, 1e-12);
    EXPECT_NEAR(st::quantile({100, 10, 0, 10}, 0.9), 73.0, 1e-12);
}

TEST(Quantile, EmptyThrows)
{
    expect_error([] { st::quantile({}, 0.5); }, ErrorKind::invalid_input);
}

TEST(Quantile, QOutsideUnitIntervalThrows)
{
    expect_error([] { st::quantile({1, 2, 3}, -0.01); }, ErrorKind::invalid_input);
    expect_error([] { st::quantile({1, 2, 3}, 1.01); }, ErrorKind::invalid_input);
    expect_error([] { st::quantile({1, 2, 3}, nan_v); }, ErrorKind::invalid_input);
    expect_error([] { st::quantile({1, 2, 3}, inf_v); }, ErrorKind::invalid_input);
}

TEST(Quantile, NonFiniteValuesThrow)
{
    expect_error([] { st::quantile({1, nan_v, 3}, 0.5); }, ErrorKind::invalid_input);
    expect_error([] { st::quantile({1, inf_v, 3}, 0.5); }, ErrorKind::invalid_input);
    expect_error([] { st::quantile({-inf_v, 2, 3}, 0.5); }, ErrorKind::invalid_input);
    // also when the bad value is not the one the quantile would pick
    expect_error([] { st::quantile({1, 2, 3, nan_v}, 0.0); }, ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// histogram: e_i <= v < e_(i+1), last bin closed, values outside the edges go to the first or last bin

TEST(Histogram, BinRules)
{
    st::Bins bins{{0, 1, 2, 3}};
    EXPECT_EQ(bins.count(), 3u);
    // -5 (below, first bin), 0, 0.5 -> bin 0; 1 (on the edge e1 -> upper bin) -> bin 1;
    // 2 and 2.999 -> bin 2; 3 (= last edge, last bin closed) -> bin 2; 10 (above) -> bin 2
    std::vector<std::size_t> counts = st::histogram({-5, 0, 0.5, 1, 2, 2.999, 3, 10}, bins);
    EXPECT_EQ(counts, (std::vector<std::size_t>{3, 1, 4}));
    EXPECT_EQ(st::histogram({}, bins), (std::vector<std::size_t>{0, 0, 0}));
    EXPECT_EQ(st::Bins{}.count(), 0u);
}

TEST(Histogram, NonFiniteThrows)
{
    st::Bins bins{{0, 1, 2}};
    expect_error([&] { st::histogram({0.5, nan_v}, bins); }, ErrorKind::invalid_input);
    expect_error([&] { st::histogram({inf_v}, bins); }, ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// kl_legacy: clamp to >= 1, 10 equal-width bins over the union range, proportions + 1e-10, no renormalisation

TEST(KlLegacy, IdenticalSamplesGiveZero)
{
    // same counts on both sides -> every term is p ln(p / p) = 0
    st::KlResult r = st::kl_legacy({10, 20, 30, 40}, {10, 20, 30, 40});
    EXPECT_NEAR(r.value, 0.0, 1e-15);
    EXPECT_EQ(r.method, "legacy");
    EXPECT_EQ(r.direction, "v1||v2");
}

TEST(KlLegacy, PointMassAgainstSpread)
{
    // union range [50, 150], width 10: edges 50, 60, ..., 150 (11 edges).
    // V1 = 100 x 5 -> bin 5 ([100, 110)): p5 = 1. V2: 50 -> bin 0, 75 -> bin 2, 100 -> bin 5, 125 -> bin 7,
    // 150 -> bin 9 (last, closed): q = 0.2 in bins 0, 2, 5, 7, 9.
    // KL = (1 + e) ln((1 + e) / (0.2 + e)) + 4 e ln(e / (0.2 + e)) + 5 x e ln(e / e), e = 1e-10
    //    = 1.6094379036284787 (calculator); ln 5 = 1.6094379124341003
    st::KlResult r = st::kl_legacy({100, 100, 100, 100, 100}, {50, 150, 75, 125, 100});
    EXPECT_NEAR(r.value, 1.6094379124341003, 1e-6);
    EXPECT_NEAR(r.value, 1.6094379036284787, 1e-12);  // epsilon added, no renormalisation
    EXPECT_EQ(r.method, "legacy");
    EXPECT_EQ(r.direction, "v1||v2");
    EXPECT_DOUBLE_EQ(r.smoothing, 1e-10);
    ASSERT_EQ(r.bins.edges.size(), 11u);
    EXPECT_EQ(r.bins.count(), 10u);
    for (std::size_t i = 0; i < 11; ++i)
        EXPECT_NEAR(r.bins.edges[i], 50.0 + 10.0 * static_cast<double>(i), 1e-9) << "edge " << i;
    // the no-drift reference of KlResult for B = 10, N = M = 5: noise floor 9/2 x (1/5 + 1/5) = 1.8;
    // critical chi2_0.95(9) x 10 / 50 = 3.3837955; 1.609 < 3.384 -> not significant
    EXPECT_NEAR(r.noise_floor, 1.8, 1e-12);
    expect_rel(r.critical_value, chi2_95_df9 * 0.2);
    EXPECT_FALSE(r.significant);
}

TEST(KlLegacy, ThreeSameAgainstThreeDifferent)
{
    // range [100, 150], width 5. V1 all in bin 0 -> p0 = 1. V2: 100 -> bin 0, 105 -> bin 1 (edge goes up),
    // 150 -> bin 9: q0 = q1 = q9 = 1/3.
    // KL = (1 + e) ln((1 + e) / (1/3 + e)) + 2 e ln(e / (1/3 + e)) = 1.0986122841925232; ln 3 = 1.0986122886681098
    st::KlResult r = st::kl_legacy({100, 100, 100}, {100, 105, 150});
    EXPECT_NEAR(r.value, 1.0986122886681098, 1e-6);
    EXPECT_NEAR(r.value, 1.0986122841925232, 1e-12);
    ASSERT_EQ(r.bins.edges.size(), 11u);
    EXPECT_NEAR(r.bins.edges.front(), 100.0, 1e-12);
    EXPECT_NEAR(r.bins.edges[1], 105.0, 1e-12);
    EXPECT_NEAR(r.bins.edges.back(), 150.0, 1e-12);
}

TEST(KlLegacy, DirectionIsV1AgainstV2)
{
    // Swapped: P = V2's (1/3 in bins 0, 1, 9), Q = V1's (1 in bin 0):
    // KL = (1/3 + e) ln((1/3 + e) / (1 + e)) + 2 (1/3 + e) ln((1/3 + e) / e)
    //    ~ -1/3 ln 3 + 2/3 ln(3.33e9) = -0.3662 + 2/3 x 21.927 = 14.25 -- far from ln 3
    st::KlResult r = st::kl_legacy({100, 105, 150}, {100, 100, 100});
    EXPECT_GT(r.value, 14.0);
    EXPECT_LT(r.value, 14.5);
}

TEST(KlLegacy, EmptyGivesZero)
{
    EXPECT_EQ(st::kl_legacy({}, {1, 2, 3}).value, 0.0);
    EXPECT_EQ(st::kl_legacy({1, 2, 3}, {}).value, 0.0);
    EXPECT_EQ(st::kl_legacy({}, {}).value, 0.0);
}

TEST(KlLegacy, ValuesBelowOneAreClamped)
{
    // [0, 0] -> [1, 1]: one distinct value over both samples -> 0
    EXPECT_EQ(st::kl_legacy({0, 0}, {1, 1}).value, 0.0);
    // [0, 10] -> [1, 10] = V2; identical after clamping -> 0. Without the clamp the range would be [0, 10]:
    // V1 in bins 0 and 9, V2 in bins 1 and 9, and KL ~ 0.5 ln(0.5 / 1e-10) ~ 11.
    EXPECT_NEAR(st::kl_legacy({0, 10}, {1, 10}).value, 0.0, 1e-15);
    EXPECT_NEAR(st::kl_legacy({-5, 0.5, 10}, {1, 1, 10}).value, 0.0, 1e-15);
}

TEST(KlLegacy, NonFiniteThrows)
{
    expect_error([] { st::kl_legacy({1, nan_v}, {1, 2}); }, ErrorKind::invalid_input);
    expect_error([] { st::kl_legacy({1, 2}, {inf_v}); }, ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// kl_robust: pooled-quantile edges (duplicates merged), Jeffreys smoothing (+0.5 per bin), V1 || V2

TEST(KlRobust, TwoBinHandExample)
{
    // pooled sorted [1, 2, 3, 3, 4, 4, 5, 6], n = 8; type-7 quantiles at 0, 0.5, 1:
    // q 0.5 -> h = 3.5 -> 3 + 0.5 x (4 - 3) = 3.5 -> edges [1, 3.5, 6], bins [1, 3.5), [3.5, 6].
    // V1 counts (3, 1), V2 (1, 3); Jeffreys: p = (3.5, 1.5) / 5 = (0.7, 0.3), q = (1.5, 3.5) / 5 = (0.3, 0.7)
    // KL = 0.7 ln(0.7 / 0.3) + 0.3 ln(0.3 / 0.7) = 0.4 ln(7 / 3) = 0.4 x 0.8472978603872037 = 0.3389191441548815
    st::KlResult r = st::kl_robust({1, 2, 3, 4}, {3, 4, 5, 6}, 2);
    EXPECT_NEAR(r.value, 0.3389191441548815, 1e-12);
    EXPECT_EQ(r.method, "quantile_jeffreys");
    EXPECT_EQ(r.direction, "v1||v2");
    EXPECT_EQ(r.smoothing, 0.5);
    ASSERT_EQ(r.bins.edges.size(), 3u);
    EXPECT_NEAR(r.bins.edges[0], 1.0, 1e-12);
    EXPECT_NEAR(r.bins.edges[1], 3.5, 1e-12);
    EXPECT_NEAR(r.bins.edges[2], 6.0, 1e-12);
    // noise floor (B - 1) / 2 (1/N + 1/M) = 1/2 x (1/4 + 1/4) = 0.25
    EXPECT_NEAR(r.noise_floor, 0.25, 1e-12);
    // critical chi2_0.95(1) (N + M) / (2 N M) = 3.841458820694124 x 8 / 32 = 0.960364705173531
    expect_rel(r.critical_value, chi2_95_df1 * 8.0 / 32.0);
    expect_rel(r.critical_value, 0.960364705173531);
    EXPECT_FALSE(r.significant);  // 0.339 < 0.960
}

TEST(KlRobust, ThreeBinHandExampleAndDirection)
{
    // V1 = [1..6], V2 = [4..9]: pooled sorted [1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 8, 9], n = 12.
    // q 1/3 -> h = 11/3 = 3.67 -> x3 = x4 = 4 -> 4; q 2/3 -> h = 7.33 -> x7 = x8 = 6 -> 6. Edges [1, 4, 6, 9].
    // V1: [1,4) 1,2,3 -> 3; [4,6) 4,5 -> 2; [6,9] 6 -> 1.   V2: 0; 4,5 -> 2; 6,7,8,9 -> 4.
    // p = (3.5, 2.5, 1.5) / 7.5, q = (0.5, 2.5, 4.5) / 7.5
    // KL = (3.5/7.5) ln 7 + (2.5/7.5) ln 1 + (1.5/7.5) ln(1/3) = 7/15 ln 7 - 0.2 ln 3
    //    = 0.4666667 x 1.9459101 - 0.2 x 1.0986123 = 0.6883689451588575
    st::KlResult r = st::kl_robust({1, 2, 3, 4, 5, 6}, {4, 5, 6, 7, 8, 9}, 3);
    EXPECT_NEAR(r.value, 0.6883689451588575, 1e-12);
    ASSERT_EQ(r.bins.edges.size(), 4u);
    EXPECT_NEAR(r.bins.edges[1], 4.0, 1e-12);
    EXPECT_NEAR(r.bins.edges[2], 6.0, 1e-12);
    // noise floor (3 - 1) / 2 x (1/6 + 1/6) = 1/3
    EXPECT_NEAR(r.noise_floor, 1.0 / 3.0, 1e-12);
    // critical chi2_0.95(2) x 12 / (2 x 36) = 5.991464547107979 / 6 = 0.9985774245179965
    expect_rel(r.critical_value, chi2_95_df2 / 6.0);
    EXPECT_FALSE(r.significant);  // 0.688 < 0.999

    // Swapped (V2 || V1): p = (0.5, 2.5, 4.5) / 7.5, q = (3.5, 2.5, 1.5) / 7.5
    // KL = (0.5/7.5) ln(1/7) + 0 + (4.5/7.5) ln 3 = -1/15 x 1.9459101 + 0.6 x 1.0986123 = -0.1297273 + 0.6591674 = 0.5294400
    st::KlResult s = st::kl_robust({4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 5, 6}, 3);
    EXPECT_NEAR(s.value, -1.0 / 15.0 * std::log(7.0) + 0.6 * std::log(3.0), 1e-12);
    EXPECT_NEAR(s.value, 0.5294400, 1e-6);
}

TEST(KlRobust, SignificantWhenDisjoint)
{
    // V1 = 1..10, V2 = 11..20, max_bins 2: pooled 1..20, q 0.5 -> h = 9.5 -> 10 + 0.5 = 10.5; edges [1, 10.5, 20].
    // V1 counts (10, 0), V2 (0, 10). p = (10.5, 0.5) / 11, q = (0.5, 10.5) / 11.
    // KL = 10.5/11 ln 21 - 0.5/11 ln 21 = 10/11 ln 21 = 0.9090909 x 3.0445224 = 2.7677476706576574
    std::vector<double> v1, v2;
    for (int i = 1; i <= 10; ++i) {
        v1.push_back(i);
        v2.push_back(i + 10);
    }
    st::KlResult r = st::kl_robust(v1, v2, 2);
    EXPECT_NEAR(r.value, 2.7677476706576574, 1e-12);
    ASSERT_EQ(r.bins.edges.size(), 3u);
    EXPECT_NEAR(r.bins.edges[1], 10.5, 1e-12);
    // noise floor 1/2 (1/10 + 1/10) = 0.1; critical 3.841458820694124 x 20 / 200 = 0.3841458820694124
    EXPECT_NEAR(r.noise_floor, 0.1, 1e-12);
    expect_rel(r.critical_value, 0.3841458820694124);
    EXPECT_TRUE(r.significant);  // 2.77 > 0.384
}

TEST(KlRobust, IdenticalSamplesDefaultBins)
{
    // V1 = V2 = 1..10: pooled [1, 1, 2, 2, ..., 10, 10], n = 20, h = 19 k / 10 = 1.9 k:
    // k=1 h 1.9 -> 1 + 0.9 = 1.9; k=2 h 3.8 -> 2.8; k=3 5.7 -> 3.7; k=4 7.6 -> 4.6; k=5 9.5 -> 5.5;
    // k=6 11.4 -> 6.4; k=7 13.3 -> 7.3; k=8 15.2 -> 8.2; k=9 17.1 -> 9.1; k=0 -> 1, k=10 -> 10.
    // Same counts on both sides -> KL = 0.
    std::vector<double> v;
    for (int i = 1; i <= 10; ++i)
        v.push_back(i);
    st::KlResult r = st::kl_robust(v, v);
    EXPECT_NEAR(r.value, 0.0, 1e-12);
    EXPECT_FALSE(r.significant);
    const double expected_edges[] = {1, 1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1, 10};
    ASSERT_EQ(r.bins.edges.size(), 11u);
    for (std::size_t i = 0; i < 11; ++i)
        EXPECT_NEAR(r.bins.edges[i], expected_edges[i], 1e-9) << "edge " << i;
    // B = 10: noise floor 9/2 x (1/10 + 1/10) = 0.9; critical chi2_0.95(9) x 20 / 200 = 1.6918977604620448
    EXPECT_NEAR(r.noise_floor, 0.9, 1e-12);
    expect_rel(r.critical_value, chi2_95_df9 * 0.1);
}

TEST(KlRobust, DuplicateEdgesMerged)
{
    // V1 = [1, 1, 1, 5], V2 = [1, 1, 1, 2, 9]: pooled sorted [1 x 6, 2, 5, 9], n = 9, max_bins 4, h = 8 k / 4:
    // k=0 -> 1; k=1 h 2 -> 1; k=2 h 4 -> 1; k=3 h 6 -> x6 = 2; k=4 -> 9. Edges [1, 1, 1, 2, 9] -> merged [1, 2, 9].
    // [1, 2): V1 3, V2 3; [2, 9]: V1 1 (5), V2 2 (2 on the edge goes up, 9).
    // p = (3.5, 1.5) / 5 = (0.7, 0.3); q = (3.5, 2.5) / 6
    // KL = 0.7 ln(0.7 x 6 / 3.5) + 0.3 ln(0.3 x 6 / 2.5) = 0.7 ln 1.2 + 0.3 ln 0.72 = 0.02907386966415737
    st::KlResult r = st::kl_robust({1, 1, 1, 5}, {1, 1, 1, 2, 9}, 4);
    ASSERT_EQ(r.bins.edges.size(), 3u);
    EXPECT_NEAR(r.bins.edges[0], 1.0, 1e-12);
    EXPECT_NEAR(r.bins.edges[1], 2.0, 1e-12);
    EXPECT_NEAR(r.bins.edges[2], 9.0, 1e-12);
    EXPECT_NEAR(r.value, 0.02907386966415737, 1e-12);
    // B = 2 after merging: noise floor 1/2 (1/4 + 1/5) = 0.225; critical 3.841458820694124 x 9 / 40
    EXPECT_NEAR(r.noise_floor, 0.225, 1e-12);
    expect_rel(r.critical_value, chi2_95_df1 * 9.0 / 40.0);
    EXPECT_FALSE(r.significant);
}

TEST(KlRobust, AllValuesEqualIsOneBin)
{
    // every pooled quantile is 5 -> all edges merge; everything is in one bin: p = q = 1, KL = 0.
    // One bin -> B - 1 = 0 degrees of freedom: noise floor 0 and nothing can be significant.
    st::KlResult r = st::kl_robust({5, 5, 5}, {5, 5});
    EXPECT_EQ(r.value, 0.0);
    EXPECT_LE(r.bins.count(), 1u);
    EXPECT_EQ(r.noise_floor, 0.0);
    EXPECT_FALSE(r.significant);
    EXPECT_EQ(r.method, "quantile_jeffreys");
    EXPECT_EQ(r.direction, "v1||v2");
}

TEST(KlRobust, NonFiniteThrows)
{
    expect_error([] { st::kl_robust({1, nan_v}, {1, 2}); }, ErrorKind::invalid_input);
    expect_error([] { st::kl_robust({1, 2}, {-inf_v, 2}); }, ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// PSI (smoothed, robust bins) and Jensen-Shannon distance (base 2, unsmoothed, robust bins)

TEST(Psi, TwoBinHandExample)
{
    // bins and p, q as in KlRobust.TwoBinHandExample: p = (0.7, 0.3), q = (0.3, 0.7)
    // PSI = (0.7 - 0.3) ln(7/3) + (0.3 - 0.7) ln(3/7) = 0.8 ln(7/3) = 0.677838288309763
    EXPECT_NEAR(st::psi({1, 2, 3, 4}, {3, 4, 5, 6}, 2), 0.677838288309763, 1e-12);
    // symmetric in V1 and V2
    EXPECT_NEAR(st::psi({3, 4, 5, 6}, {1, 2, 3, 4}, 2), 0.677838288309763, 1e-12);
}

TEST(Psi, ThreeBinHandExampleAndIdentical)
{
    // bins as in KlRobust.ThreeBinHandExampleAndDirection: p = (3.5, 2.5, 1.5)/7.5, q = (0.5, 2.5, 4.5)/7.5
    // PSI = 0.4 ln 7 + 0 + (-0.4) ln(1/3) = 0.4 (ln 7 + ln 3) = 0.4 ln 21 = 0.4 x 3.044522437723423 = 1.2178089750893693
    EXPECT_NEAR(st::psi({1, 2, 3, 4, 5, 6}, {4, 5, 6, 7, 8, 9}, 3), 1.2178089750893693, 1e-12);
    EXPECT_NEAR(st::psi({1, 2, 3}, {1, 2, 3}), 0.0, 1e-12);
}

TEST(JsDistance, TwoBinHandExample)
{
    // unsmoothed: P = (3/4, 1/4), Q = (1/4, 3/4), M = (1/2, 1/2)
    // KL2(P || M) = 0.75 log2 1.5 + 0.25 log2 0.5 = 0.75 x 0.5849625007211562 - 0.25 = 0.18872187554086717
    // KL2(Q || M) is the same; JSD = 0.18872187554086717; distance = sqrt(JSD) = 0.4344213111034807
    EXPECT_NEAR(st::js_distance({1, 2, 3, 4}, {3, 4, 5, 6}, 2), 0.4344213111034807, 1e-12);
}

TEST(JsDistance, DisjointIsOne)
{
    // max_bins 2: pooled [1, 2, 3, 10, 11, 12], q 0.5 -> h 2.5 -> 3 + 0.5 x 7 = 6.5: P = (1, 0), Q = (0, 1),
    // M = (0.5, 0.5), KL2(P || M) = 1 log2 2 = 1 = KL2(Q || M) -> JSD 1, distance 1.
    EXPECT_NEAR(st::js_distance({1, 2, 3}, {10, 11, 12}, 2), 1.0, 1e-12);
    // default 10 bins, h = 0.5 k: edges 1, 1.5, 2, 2.5, 3, 6.5, 10, 10.5, 11, 11.5, 12 -- no bin holds both
    // samples, so again JSD = 1.
    EXPECT_NEAR(st::js_distance({1, 2, 3}, {10, 11, 12}), 1.0, 1e-12);
}

TEST(JsDistance, IdenticalIsZeroAndAlwaysInUnitInterval)
{
    EXPECT_NEAR(st::js_distance({1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}), 0.0, 1e-12);
    EXPECT_NEAR(st::js_distance({5, 4, 3, 2, 1}, {1, 2, 3, 4, 5}), 0.0, 1e-12);  // order does not matter
    const std::vector<std::vector<double>> samples = {
        {1}, {1, 1, 1, 2}, {3, 100, 7, 7, 7}, {0.5, 1e6, 2, 3}, {10, 20, 30, 40, 50, 60, 70}, {-3, -2, 5}};
    for (const auto& a : samples)
        for (const auto& b : samples) {
            double d = st::js_distance(a, b);
            EXPECT_GE(d, 0.0);
            EXPECT_LE(d, 1.0 + 1e-12);
        }
}

TEST(PsiJs, NonFiniteThrows)
{
    expect_error([] { st::psi({1, nan_v}, {1, 2}); }, ErrorKind::invalid_input);
    expect_error([] { st::js_distance({1, 2}, {inf_v}); }, ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// ks_two_sample: D = sup |F1 - F2|; p = Q_KS((sqrt(Ne) + 0.12 + 0.11/sqrt(Ne)) D), Ne = N M / (N + M),
// Q_KS(x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)

TEST(KsTwoSample, Disjoint)
{
    // F1 reaches 1 at 3 while F2 is still 0 -> D = 1.
    // Ne = 9/6 = 1.5; lambda = sqrt 1.5 + 0.12 + 0.11 / sqrt 1.5 = 1.2247449 + 0.12 + 0.0898146 = 1.434559495293639
    // Q = 2 (e^(-2 l^2) - e^(-8 l^2) + e^(-18 l^2) - ...) = 2 (0.0163108 - 7.08e-8 + ...) = 0.03262165165202117
    st::KsResult r = st::ks_two_sample({1, 2, 3}, {4, 5, 6});
    EXPECT_NEAR(r.statistic, 1.0, 1e-12);
    EXPECT_NEAR(r.p_value, 0.03262165165202117, 1e-9);
}

TEST(KsTwoSample, OverlapWithTies)
{
    // x=1: F1 1/4, F2 0; x=2: 1/2 vs 0 -> 0.5; x=3: 3/4 vs 1/4 -> 0.5; x=4: 1 vs 1/2 -> 0.5; x=5: 1 vs 3/4.
    // D = 0.5 (ties at 3 and 4 must be stepped together; stepping V1 first would give 0.75).
    // Ne = 16/8 = 2; lambda = (sqrt 2 + 0.12 + 0.11 / sqrt 2) x 0.5 = (1.4142136 + 0.12 + 0.0777817) / 2 = 0.8059976541518077
    // Q = 2 (e^(-1.2992645) - e^(-5.1970580) + e^(-11.6933805) - ...) = 2 (0.2727323 - 0.0055328 + 0.0000083) = 0.5344157192165071
    st::KsResult r = st::ks_two_sample({1, 2, 3, 4}, {3, 4, 5, 6});
    EXPECT_NEAR(r.statistic, 0.5, 1e-12);
    EXPECT_NEAR(r.p_value, 0.5344157192165071, 1e-9);
    // symmetric
    st::KsResult s = st::ks_two_sample({3, 4, 5, 6}, {1, 2, 3, 4});
    EXPECT_NEAR(s.statistic, 0.5, 1e-12);
    EXPECT_NEAR(s.p_value, 0.5344157192165071, 1e-9);
}

TEST(KsTwoSample, IdenticalAndEmpty)
{
    st::KsResult same = st::ks_two_sample({3, 1, 2, 2}, {2, 1, 3, 2});
    EXPECT_EQ(same.statistic, 0.0);
    EXPECT_EQ(same.p_value, 1.0);  // Q_KS(0) = 1
    st::KsResult e1 = st::ks_two_sample({}, {1, 2});
    EXPECT_EQ(e1.statistic, 0.0);
    EXPECT_EQ(e1.p_value, 1.0);
    st::KsResult e2 = st::ks_two_sample({1, 2}, {});
    EXPECT_EQ(e2.statistic, 0.0);
    EXPECT_EQ(e2.p_value, 1.0);
    st::KsResult e3 = st::ks_two_sample({}, {});
    EXPECT_EQ(e3.statistic, 0.0);
    EXPECT_EQ(e3.p_value, 1.0);
}

TEST(KsTwoSample, NonFiniteThrows)
{
    expect_error([] { st::ks_two_sample({1, nan_v}, {1, 2}); }, ErrorKind::invalid_input);
    expect_error([] { st::ks_two_sample({1, 2}, {inf_v}); }, ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// wasserstein: integral of |F1 - F2|

TEST(Wasserstein, HandExamples)
{
    // equal sizes: mean |sorted differences| = (|0-5| + |1-6| + |3-8|) / 3 = 5
    EXPECT_NEAR(st::wasserstein({0, 1, 3}, {5, 6, 8}), 5.0, 1e-12);
    EXPECT_NEAR(st::wasserstein({3, 0, 1}, {8, 5, 6}), 5.0, 1e-12);  // order does not matter
    EXPECT_NEAR(st::wasserstein({5, 6, 8}, {0, 1, 3}), 5.0, 1e-12);  // symmetric
    EXPECT_NEAR(st::wasserstein({0, 1, 3}, {0, 1, 3}), 0.0, 1e-12);
    // one point each: |F1 - F2| = 1 on [0, 1)
    EXPECT_NEAR(st::wasserstein({0}, {1}), 1.0, 1e-12);
    // [0, 2] vs [1]: |F1 - F2| = 1/2 on [0, 1) and 1/2 on [1, 2) -> 1
    EXPECT_NEAR(st::wasserstein({0, 2}, {1}), 1.0, 1e-12);
    // [0, 4] vs [1, 2, 3]: F1 = 1/2 on [0, 4); F2 = 0, 1/3, 2/3, 1 from 1, 2, 3.
    // [0,1): 1/2; [1,2): 1/2 - 1/3 = 1/6; [2,3): 2/3 - 1/2 = 1/6; [3,4): 1 - 1/2 = 1/2 -> 4/3
    EXPECT_NEAR(st::wasserstein({0, 4}, {1, 2, 3}), 4.0 / 3.0, 1e-12);
}

TEST(Wasserstein, NonFiniteThrows)
{
    expect_error([] { st::wasserstein({1, nan_v}, {1, 2}); }, ErrorKind::invalid_input);
    expect_error([] { st::wasserstein({1, 2}, {-inf_v}); }, ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// modified_z_outliers: |0.6745 (x - median)| / MAD > 3.5; MAD = 0 -> every x != median

TEST(ModifiedZ, HandExample)
{
    // median 3; |dev| 2, 1, 0, 1, 97 -> sorted 0, 1, 1, 2, 97 -> MAD 1.
    // z(100) = 0.6745 x 97 = 65.4265 > 3.5; z(1) = 1.349; z(2) = z(4) = 0.6745 -> only index 4
    EXPECT_EQ(st::modified_z_outliers({1, 2, 3, 4, 100}), idx({4}));
}

TEST(ModifiedZ, UnsortedTwoOutliersAscendingIndices)
{
    // [3, 100, 1, 2, 4, -90]: sorted [-90, 1, 2, 3, 4, 100], median (2 + 3) / 2 = 2.5.
    // |dev| 0.5, 97.5, 1.5, 0.5, 1.5, 92.5 -> sorted 0.5, 0.5, 1.5, 1.5, 92.5, 97.5 -> MAD 1.5.
    // z(100) = 0.6745 x 97.5 / 1.5 = 43.84; z(-90) = 0.6745 x 92.5 / 1.5 = 41.59; z(1) = z(4) = 0.6745 -> {1, 5}
    EXPECT_EQ(st::modified_z_outliers({3, 100, 1, 2, 4, -90}), idx({1, 5}));
}

TEST(ModifiedZ, ThresholdIsStrict)
{
    // [-1, 0, 0, 1, x]: median 0; |dev| 1, 0, 0, 1, x -> MAD 1.
    // x = 5.2: z = 0.6745 x 5.2 = 3.5074 > 3.5 -> outlier; x = 5.18: z = 3.49391 -> not
    EXPECT_EQ(st::modified_z_outliers({-1, 0, 0, 1, 5.2}), idx({4}));
    EXPECT_TRUE(st::modified_z_outliers({-1, 0, 0, 1, 5.18}).empty());
}

TEST(ModifiedZ, MadZero)
{
    // median 5; |dev| 0, 0, 0, 0, 4 -> MAD 0 -> every value != 5: index 4
    EXPECT_EQ(st::modified_z_outliers({5, 5, 5, 5, 9}), idx({4}));
    // sorted [1, 5, 5, 5, 5, 9]: median 5, |dev| 4, 0, 0, 0, 0, 4 -> MAD 0 -> indices 0 and 5
    EXPECT_EQ(st::modified_z_outliers({9, 5, 5, 5, 5, 1}), idx({0, 5}));
    EXPECT_TRUE(st::modified_z_outliers({5, 5, 5}).empty());
    EXPECT_TRUE(st::modified_z_outliers({42}).empty());
}

TEST(ModifiedZ, EmptyAndNonFinite)
{
    EXPECT_TRUE(st::modified_z_outliers({}).empty());
    expect_error([] { st::modified_z_outliers({1, nan_v, 3}); }, ErrorKind::invalid_input);
    expect_error([] { st::modified_z_outliers({1, inf_v, 3}); }, ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// drift_report

TEST(DriftReport, EmptyIsZeros)
{
    st::DriftReport r = st::drift_report({}, 0.2);
    EXPECT_EQ(r.sample_count, 0u);
    EXPECT_EQ(r.delta_p50, 0.0);
    EXPECT_EQ(r.delta_p90, 0.0);
    EXPECT_EQ(r.kl.value, 0.0);
    EXPECT_EQ(r.kl_legacy.value, 0.0);
    EXPECT_EQ(r.outlier_count, 0u);
    EXPECT_EQ(r.fail_ratio, 0.0);
    EXPECT_EQ(r.matching_rate, 0.0);
    EXPECT_EQ(r.psi, 0.0);
    EXPECT_EQ(r.js_distance, 0.0);
    EXPECT_EQ(r.ks.statistic, 0.0);
    EXPECT_EQ(r.ks.p_value, 1.0);
    EXPECT_EQ(r.wasserstein, 0.0);
}

namespace {

// v1, v2, drift_score, match
std::vector<st::PairedSample> report_samples()
{
    return {
        {100, 110, 0.21, false},  // delta +10, fails (0.21 > 0.2)
        {200, 190, 0.03, true},   // delta -10
        {300, 300, 0.0, true},    // delta 0
        {400, 480, 0.2, false},   // delta +80, exactly the threshold: not a failure
        {500, 1000, 0.5, false},  // delta +500, fails
    };
}

}  // namespace

TEST(DriftReport, HandComputedFiveSamples)
{
    st::DriftReport r = st::drift_report(report_samples(), 0.2);
    EXPECT_EQ(r.sample_count, 5u);
    // |v2 - v1| sorted [0, 10, 10, 80, 500]: p50 h = 2 -> 10; p90 h = 3.6 -> 80 + 0.6 x 420 = 332
    EXPECT_NEAR(r.delta_p50, 10.0, 1e-9);
    EXPECT_NEAR(r.delta_p90, 332.0, 1e-9);
    // drift_score > 0.2: 0.21 and 0.5 -> 2/5 (0.2 itself does not count; >= would give 3/5)
    EXPECT_NEAR(r.fail_ratio, 0.4, 1e-12);
    // verdict match: samples 2 and 3 -> 2/5
    EXPECT_NEAR(r.matching_rate, 0.4, 1e-12);
    // signed deltas [10, -10, 0, 80, 500]: median 10, |dev| 0, 20, 10, 70, 490 -> MAD 20;
    // z(500) = 0.6745 x 490 / 20 = 16.5 > 3.5; z(80) = 0.6745 x 70 / 20 = 2.36 -> 1 outlier.
    // (On |delta| it would be 2: median 10, MAD 10, z(80) = 4.72.)
    EXPECT_EQ(r.outlier_count, 1u);

    // Robust KL, default 10 bins. Pooled sorted [100, 110, 190, 200, 300, 300, 400, 480, 500, 1000], h = 0.9 k:
    // k=1 h .9 -> 100 + .9 x 10 = 109; k=2 h 1.8 -> 110 + .8 x 80 = 174; k=3 h 2.7 -> 190 + .7 x 10 = 197;
    // k=4 h 3.6 -> 200 + .6 x 100 = 260; k=5 h 4.5 -> 300; k=6 h 5.4 -> 300 + .4 x 100 = 340;
    // k=7 h 6.3 -> 400 + .3 x 80 = 424; k=8 h 7.2 -> 480 + .2 x 20 = 484; k=9 h 8.1 -> 500 + .1 x 500 = 550.
    // V1 counts (1,0,0,1,0,1,1,0,1,0), V2 (0,1,1,0,0,1,0,1,0,1) (300 on edge 300 -> bin 5 for both).
    // p = (c + 0.5) / 10: bins 0, 3, 6, 8: p 0.15, q 0.05; bins 1, 2, 7, 9: p 0.05, q 0.15; bins 4, 5 equal.
    // KL = 4 x 0.15 ln 3 + 4 x 0.05 ln(1/3) = 0.4 ln 3 = 0.43944491546724396
    EXPECT_NEAR(r.kl.value, 0.43944491546724396, 1e-12);
    EXPECT_EQ(r.kl.method, "quantile_jeffreys");
    EXPECT_EQ(r.kl.direction, "v1||v2");
    EXPECT_EQ(r.kl.smoothing, 0.5);
    const double edges[] = {100, 109, 174, 197, 260, 300, 340, 424, 484, 550, 1000};
    ASSERT_EQ(r.kl.bins.edges.size(), 11u);
    for (std::size_t i = 0; i < 11; ++i)
        EXPECT_NEAR(r.kl.bins.edges[i], edges[i], 1e-9) << "edge " << i;
    // noise floor 9/2 x (1/5 + 1/5) = 1.8; critical chi2_0.95(9) x 10 / 50 = 3.3837955
    EXPECT_NEAR(r.kl.noise_floor, 1.8, 1e-12);
    expect_rel(r.kl.critical_value, chi2_95_df9 * 0.2);
    EXPECT_FALSE(r.kl.significant);

    // Legacy KL: range [100, 1000], width 90, edges 100, 190, ..., 1000.
    // V1: 100 -> b0, 200 -> b1, 300 -> b2, 400 -> b3, 500 -> b4 (0.2 each).
    // V2: 110 -> b0, 190 -> b1 (edge goes up), 300 -> b2, 480 -> b4, 1000 -> b9 (0.2 each).
    // KL = (0.2 + e) ln((0.2 + e) / e) [b3] + e ln(e / (0.2 + e)) [b9] + 0 = 4.283282603601271 (e = 1e-10)
    EXPECT_NEAR(r.kl_legacy.value, 4.283282603601271, 1e-9);
    EXPECT_EQ(r.kl_legacy.method, "legacy");
    EXPECT_EQ(r.kl_legacy.direction, "v1||v2");

    // PSI on the robust bins: 4 x (0.1) ln 3 + 4 x (-0.1) ln(1/3) = 0.8 ln 3 = 0.8788898309344879
    EXPECT_NEAR(r.psi, 0.8788898309344879, 1e-12);
    // JS unsmoothed: P 0.2 in bins 0, 3, 5, 6, 8; Q 0.2 in bins 1, 2, 5, 7, 9; M 0.1 where one side, 0.2 in bin 5.
    // KL2(P || M) = 4 x 0.2 log2 2 + 0.2 log2 1 = 0.8 = KL2(Q || M) -> JSD 0.8 -> distance sqrt 0.8 = 0.894427191
    EXPECT_NEAR(r.js_distance, 0.8944271909999159, 1e-12);
    // KS: F1 - F2 at 100: .2-0; 110: .2-.2; 190: .2-.4; 200: .4-.4; 300: .6-.6; 400: .8-.6; 480: .8-.8; 500: 1-.8 -> D = 0.2.
    // Ne = 25/10 = 2.5; lambda = (1.5811388 + 0.12 + 0.0695701) x 0.2 = 0.35414178772157884;
    // Q = 2 (0.77815 - 0.36666 + 0.10461 - 0.01807 + 0.00189 - 0.00012 + ...) = 0.9996217060535831
    EXPECT_NEAR(r.ks.statistic, 0.2, 1e-12);
    EXPECT_NEAR(r.ks.p_value, 0.9996217060535831, 1e-9);
    // Wasserstein, equal sizes: sorted V1 [100..500], V2 [110, 190, 300, 480, 1000]:
    // (10 + 10 + 0 + 80 + 500) / 5 = 120
    EXPECT_NEAR(r.wasserstein, 120.0, 1e-9);
}

TEST(DriftReport, ThresholdDecidesFailures)
{
    // same samples; threshold 0.5: no score is > 0.5 -> 0; threshold 0.0: 0.21, 0.03, 0.2, 0.5 > 0 -> 4/5
    EXPECT_EQ(st::drift_report(report_samples(), 0.5).fail_ratio, 0.0);
    EXPECT_NEAR(st::drift_report(report_samples(), 0.0).fail_ratio, 0.8, 1e-12);
}

TEST(DriftReport, NonFiniteThrows)
{
    std::vector<st::PairedSample> s = report_samples();
    s[2].v1_cost_cents = nan_v;
    expect_error([&] { st::drift_report(s, 0.2); }, ErrorKind::invalid_input);
    s = report_samples();
    s[4].v2_cost_cents = inf_v;
    expect_error([&] { st::drift_report(s, 0.2); }, ErrorKind::invalid_input);
    s = report_samples();
    s[0].drift_score = nan_v;
    expect_error([&] { st::drift_report(s, 0.2); }, ErrorKind::invalid_input);
    expect_error([&] { st::drift_report(report_samples(), nan_v); }, ErrorKind::invalid_input);
}

// Drift statistics over paired samples (spec section 6): quantiles, KL divergence (legacy and robust, with
// the no-drift noise floor), PSI, Jensen-Shannon distance, two-sample Kolmogorov-Smirnov, Wasserstein-1 and
// modified z-score outliers. Every function rejects NaN and infinities with Error(invalid_input).
#pragma once
#include "core/no_postgres.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace costsim::statistics {

// Quantile q in [0, 1] with linear interpolation between order statistics (Hyndman & Fan type 7, as
// PostgreSQL's percentile_cont and numpy's default). Empty input -> NaN is not returned: throws invalid_input.
double quantile(std::vector<double> values, double q);

// Histogram bins: edges e0 < e1 < ... < eB (or two equal edges {c, c}: one bin, when every value is c); a value
// v falls in bin i when e_i <= v < e_(i+1), the last bin closed on the right; values outside [e0, eB] fall in the
// first or last bin.
struct Bins {
    std::vector<double> edges;
    std::size_t count() const noexcept { return edges.empty() ? 0 : edges.size() - 1; }
};
std::vector<std::size_t> histogram(const std::vector<double>& values, const Bins& bins);

// KL(P || Q) of V1's costs (P) against V2's (Q), with everything needed to reproduce it.
struct KlResult {
    double value = 0;
    std::string method;     // "legacy" or "quantile_jeffreys"
    std::string direction;  // "v1||v2"
    Bins bins;
    double smoothing = 0;   // legacy: the epsilon added to each proportion; robust: the pseudo-count per bin
    // No-drift reference for these sample sizes: E[KL] ~ (B - 1) / 2 * (1/N + 1/M), and the KL above which
    // the difference is significant at 95 % (chi-squared with B - 1 degrees of freedom: KL * 2NM / (N + M)).
    double noise_floor = 0;
    double critical_value = 0;
    bool significant = false;  // value > critical_value
};

// Legacy definition (the system this replaces): values clamped to >= 1, 10 equal-width bins over the union
// range, proportions + 1e-10, no renormalisation. Empty input (either side) -> 0. One distinct value -> 0.
KlResult kl_legacy(const std::vector<double>& v1, const std::vector<double>& v2);

// Robust default: up to `max_bins` bins whose edges are quantiles of the pooled sample (duplicates merged, so
// ties cannot create empty bins), Jeffreys smoothing (0.5 added to every bin count), direction V1 || V2.
// An empty side gives 0 (no bins, no noise floor). max_bins 0 is invalid_input, above 100,000 limit_exceeded.
inline constexpr std::size_t default_max_bins = 10;
KlResult kl_robust(const std::vector<double>& v1, const std::vector<double>& v2, std::size_t max_bins = default_max_bins);

// On the bins of kl_robust (same smoothing): PSI = sum (p - q) ln(p / q). An empty side gives 0.
double psi(const std::vector<double>& v1, const std::vector<double>& v2, std::size_t max_bins = default_max_bins);

// Jensen-Shannon distance, base 2 (in [0, 1]), on the bins of kl_robust without smoothing (0 log 0 = 0).
// An empty side gives 0.
double js_distance(const std::vector<double>& v1, const std::vector<double>& v2,
                   std::size_t max_bins = default_max_bins);

// Two-sample Kolmogorov-Smirnov: D = sup |F1 - F2|, and the asymptotic p-value Q_KS(lambda),
// lambda = (sqrt(Ne) + 0.12 + 0.11 / sqrt(Ne)) * D, Ne = N M / (N + M), Q_KS(x) = 2 sum_{k>=1} (-1)^(k-1) e^(-2 k^2 x^2)
// (for x < 1.18 evaluated through the equivalent Jacobi theta form, where the alternating series cancels badly).
struct KsResult {
    double statistic = 0;
    double p_value = 1;
};
KsResult ks_two_sample(const std::vector<double>& v1, const std::vector<double>& v2);

// Wasserstein-1 distance between the two empirical distributions: the integral of |F1 - F2|.
double wasserstein(const std::vector<double>& v1, const std::vector<double>& v2);

// Modified z-score outliers: |0.6745 (x - median)| / MAD > 3.5, MAD = median |x - median|; when MAD = 0,
// every x != median is an outlier. Returns the indices of the outliers, ascending.
inline constexpr double outlier_z = 3.5;
std::vector<std::size_t> modified_z_outliers(const std::vector<double>& values);

// One paired sample: both costs of the same call, its drift score and whether its verdict was match.
struct PairedSample {
    double v1_cost_cents = 0;
    double v2_cost_cents = 0;
    double drift_score = 0;
    bool match = false;
};

// The divergence report of spec section 6 over paired samples.
struct DriftReport {
    std::size_t sample_count = 0;
    double delta_p50 = 0;  // of |v2 - v1|
    double delta_p90 = 0;
    KlResult kl;           // robust (the default); paired samples, so N = M = sample_count
    KlResult kl_legacy;    // for comparison
    std::size_t outlier_count = 0;  // modified z-score on the signed cost deltas v2 - v1
    double fail_ratio = 0;          // share with drift_score > drift_threshold
    double matching_rate = 0;       // share with verdict match
    double psi = 0;
    double js_distance = 0;
    KsResult ks;
    double wasserstein = 0;
};
// An empty sample gives a report of zeros (sample_count 0, ks p-value 1).
DriftReport drift_report(const std::vector<PairedSample>& samples, double drift_threshold);

}  // namespace costsim::statistics

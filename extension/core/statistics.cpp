#include "core/statistics.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <boost/math/constants/constants.hpp>
#include <boost/math/distributions/chi_squared.hpp>

namespace costsim::statistics {
namespace {

constexpr std::size_t legacy_bin_count = 10;
constexpr double legacy_epsilon = 1e-10;
constexpr double legacy_floor = 1;  // legacy clamps every value to >= 1 before binning
constexpr double jeffreys_pseudo_count = 0.5;
constexpr double significance_level = 0.95;
constexpr double mad_scale = 0.6745;
// More bins than this is a caller error rather than a histogram: each bin costs memory and a chi-squared
// degree of freedom, and a million-sample report is well served by far fewer.
constexpr std::size_t max_bins_limit = 100000;
constexpr const char* direction_v1_v2 = "v1||v2";

std::string element(const char* name, std::size_t index)
{
    return std::string(name) + "[" + std::to_string(index) + "]";
}

void require_finite(const std::vector<double>& values, const char* name)
{
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i])) throw invalid_input(element(name, i), "must be a finite number");
}

std::vector<double> sorted_copy(const std::vector<double>& values, const char* name)
{
    require_finite(values, name);
    std::vector<double> sorted(values);
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

void require_max_bins(std::size_t max_bins)
{
    if (max_bins == 0) throw invalid_input("max_bins", "must be at least 1");
    if (max_bins > max_bins_limit)
        throw Error(ErrorKind::limit_exceeded, "max_bins: " + std::to_string(max_bins) + " exceeds the limit of " +
                                                   std::to_string(max_bins_limit));
}

// a + t (b - a) for a <= b and t in [0, 1], kept inside [a, b] so that quantiles are monotone in q.
double interpolate(double a, double b, double t) noexcept
{
    if (t <= 0 || a == b) return a;
    double value = a + t * (b - a);
    if (!std::isfinite(value)) value = (1 - t) * a + t * b;  // b - a overflowed
    return std::clamp(value, a, b);
}

// Type 7: h = (n - 1) q; the quantile lies between order statistics floor(h) and floor(h) + 1.
struct Position {
    std::size_t index;
    double fraction;
};

Position position(std::size_t n, double q) noexcept
{
    const double h = static_cast<double>(n - 1) * q;
    const auto index = static_cast<std::size_t>(std::floor(h));
    if (index >= n - 1) return {n - 1, 0};
    return {index, h - static_cast<double>(index)};
}

// Quantile of sorted, non-empty values.
double quantile_sorted(const std::vector<double>& sorted, double q) noexcept
{
    const Position at = position(sorted.size(), q);
    if (at.fraction <= 0) return sorted[at.index];
    return interpolate(sorted[at.index], sorted[at.index + 1], at.fraction);
}

// Quantile of non-empty values in O(n), permuting them (repeated calls on the same buffer stay valid).
double quantile_in_place(std::vector<double>& values, double q)
{
    const Position at = position(values.size(), q);
    const auto nth = values.begin() + static_cast<std::ptrdiff_t>(at.index);
    std::nth_element(values.begin(), nth, values.end());
    if (at.fraction <= 0) return *nth;
    return interpolate(*nth, *std::min_element(nth + 1, values.end()), at.fraction);
}

// Counts of sorted values in bins (edges.size() >= 2), by the rule of `histogram`, in O(B log n).
std::vector<std::size_t> sorted_counts(const std::vector<double>& sorted, const std::vector<double>& edges)
{
    const std::size_t bins = edges.size() - 1;
    std::vector<std::size_t> counts(bins, 0);
    auto from = sorted.begin();
    for (std::size_t i = 0; i + 1 < bins; ++i) {
        const auto to = std::lower_bound(from, sorted.end(), edges[i + 1]);
        counts[i] = static_cast<std::size_t>(to - from);
        from = to;
    }
    counts[bins - 1] = static_cast<std::size_t>(sorted.end() - from);
    return counts;
}

// The robust binning shared by kl_robust, psi and js_distance: edges are the type-7 quantiles k / B
// (k = 0..B) of the pooled sample with duplicates dropped; when every value is equal, one bin {c, c}.
Bins pooled_quantile_bins(const std::vector<double>& sorted_v1, const std::vector<double>& sorted_v2,
                          std::size_t max_bins)
{
    std::vector<double> pooled(sorted_v1.size() + sorted_v2.size());
    std::merge(sorted_v1.begin(), sorted_v1.end(), sorted_v2.begin(), sorted_v2.end(), pooled.begin());
    Bins bins;
    bins.edges.reserve(max_bins + 1);
    for (std::size_t k = 0; k <= max_bins; ++k) {
        const double q = k == max_bins ? 1.0 : static_cast<double>(k) / static_cast<double>(max_bins);
        const double edge = quantile_sorted(pooled, q);
        if (bins.edges.empty() || edge > bins.edges.back()) bins.edges.push_back(edge);
    }
    if (bins.edges.size() == 1) bins.edges.push_back(bins.edges.front());
    return bins;
}

// Both samples (sorted, non-empty) counted on the robust bins.
struct Binned {
    Bins bins;
    std::vector<std::size_t> v1_counts, v2_counts;
    double n = 0, m = 0;

    Binned(const std::vector<double>& sorted_v1, const std::vector<double>& sorted_v2, std::size_t max_bins)
        : bins(pooled_quantile_bins(sorted_v1, sorted_v2, max_bins)),
          v1_counts(sorted_counts(sorted_v1, bins.edges)),
          v2_counts(sorted_counts(sorted_v2, bins.edges)),
          n(static_cast<double>(sorted_v1.size())),
          m(static_cast<double>(sorted_v2.size()))
    {
    }
    std::size_t size() const noexcept { return v1_counts.size(); }
    // Jeffreys-smoothed proportions: (c + 0.5) / (N + 0.5 B).
    double p(std::size_t i) const noexcept { return smoothed(v1_counts[i], n); }
    double q(std::size_t i) const noexcept { return smoothed(v2_counts[i], m); }

private:
    double smoothed(std::size_t count, double total) const noexcept
    {
        return (static_cast<double>(count) + jeffreys_pseudo_count) /
               (total + jeffreys_pseudo_count * static_cast<double>(size()));
    }
};

// The no-drift reference for B bins and sample sizes N, M (see KlResult).
void judge(KlResult& result, std::size_t bins, std::size_t n, std::size_t m)
{
    result.noise_floor = 0;
    result.critical_value = 0;
    result.significant = false;
    if (bins < 2 || n == 0 || m == 0) return;
    const double degrees = static_cast<double>(bins - 1);
    const double harmonic = 1.0 / static_cast<double>(n) + 1.0 / static_cast<double>(m);  // (N + M) / (N M)
    result.noise_floor = degrees / 2 * harmonic;
    const boost::math::chi_squared_distribution<double> chi_squared(degrees);
    result.critical_value = boost::math::quantile(chi_squared, significance_level) * harmonic / 2;
    result.significant = result.value > result.critical_value;
}

KlResult robust_result(const Binned* binned, std::size_t n, std::size_t m)
{
    KlResult result;
    result.method = "quantile_jeffreys";
    result.direction = direction_v1_v2;
    result.smoothing = jeffreys_pseudo_count;
    if (!binned) return result;
    double sum = 0;
    for (std::size_t i = 0; i < binned->size(); ++i) {
        const double p = binned->p(i), q = binned->q(i);
        sum += p * std::log(p / q);
    }
    result.value = sum;
    result.bins = binned->bins;
    judge(result, binned->size(), n, m);
    return result;
}

double psi_of(const Binned& binned)
{
    double sum = 0;
    for (std::size_t i = 0; i < binned.size(); ++i) {
        const double p = binned.p(i), q = binned.q(i);
        sum += (p - q) * std::log(p / q);
    }
    return sum;
}

double js_distance_of(const Binned& binned)
{
    double divergence = 0;
    for (std::size_t i = 0; i < binned.size(); ++i) {
        const double p = static_cast<double>(binned.v1_counts[i]) / binned.n;
        const double q = static_cast<double>(binned.v2_counts[i]) / binned.m;
        const double mid = (p + q) / 2;
        if (p > 0) divergence += 0.5 * p * std::log2(p / mid);
        if (q > 0) divergence += 0.5 * q * std::log2(q / mid);
    }
    return std::min(std::sqrt(std::max(divergence, 0.0)), 1.0);
}

// Legacy KL over finite values in any order (only their range and bins matter).
KlResult legacy_kl(const std::vector<double>& v1, const std::vector<double>& v2)
{
    KlResult result;
    result.method = "legacy";
    result.direction = direction_v1_v2;
    result.smoothing = legacy_epsilon;
    if (v1.empty() || v2.empty()) return result;
    const auto [min1, max1] = std::minmax_element(v1.begin(), v1.end());
    const auto [min2, max2] = std::minmax_element(v2.begin(), v2.end());
    const double lo = std::max(std::min(*min1, *min2), legacy_floor);
    const double hi = std::max(std::max(*max1, *max2), legacy_floor);
    if (hi == lo) {
        // One distinct value: every value in one bin on both sides, KL 0. The edges are {lo, lo}.
        result.bins.edges = {lo, hi};
        judge(result, 1, v1.size(), v2.size());
        return result;
    }
    const double width = (hi - lo) / static_cast<double>(legacy_bin_count);
    result.bins.edges.resize(legacy_bin_count + 1);
    for (std::size_t i = 0; i < legacy_bin_count; ++i) result.bins.edges[i] = lo + static_cast<double>(i) * width;
    result.bins.edges[legacy_bin_count] = hi;

    const auto counts = [&](const std::vector<double>& values) {
        std::array<std::size_t, legacy_bin_count> bins{};
        for (const double value : values) {
            const double offset = (std::max(value, legacy_floor) - lo) / width;  // in [0, 10] up to rounding
            const auto index = static_cast<std::size_t>(std::floor(offset));
            ++bins[std::min(index, legacy_bin_count - 1)];
        }
        return bins;
    };
    const auto c1 = counts(v1), c2 = counts(v2);
    const double n = static_cast<double>(v1.size()), m = static_cast<double>(v2.size());
    double sum = 0;
    for (std::size_t i = 0; i < legacy_bin_count; ++i) {
        const double p = static_cast<double>(c1[i]) / n + legacy_epsilon;
        const double q = static_cast<double>(c2[i]) / m + legacy_epsilon;
        sum += p * std::log(p / q);
    }
    result.value = sum;
    judge(result, legacy_bin_count, v1.size(), v2.size());
    return result;
}

// Q_KS(x) = 2 sum_{k>=1} (-1)^(k-1) e^(-2 k^2 x^2). For x < 1.18 the alternating series converges slowly and
// cancels badly, so the same function is evaluated through its Jacobi theta form
// Q_KS(x) = 1 - sqrt(2 pi) / x * sum_{k>=1} e^(-(2k-1)^2 pi^2 / (8 x^2)), which converges in a few terms there.
double kolmogorov_q(double x)
{
    if (!(x > 0)) return 1;
    constexpr int max_terms = 100;
    if (x < 1.18) {
        const double pi = boost::math::constants::pi<double>();
        const double scale = pi * pi / (8 * x * x);
        double sum = 0;
        for (int k = 1; k <= max_terms; ++k) {
            const double odd = 2.0 * k - 1;
            const double term = std::exp(-odd * odd * scale);
            sum += term;
            if (term <= 1e-16 * sum) break;
        }
        if (sum <= 0) return 1;  // x tiny: the distribution function underflows to 0
        return std::clamp(1 - boost::math::constants::root_two_pi<double>() / x * sum, 0.0, 1.0);
    }
    double sum = 0;
    for (int k = 1; k <= max_terms; ++k) {
        const double term = std::exp(-2.0 * k * k * x * x);
        sum += k % 2 == 1 ? term : -term;
        if (term <= 1e-12 * std::abs(sum)) break;
    }
    return std::clamp(2 * sum, 0.0, 1.0);
}

KsResult ks_sorted(const std::vector<double>& a, const std::vector<double>& b)
{
    KsResult result;
    if (a.empty() || b.empty()) return result;
    const double n = static_cast<double>(a.size()), m = static_cast<double>(b.size());
    std::size_t i = 0, j = 0;
    double distance = 0;
    while (i < a.size() && j < b.size()) {
        const double x = std::min(a[i], b[j]);
        while (i < a.size() && a[i] == x) ++i;
        while (j < b.size() && b[j] == x) ++j;
        distance = std::max(distance, std::abs(static_cast<double>(i) / n - static_cast<double>(j) / m));
    }
    // Once a side is exhausted its F is 1 and the other F only rises towards it: the gap only shrinks.
    result.statistic = distance;
    const double root = std::sqrt(n * m / (n + m));
    result.p_value = kolmogorov_q((root + 0.12 + 0.11 / root) * distance);
    return result;
}

double wasserstein_sorted(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.empty() || b.empty()) return 0;
    const double n = static_cast<double>(a.size()), m = static_cast<double>(b.size());
    std::size_t i = 0, j = 0;
    double previous = std::min(a.front(), b.front());
    double area = 0;
    while (i < a.size() || j < b.size()) {
        const double x = i == a.size() ? b[j] : j == b.size() ? a[i] : std::min(a[i], b[j]);
        // Between breakpoints F1 = i / N and F2 = j / M are constant.
        area += std::abs(static_cast<double>(i) / n - static_cast<double>(j) / m) * (x - previous);
        while (i < a.size() && a[i] == x) ++i;
        while (j < b.size() && b[j] == x) ++j;
        previous = x;
    }
    return area;
}

// Modified z-score rule over finite, non-empty values; `scratch` is reused storage.
struct OutlierRule {
    double median = 0;
    double mad = 0;

    OutlierRule(const std::vector<double>& values, std::vector<double>& scratch)
    {
        scratch.assign(values.begin(), values.end());
        median = quantile_in_place(scratch, 0.5);
        for (std::size_t i = 0; i < values.size(); ++i) scratch[i] = std::abs(values[i] - median);
        mad = quantile_in_place(scratch, 0.5);
    }
    bool operator()(double x) const noexcept
    {
        if (mad > 0) return std::abs(mad_scale * (x - median)) / mad > outlier_z;
        return x != median;
    }
};

}  // namespace

double quantile(std::vector<double> values, double q)
{
    if (!(q >= 0 && q <= 1)) throw invalid_input("q", "must be a number in [0, 1]");
    if (values.empty()) throw invalid_input("values", "must not be empty: a quantile needs at least one value");
    require_finite(values, "values");
    return quantile_in_place(values, q);
}

std::vector<std::size_t> histogram(const std::vector<double>& values, const Bins& bins)
{
    require_finite(values, "values");
    require_finite(bins.edges, "bins.edges");
    for (std::size_t i = 1; i < bins.edges.size(); ++i)
        if (bins.edges[i] < bins.edges[i - 1])
            throw invalid_input(element("bins.edges", i), "must not be below the previous edge");
    std::vector<std::size_t> counts(bins.count(), 0);
    if (counts.empty()) return counts;
    const auto first = bins.edges.begin(), last = bins.edges.end();
    for (const double value : values) {
        const auto at_or_below = static_cast<std::size_t>(std::upper_bound(first, last, value) - first);
        ++counts[at_or_below == 0 ? 0 : std::min(at_or_below - 1, counts.size() - 1)];
    }
    return counts;
}

KlResult kl_legacy(const std::vector<double>& v1, const std::vector<double>& v2)
{
    require_finite(v1, "v1");
    require_finite(v2, "v2");
    return legacy_kl(v1, v2);
}

KlResult kl_robust(const std::vector<double>& v1, const std::vector<double>& v2, std::size_t max_bins)
{
    require_max_bins(max_bins);
    const std::vector<double> a = sorted_copy(v1, "v1"), b = sorted_copy(v2, "v2");
    if (a.empty() || b.empty()) return robust_result(nullptr, a.size(), b.size());
    const Binned binned(a, b, max_bins);
    return robust_result(&binned, a.size(), b.size());
}

double psi(const std::vector<double>& v1, const std::vector<double>& v2, std::size_t max_bins)
{
    require_max_bins(max_bins);
    const std::vector<double> a = sorted_copy(v1, "v1"), b = sorted_copy(v2, "v2");
    if (a.empty() || b.empty()) return 0;
    return psi_of(Binned(a, b, max_bins));
}

double js_distance(const std::vector<double>& v1, const std::vector<double>& v2, std::size_t max_bins)
{
    require_max_bins(max_bins);
    const std::vector<double> a = sorted_copy(v1, "v1"), b = sorted_copy(v2, "v2");
    if (a.empty() || b.empty()) return 0;
    return js_distance_of(Binned(a, b, max_bins));
}

KsResult ks_two_sample(const std::vector<double>& v1, const std::vector<double>& v2)
{
    return ks_sorted(sorted_copy(v1, "v1"), sorted_copy(v2, "v2"));
}

double wasserstein(const std::vector<double>& v1, const std::vector<double>& v2)
{
    return wasserstein_sorted(sorted_copy(v1, "v1"), sorted_copy(v2, "v2"));
}

std::vector<std::size_t> modified_z_outliers(const std::vector<double>& values)
{
    require_finite(values, "values");
    std::vector<std::size_t> outliers;
    if (values.empty()) return outliers;
    std::vector<double> scratch;
    const OutlierRule is_outlier(values, scratch);
    for (std::size_t i = 0; i < values.size(); ++i)
        if (is_outlier(values[i])) outliers.push_back(i);
    return outliers;
}

DriftReport drift_report(const std::vector<PairedSample>& samples, double drift_threshold)
{
    if (!std::isfinite(drift_threshold)) throw invalid_input("drift_threshold", "must be a finite number");
    const std::size_t n = samples.size();
    std::vector<double> v1(n), v2(n), deltas(n);
    std::size_t fails = 0, matches = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const PairedSample& sample = samples[i];
        const auto check = [&](double value, const char* field) {
            if (!std::isfinite(value))
                throw invalid_input(element("samples", i) + "." + field, "must be a finite number");
        };
        check(sample.v1_cost_cents, "v1_cost_cents");
        check(sample.v2_cost_cents, "v2_cost_cents");
        check(sample.drift_score, "drift_score");
        v1[i] = sample.v1_cost_cents;
        v2[i] = sample.v2_cost_cents;
        deltas[i] = sample.v2_cost_cents - sample.v1_cost_cents;
        if (!std::isfinite(deltas[i]))
            throw invalid_input(element("samples", i), "the cost delta v2 - v1 overflows a double");
        if (sample.drift_score > drift_threshold) ++fails;
        if (sample.match) ++matches;
    }

    DriftReport report;
    report.sample_count = n;
    if (n == 0) {
        report.kl = robust_result(nullptr, 0, 0);
        report.kl_legacy = legacy_kl(v1, v2);
        return report;
    }
    const double count = static_cast<double>(n);
    report.fail_ratio = static_cast<double>(fails) / count;
    report.matching_rate = static_cast<double>(matches) / count;

    std::vector<double> scratch;
    const OutlierRule is_outlier(deltas, scratch);
    report.outlier_count = static_cast<std::size_t>(std::count_if(deltas.begin(), deltas.end(), is_outlier));
    for (std::size_t i = 0; i < n; ++i) scratch[i] = std::abs(deltas[i]);
    report.delta_p50 = quantile_in_place(scratch, 0.5);
    report.delta_p90 = quantile_in_place(scratch, 0.9);
    std::vector<double>().swap(scratch);
    std::vector<double>().swap(deltas);

    // Sorted once, the cost samples serve the legacy range, the robust bins, KS and Wasserstein.
    std::sort(v1.begin(), v1.end());
    std::sort(v2.begin(), v2.end());
    report.kl_legacy = legacy_kl(v1, v2);
    const Binned binned(v1, v2, default_max_bins);
    report.kl = robust_result(&binned, n, n);
    report.psi = psi_of(binned);
    report.js_distance = js_distance_of(binned);
    report.ks = ks_sorted(v1, v2);
    report.wasserstein = wasserstein_sorted(v1, v2);
    return report;
}

}  // namespace costsim::statistics

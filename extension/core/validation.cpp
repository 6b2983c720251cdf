#include "core/validation.hpp"

#include "core/errors.hpp"
#include "core/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace costsim::validation {
namespace {

// Weights of the drift score (spec section 9): mean, median, std, outlier rate.
constexpr double mean_weight = 0.3, median_weight = 0.3, std_weight = 0.2, outlier_weight = 0.2;

void require_positive(double threshold, const char* name)
{
    if (!std::isfinite(threshold) || threshold <= 0)
        throw invalid_input(std::string("thresholds.") + name, "must be a finite number > 0");
}

void require_thresholds(const Thresholds& t)
{
    require_positive(t.mean_abs_error, "mean_abs_error");
    require_positive(t.median_abs_error, "median_abs_error");
    require_positive(t.std_abs_error, "std_abs_error");
    require_positive(t.outlier_rate, "outlier_rate");
    require_positive(t.drift_score, "drift_score");
}

double population_std(const std::vector<double>& values, double mean)
{
    double squares = 0;
    for (const double v : values) squares += (v - mean) * (v - mean);
    return std::sqrt(squares / static_cast<double>(values.size()));
}

}  // namespace

Metrics evaluate(const std::vector<Outcome>& outcomes, const Thresholds& thresholds)
{
    require_thresholds(thresholds);
    std::vector<double> abs_errors;
    std::size_t missed = 0;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const Outcome& outcome = outcomes[i];
        if (outcome.abs_error) {
            if (!std::isfinite(*outcome.abs_error) || *outcome.abs_error < 0)
                throw invalid_input("outcomes[" + std::to_string(i) + "].abs_error", "must be a finite number >= 0");
            abs_errors.push_back(*outcome.abs_error);
        }
        if (outcome.missed || !outcome.abs_error) ++missed;  // an error is a miss whatever the flag says
    }

    Metrics m;
    m.sample_count = outcomes.size();
    if (!abs_errors.empty()) {
        m.mean_abs_error = std::accumulate(abs_errors.begin(), abs_errors.end(), 0.0) /
                           static_cast<double>(abs_errors.size());
        m.median_abs_error = statistics::quantile(abs_errors, 0.5);
        m.std_abs_error = population_std(abs_errors, m.mean_abs_error);
    }
    if (m.sample_count > 0) m.outlier_rate = static_cast<double>(missed) / static_cast<double>(m.sample_count);
    m.drift_score = std::min(1.0, mean_weight * m.mean_abs_error / thresholds.mean_abs_error +
                                      median_weight * m.median_abs_error / thresholds.median_abs_error +
                                      std_weight * m.std_abs_error / thresholds.std_abs_error +
                                      outlier_weight * m.outlier_rate / thresholds.outlier_rate);
    m.acceptable = m.sample_count > 0 && m.mean_abs_error <= thresholds.mean_abs_error &&
                   m.median_abs_error <= thresholds.median_abs_error &&
                   m.std_abs_error <= thresholds.std_abs_error && m.outlier_rate <= thresholds.outlier_rate &&
                   m.drift_score <= thresholds.drift_score;
    return m;
}

}  // namespace costsim::validation

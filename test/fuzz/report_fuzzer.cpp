// libFuzzer target: the divergence report path of extension/core. The bytes become paired samples (mostly
// bounded finite costs and scores, sometimes raw doubles that may be NaN or infinite); drift_report must either
// refuse non-finite input with Error(invalid_input) or return statistics inside their ranges, and every export
// format must come out well formed. Any broken invariant aborts.
#include "core/divergence_export.hpp"
#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/statistics.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

namespace stats = costsim::statistics;

[[noreturn]] void fail(const char* what)
{
    std::fprintf(stderr, "report_fuzzer: invariant broken: %s\n", what);
    std::abort();
}
#define FUZZ_CHECK(condition) \
    do {                      \
        if (!(condition)) fail(#condition); \
    } while (0)

bool within(double x, double lo, double hi) { return x >= lo && x <= hi; }  // false for NaN

struct Reader {
    const std::uint8_t* data;
    std::size_t size, at = 0;
    bool more() const { return at < size; }
    std::uint8_t byte() { return at < size ? data[at++] : 0; }
    std::int16_t int16() { return static_cast<std::int16_t>(byte() | byte() << 8); }
    double raw_double()
    {
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(byte()) << (8 * i);
        double value;
        std::memcpy(&value, &bits, sizeof value);
        return value;
    }
};

std::string export_text(costsim::ExportFormat format, const std::vector<stats::PairedSample>& samples,
                        const stats::DriftReport& report)
{
    std::string out;
    costsim::DivergenceExport exporter(format, [&](const char* data, std::size_t size) { out.append(data, size); });
    std::int64_t t = 1700000000000000;
    for (const stats::PairedSample& s : samples)
        exporter.add(costsim::DivergenceSample{t++, "hash", static_cast<std::int64_t>(s.v1_cost_cents),
                                               static_cast<std::int64_t>(s.v2_cost_cents), s.drift_score,
                                               s.match ? "match" : "mismatch"});
    exporter.finish(report, 0.2);
    return out;
}

std::size_t count(const std::string& text, const std::string& needle)
{
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    Reader in{data, size};
    const std::uint8_t mode = in.byte();
    const bool raw = (mode & 1) != 0;  // raw doubles: NaN and infinities possible
    std::vector<stats::PairedSample> samples;
    bool finite = true;
    while (in.more() && samples.size() < 4096) {
        stats::PairedSample s;
        if (raw) {
            s.v1_cost_cents = in.raw_double();
            s.v2_cost_cents = in.raw_double();
            s.drift_score = in.raw_double();
        } else {
            s.v1_cost_cents = in.int16();
            s.v2_cost_cents = in.int16();
            s.drift_score = in.byte() / 255.0;
        }
        s.match = (in.byte() & 1) != 0;
        finite = finite && std::isfinite(s.v1_cost_cents) && std::isfinite(s.v2_cost_cents) &&
                 std::isfinite(s.drift_score) && std::isfinite(s.v2_cost_cents - s.v1_cost_cents);
        samples.push_back(s);
    }

    stats::DriftReport report;
    try {
        report = stats::drift_report(samples, 0.2);
    } catch (const costsim::Error& error) {
        FUZZ_CHECK(!finite && error.kind() == costsim::ErrorKind::invalid_input);
        return 0;
    }
    FUZZ_CHECK(finite);
    const double n = static_cast<double>(samples.size());
    FUZZ_CHECK(report.sample_count == samples.size());
    FUZZ_CHECK(within(report.fail_ratio, 0, 1) && within(report.matching_rate, 0, 1));
    FUZZ_CHECK(within(report.js_distance, 0, 1));
    FUZZ_CHECK(within(report.ks.statistic, 0, 1) && within(report.ks.p_value, 0, 1));
    FUZZ_CHECK(report.kl.value >= -1e-9 && std::isfinite(report.kl.value));
    FUZZ_CHECK(report.kl_legacy.value >= -1e-6 && std::isfinite(report.kl_legacy.value));
    FUZZ_CHECK(report.psi >= -1e-9 && report.wasserstein >= 0);
    FUZZ_CHECK(report.delta_p50 >= 0 && report.delta_p50 <= report.delta_p90);
    FUZZ_CHECK(static_cast<double>(report.outlier_count) <= n);
    FUZZ_CHECK(report.kl.noise_floor >= 0 && report.kl.critical_value >= report.kl.noise_floor - 1e-12);
    for (std::size_t i = 1; i < report.kl.bins.edges.size(); ++i)
        FUZZ_CHECK(report.kl.bins.edges[i - 1] <= report.kl.bins.edges[i]);
    if (!samples.empty()) {
        std::vector<double> v1;
        for (const stats::PairedSample& s : samples) v1.push_back(s.v1_cost_cents);
        std::size_t binned = 0;
        for (std::size_t c : stats::histogram(v1, report.kl.bins)) binned += c;
        FUZZ_CHECK(binned == samples.size());  // every sample falls in a bin
    }

    // Export rows come from bigint columns: only costs that fit an int64 make sense there.
    for (const stats::PairedSample& s : samples)
        if (!(std::fabs(s.v1_cost_cents) < 9.0e18 && std::fabs(s.v2_cost_cents) < 9.0e18)) return 0;
    const std::string csv = export_text(costsim::ExportFormat::csv, samples, report);
    FUZZ_CHECK(count(csv, "\r\nsample,") == samples.size());
    const std::string jsonl = export_text(costsim::ExportFormat::jsonl, samples, report);
    FUZZ_CHECK(count(jsonl, "\n") == samples.size() + 1);
    std::size_t start = 0;
    for (std::size_t end = jsonl.find('\n'); end != std::string::npos; start = end + 1, end = jsonl.find('\n', start))
        FUZZ_CHECK(costsim::json::parse(std::string_view(jsonl).substr(start, end - start)).is_object());
    const std::string parquet = export_text(costsim::ExportFormat::parquet, samples, report);
    FUZZ_CHECK(parquet.size() >= 12 && parquet.compare(0, 4, "PAR1") == 0 &&
               parquet.compare(parquet.size() - 4, 4, "PAR1") == 0);
    std::uint32_t footer = 0;
    std::memcpy(&footer, parquet.data() + parquet.size() - 8, 4);  // little-endian on x86-64
    FUZZ_CHECK(footer > 0 && footer + 12 <= parquet.size());
    return 0;
}

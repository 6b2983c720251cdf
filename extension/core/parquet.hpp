// A small, correct Apache Parquet writer (no Parquet library is packaged for Debian 12): flat schema of
// required or optional columns of int64, double, boolean, UTF-8 string and timestamp (microseconds, UTC);
// PLAIN encoding, uncompressed data pages (v1), one column chunk per column per row group, column chunk
// statistics (min, max, null count), file key-value metadata. Rows are streamed: memory is bounded by one
// row group, not by the file.
#pragma once
#include "core/no_postgres.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace costsim::parquet {

enum class Type { int64, float64, boolean, string, timestamp_us };

struct Column {
    std::string name;
    Type type;
    bool nullable = false;
};

class Writer {
public:
    // Receives the file's bytes in order.
    using Sink = std::function<void(const char* data, std::size_t size)>;
    inline static constexpr std::size_t default_rows_per_group = 65536;

    Writer(std::vector<Column> columns, Sink sink, std::size_t rows_per_group = default_rows_per_group);
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // One row: exactly one call per column, in column order, then end_row(). A value of the wrong type for its
    // column, a null in a required column, or a row with too few or too many values throws Error(internal).
    void add_int64(std::int64_t value);
    void add_float64(double value);
    void add_boolean(bool value);
    void add_string(std::string_view utf8);
    void add_timestamp_us(std::int64_t microseconds_since_epoch);
    void add_null();
    void end_row();

    // File key-value metadata (e.g. the report summary as JSON), written in the footer.
    void add_metadata(std::string key, std::string value);

    // Flushes the last row group and writes the footer. No call is allowed after it.
    void finish();

    std::size_t rows_written() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace costsim::parquet

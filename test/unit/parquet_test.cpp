// parquet: the byte layout of small files against bytes derived by hand from the Apache Parquet specification
// (parquet.thrift, Encodings.md) and the Thrift Compact Protocol; a small independent Thrift decoder (below, not
// the writer's code) for the footer and page headers of larger files; statistics rules; row-group splitting;
// API misuse. The full files are also read back by DuckDB and hyparquet in test/parquet/run.sh.
#include "core/errors.hpp"
#include "core/parquet.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace parquet = costsim::parquet;
using costsim::Error;
using costsim::ErrorKind;
using parquet::Column;
using parquet::Type;
using parquet::Writer;

namespace {

// ---------------------------------------------------------------------------------------------------------
// Helpers

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::string hex(const Bytes& b)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i > 0) out += (i % 16 == 0) ? '\n' : ' ';
        out += digits[b[i] >> 4];
        out += digits[b[i] & 15];
    }
    return out;
}

void expect_bytes(const Bytes& actual, const Bytes& expected)
{
    EXPECT_EQ(hex(actual), hex(expected));
}

Bytes slice(const std::string& file, std::size_t from, std::size_t size)
{
    if (from + size > file.size()) throw std::out_of_range("slice beyond the file");
    const auto begin = file.begin() + static_cast<std::ptrdiff_t>(from);
    return Bytes(begin, begin + static_cast<std::ptrdiff_t>(size));
}

Bytes concat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

Bytes le64(std::uint64_t v)
{
    Bytes out;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return out;
}

Bytes le_double(double d)
{
    std::uint64_t bits = 0;
    std::memcpy(&bits, &d, 8);
    return le64(bits);
}

// A writer whose sink appends to a string.
struct Capture {
    std::string bytes;
    std::size_t calls = 0;
    Writer::Sink sink()
    {
        return [this](const char* data, std::size_t size) {
            bytes.append(data, size);
            ++calls;
        };
    }
};

// ---------------------------------------------------------------------------------------------------------
// An independent Thrift Compact Protocol decoder (generic: any struct, by field id).

struct TValue {
    int type = 0;  // compact type: 1/2 bool, 3 byte, 4 i16, 5 i32, 6 i64, 7 double, 8 binary, 9 list, 12 struct
    std::int64_t number = 0;  // integers; booleans as 0/1
    std::string binary;
    std::vector<TValue> elements;  // list
    std::map<int, TValue> fields;  // struct

    bool has(int id) const { return fields.count(id) != 0; }
    const TValue& operator[](int id) const
    {
        auto it = fields.find(id);
        if (it == fields.end()) throw std::runtime_error("no field " + std::to_string(id));
        return it->second;
    }
};

class ThriftReader {
public:
    ThriftReader(const std::string& data, std::size_t pos) : data_(data), pos_(pos) {}
    std::size_t position() const { return pos_; }

    TValue read_struct()
    {
        TValue out;
        out.type = 12;
        int last = 0;
        for (;;) {
            const std::uint8_t header = byte();
            if (header == 0) return out;
            const int type = header & 0x0F;
            const int delta = header >> 4;
            const int id = delta != 0 ? last + delta : static_cast<int>(unzigzag(varint()));
            last = id;
            TValue value;
            if (type == 1 || type == 2) {
                value.type = type;
                value.number = type == 1 ? 1 : 0;
            } else {
                value = read_value(type);
            }
            if (!out.fields.emplace(id, value).second) throw std::runtime_error("repeated field id");
        }
    }

private:
    std::uint8_t byte()
    {
        if (pos_ >= data_.size()) throw std::runtime_error("thrift: past the end");
        return static_cast<std::uint8_t>(data_[pos_++]);
    }
    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const std::uint8_t b = byte();
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw std::runtime_error("thrift: varint too long");
    }
    static std::int64_t unzigzag(std::uint64_t v)
    {
        return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
    }
    TValue read_value(int type)
    {
        TValue v;
        v.type = type;
        switch (type) {
        case 1:
        case 2: v.number = byte() == 1 ? 1 : 0; break;  // a bool inside a list is one byte
        case 3: v.number = static_cast<std::int8_t>(byte()); break;
        case 4:
        case 5:
        case 6: v.number = unzigzag(varint()); break;
        case 8: {
            const std::uint64_t size = varint();
            if (pos_ + size > data_.size()) throw std::runtime_error("thrift: binary past the end");
            v.binary = data_.substr(pos_, size);
            pos_ += size;
            break;
        }
        case 9: {
            const std::uint8_t header = byte();
            std::uint64_t size = header >> 4;
            if (size == 15) size = varint();
            for (std::uint64_t i = 0; i < size; ++i) v.elements.push_back(read_value(header & 0x0F));
            break;
        }
        case 12: v = read_struct(); break;
        default: throw std::runtime_error("thrift: unexpected type " + std::to_string(type));
        }
        return v;
    }

    const std::string& data_;
    std::size_t pos_;
};

struct ParsedFile {
    TValue meta;  // FileMetaData
    std::size_t footer_start = 0;
};

ParsedFile parse_file(const std::string& file)
{
    if (file.size() < 12) throw std::runtime_error("file too short");
    if (file.compare(0, 4, "PAR1") != 0 || file.compare(file.size() - 4, 4, "PAR1") != 0) {
        throw std::runtime_error("no PAR1 magic");
    }
    std::uint32_t length = 0;
    for (int i = 0; i < 4; ++i) {
        length |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(file[file.size() - 8 + i])) << (8 * i);
    }
    if (length + 12 > file.size()) throw std::runtime_error("footer length beyond the file");
    ParsedFile parsed;
    parsed.footer_start = file.size() - 8 - length;
    ThriftReader reader(file, parsed.footer_start);
    parsed.meta = reader.read_struct();
    if (reader.position() != file.size() - 8) throw std::runtime_error("footer length does not match its content");
    return parsed;
}

// The pages of one column chunk: each page header, walked from the chunk's first byte to its last.
std::vector<TValue> pages_of(const std::string& file, std::int64_t offset, std::int64_t size)
{
    std::vector<TValue> pages;
    std::size_t pos = static_cast<std::size_t>(offset);
    const std::size_t end = static_cast<std::size_t>(offset + size);
    while (pos < end) {
        ThriftReader reader(file, pos);
        TValue header = reader.read_struct();
        pos = reader.position() + static_cast<std::size_t>(header[3].number);
        pages.push_back(header);
    }
    if (pos != end) throw std::runtime_error("pages overrun their chunk");
    return pages;
}

// Statistics (field 12 of ColumnMetaData) of column `column` in row group `group`.
const TValue& statistics(const ParsedFile& f, std::size_t group, std::size_t column)
{
    return f.meta[4].elements.at(group)[1].elements.at(column)[3][12];
}

std::string write_file(const std::vector<Column>& columns, const std::function<void(Writer&)>& rows,
                       std::size_t rows_per_group = Writer::default_rows_per_group)
{
    Capture capture;
    Writer w(columns, capture.sink(), rows_per_group);
    rows(w);
    w.finish();
    return capture.bytes;
}

template <typename F>
void expect_internal_error(F&& f, const std::string& what)
{
    try {
        f();
        ADD_FAILURE() << "no exception: " << what;
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::internal) << what << ": " << e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not a costsim::Error (" << what << "): " << e.what();
    }
}

}  // namespace

// ------------------------------------------------------------------------------------------- byte layout

// One required INT64 column "a", one row (1), one key-value pair. Every byte below is derived by hand.
// Compact protocol field header: (field-id delta << 4) | type, types i32 = 5, i64 = 6, binary = 8, list = 9,
// struct = 12; integers are zigzag varints (0 -> 00, 1 -> 02, 4 -> 08, 8 -> 10, 25 -> 32); a list header is
// (size << 4) | element type; a struct ends with 00.
TEST(ParquetLayout, TinyFileMatchesHandDerivedBytes)
{
    const std::string file = write_file({{"a", Type::int64, false}}, [](Writer& w) {
        w.add_metadata("k", "v");
        w.add_int64(1);
        w.end_row();
    });
    const Bytes page_header = {
        0x15, 0x00,              // 1: type = DATA_PAGE (0)
        0x15, 0x10,              // 2: uncompressed_page_size = 8
        0x15, 0x10,              // 3: compressed_page_size = 8
        0x2C,                    // 5: data_page_header (struct, delta 2)
        0x15, 0x02,              //   1: num_values = 1
        0x15, 0x00,              //   2: encoding = PLAIN
        0x15, 0x06,              //   3: definition_level_encoding = RLE (3)
        0x15, 0x06,              //   4: repetition_level_encoding = RLE (3)
        0x00,                    //   stop
        0x00,                    // stop
    };
    const Bytes values = le64(1);  // PLAIN int64, little-endian; no levels (required column)
    const Bytes footer = {
        0x15, 0x02,                                      // 1: version = 1
        0x19, 0x2C,                                      // 2: schema, list of 2 structs
        0x48, 0x06, 's', 'c', 'h', 'e', 'm', 'a',        //   root 4: name = "schema"
        0x15, 0x02, 0x00,                                //   root 5: num_children = 1; stop
        0x15, 0x04,                                      //   1: type = INT64 (2)
        0x25, 0x00,                                      //   3: repetition_type = REQUIRED (delta 2)
        0x18, 0x01, 'a', 0x00,                           //   4: name = "a"; stop
        0x16, 0x02,                                      // 3: num_rows = 1 (i64)
        0x19, 0x1C,                                      // 4: row_groups, list of 1 struct
        0x19, 0x1C,                                      //   1: columns, list of 1 struct
        0x26, 0x00,                                      //     2: file_offset = 0 (deprecated; 0 as the spec asks)
        0x1C,                                            //     3: meta_data
        0x15, 0x04,                                      //       1: type = INT64
        0x19, 0x25, 0x00, 0x06,                          //       2: encodings = [PLAIN, RLE] (list of 2 i32)
        0x19, 0x18, 0x01, 'a',                           //       3: path_in_schema = ["a"]
        0x15, 0x00,                                      //       4: codec = UNCOMPRESSED
        0x16, 0x02,                                      //       5: num_values = 1
        0x16, 0x32,                                      //       6: total_uncompressed_size = 25 (17 + 8)
        0x16, 0x32,                                      //       7: total_compressed_size = 25
        0x26, 0x08,                                      //       9: data_page_offset = 4 (delta 2)
        0x3C,                                            //       12: statistics (delta 3)
        0x36, 0x00,                                      //         3: null_count = 0 (delta 3)
        0x28, 0x08, 1, 0, 0, 0, 0, 0, 0, 0,              //         5: max_value = PLAIN 1
        0x18, 0x08, 1, 0, 0, 0, 0, 0, 0, 0,              //         6: min_value = PLAIN 1
        0x00,                                            //         stop (Statistics)
        0x00,                                            //       stop (ColumnMetaData)
        0x00,                                            //     stop (ColumnChunk)
        0x16, 0x32,                                      //   2: total_byte_size = 25
        0x16, 0x02,                                      //   3: num_rows = 1
        0x26, 0x08,                                      //   5: file_offset = 4
        0x16, 0x32,                                      //   6: total_compressed_size = 25
        0x00,                                            //   stop (RowGroup)
        0x19, 0x1C,                                      // 5: key_value_metadata, list of 1 struct
        0x18, 0x01, 'k', 0x18, 0x01, 'v', 0x00,          //   key "k", value "v"; stop
        0x18, 0x07, 'c', 'o', 's', 't', 's', 'i', 'm',   // 6: created_by = "costsim"
        0x19, 0x1C,                                      // 7: column_orders, list of 1 struct
        0x1C, 0x00, 0x00,                                //   1: TYPE_ORDER {}; stop (union)
        0x00,                                            // stop (FileMetaData)
    };
    ASSERT_EQ(footer.size(), 111u);
    const Bytes expected = concat({bytes_of("PAR1"), page_header, values, footer, {111, 0, 0, 0}, bytes_of("PAR1")});
    expect_bytes(bytes_of(file), expected);
    EXPECT_EQ(file.size(), 148u);
}

// Zero rows: magic, a footer with no row group, the footer length, magic.
TEST(ParquetLayout, EmptyFileMatchesHandDerivedBytes)
{
    Capture capture;
    Writer w({{"a", Type::int64, false}}, capture.sink());
    EXPECT_EQ(capture.calls, 0u);  // nothing is written before there is something to write
    w.finish();
    const Bytes footer = {
        0x15, 0x02,                                             // version = 1
        0x19, 0x2C, 0x48, 0x06, 's', 'c', 'h', 'e', 'm', 'a',   // schema: root
        0x15, 0x02, 0x00,
        0x15, 0x04, 0x25, 0x00, 0x18, 0x01, 'a', 0x00,          //         column a
        0x16, 0x00,                                             // num_rows = 0
        0x19, 0x0C,                                             // row_groups = [] (list of 0 structs)
        0x28, 0x07, 'c', 'o', 's', 't', 's', 'i', 'm',          // 6: created_by (delta 2: no field 5)
        0x19, 0x1C, 0x1C, 0x00, 0x00,                           // column_orders = [TYPE_ORDER]
        0x00,
    };
    ASSERT_EQ(footer.size(), 42u);
    expect_bytes(bytes_of(capture.bytes), concat({bytes_of("PAR1"), footer, {42, 0, 0, 0}, bytes_of("PAR1")}));
    EXPECT_EQ(w.rows_written(), 0u);
}

TEST(ParquetLayout, MultiByteVarintsInThePageHeader)
{
    const std::string file = write_file({{"a", Type::int64, false}}, [](Writer& w) {
        for (int i = 0; i < 300; ++i) {
            w.add_int64(i);
            w.end_row();
        }
    });
    // 300 values: page size 2400 -> zigzag 4800 = 0x12C0 -> varint C0 25; num_values 300 -> 600 -> D8 04.
    const Bytes page_header = {0x15, 0x00, 0x15, 0xC0, 0x25, 0x15, 0xC0, 0x25, 0x2C, 0x15, 0xD8,
                               0x04, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
    expect_bytes(slice(file, 4, page_header.size()), page_header);
    expect_bytes(slice(file, 4 + page_header.size() + 8 * 299, 8), le64(299));
    const ParsedFile f = parse_file(file);
    EXPECT_EQ(f.meta[3].number, 300);
}

// Optional column: u32 LE byte length of the levels, then the levels (RLE/bit-packed hybrid, bit width 1),
// then only the non-null values.
TEST(ParquetLayout, OptionalColumnWritesDefinitionLevelsThenNonNullValues)
{
    const std::string file = write_file({{"a", Type::int64, true}}, [](Writer& w) {
        w.add_int64(5);
        w.end_row();
        w.add_null();
        w.end_row();
        w.add_int64(7);
        w.end_row();
    });
    // Levels 1,0,1: one bit-packed group: header (1 << 1) | 1 = 03, bits LSB first 0b101 = 05.
    // Page body = 4 + 2 + 16 = 22 -> zigzag 44 = 2C; num_values 3 (nulls included) -> 06.
    const Bytes chunk = concat({{0x15, 0x00, 0x15, 0x2C, 0x15, 0x2C, 0x2C, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15,
                                 0x06, 0x00, 0x00},
                                {0x02, 0x00, 0x00, 0x00, 0x03, 0x05},
                                le64(5),
                                le64(7)});
    expect_bytes(slice(file, 4, chunk.size()), chunk);
    const ParsedFile f = parse_file(file);
    EXPECT_EQ(f.meta[4].elements.at(0)[1].elements.at(0)[3][7].number, static_cast<std::int64_t>(chunk.size()));
    EXPECT_EQ(statistics(f, 0, 0)[3].number, 1);  // null_count
}

TEST(ParquetLayout, DefinitionLevelsUseRleRunsForLongRuns)
{
    // Ten values then three nulls: an RLE run of 10 ones (header 10 << 1 = 14, value 01), then the three
    // zeros as one padded bit-packed group (03, 00).
    const std::string file = write_file({{"a", Type::int64, true}}, [](Writer& w) {
        for (int i = 0; i < 13; ++i) {
            if (i < 10) {
                w.add_int64(i);
            } else {
                w.add_null();
            }
            w.end_row();
        }
    });
    // Body = 4 + 4 + 80 = 88 -> zigzag 176 = B0 01; num_values 13 -> 1A. Header is 19 bytes.
    const Bytes header = {0x15, 0x00, 0x15, 0xB0, 0x01, 0x15, 0xB0, 0x01, 0x2C, 0x15,
                          0x1A, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
    expect_bytes(slice(file, 4, header.size()), header);
    expect_bytes(slice(file, 4 + header.size(), 8), {0x04, 0x00, 0x00, 0x00, 0x14, 0x01, 0x03, 0x00});

    // Alternating value/null, 16 rows: two bit-packed groups (header 2 << 1 | 1 = 05), 0b01010101 each.
    const std::string alternating = write_file({{"a", Type::int64, true}}, [](Writer& w) {
        for (int i = 0; i < 16; ++i) {
            if (i % 2 == 0) {
                w.add_int64(i);
            } else {
                w.add_null();
            }
            w.end_row();
        }
    });
    // Body = 4 + 3 + 64 = 71 -> zigzag 142 = 8E 01; num_values 16 -> 20.
    const Bytes header2 = {0x15, 0x00, 0x15, 0x8E, 0x01, 0x15, 0x8E, 0x01, 0x2C, 0x15,
                           0x20, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
    expect_bytes(slice(alternating, 4, header2.size()), header2);
    expect_bytes(slice(alternating, 4 + header2.size(), 7), {0x03, 0x00, 0x00, 0x00, 0x05, 0x55, 0x55});
}

TEST(ParquetLayout, BooleansAreBitPackedLsbFirst)
{
    const bool values[] = {true, false, true, true, false, false, false, false, true, false};
    const std::string file = write_file({{"b", Type::boolean, false}}, [&](Writer& w) {
        for (bool v : values) {
            w.add_boolean(v);
            w.end_row();
        }
    });
    // Body 2 bytes -> 04; num_values 10 -> 14. Bits: rows 0, 2, 3 -> 0b00001101 = 0D; row 8 -> 01.
    const Bytes chunk = {0x15, 0x00, 0x15, 0x04, 0x15, 0x04, 0x2C, 0x15, 0x14, 0x15,
                         0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00, 0x0D, 0x01};
    expect_bytes(slice(file, 4, chunk.size()), chunk);
    const ParsedFile f = parse_file(file);
    EXPECT_EQ(statistics(f, 0, 0)[6].binary, std::string(1, '\0'));  // min_value false: one PLAIN byte
    EXPECT_EQ(statistics(f, 0, 0)[5].binary, std::string(1, '\1'));  // max_value true
}

TEST(ParquetLayout, StringsAreLengthPrefixed)
{
    const std::string file = write_file({{"s", Type::string, false}}, [](Writer& w) {
        w.add_string("ab");
        w.end_row();
        w.add_string("é");
        w.end_row();
    });
    // Body 12 bytes -> 18; num_values 2 -> 04.
    const Bytes chunk = {0x15, 0x00, 0x15, 0x18, 0x15, 0x18, 0x2C, 0x15, 0x04, 0x15, 0x00, 0x15, 0x06, 0x15,
                         0x06, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 'a',  'b',  0x02, 0x00, 0x00, 0x00, 0xC3, 0xA9};
    expect_bytes(slice(file, 4, chunk.size()), chunk);
}

// ------------------------------------------------------------------------------------------- footer content

TEST(ParquetFooter, SchemaTypesAndLogicalTypes)
{
    const std::vector<Column> columns = {
        {"i", Type::int64, false},   {"d", Type::float64, true},         {"b", Type::boolean, false},
        {"s", Type::string, true},   {"t", Type::timestamp_us, false},
    };
    const ParsedFile f = parse_file(write_file(columns, [](Writer& w) {
        w.add_metadata("costsim.report", "{\"x\":1}");
        w.add_int64(-1);
        w.add_float64(0.5);
        w.add_boolean(true);
        w.add_string("ü");
        w.add_timestamp_us(-1);
        w.end_row();
    }));
    EXPECT_EQ(f.meta[1].number, 1);  // version
    const auto& schema = f.meta[2].elements;
    ASSERT_EQ(schema.size(), 6u);
    EXPECT_EQ(schema[0][4].binary, "schema");
    EXPECT_EQ(schema[0][5].number, 5);
    EXPECT_FALSE(schema[0].has(1));  // the root has no type
    const int physical[] = {2, 5, 0, 6, 2};  // INT64, DOUBLE, BOOLEAN, BYTE_ARRAY, INT64
    const int repetition[] = {0, 1, 0, 1, 0};
    for (std::size_t k = 0; k < columns.size(); ++k) {
        const TValue& e = schema[k + 1];
        EXPECT_EQ(e[4].binary, columns[k].name);
        EXPECT_EQ(e[1].number, physical[k]) << columns[k].name;
        EXPECT_EQ(e[3].number, repetition[k]) << columns[k].name;
        EXPECT_FALSE(e.has(5)) << columns[k].name;  // leaves have no num_children
    }
    for (int k : {1, 2, 3}) {  // int64, double, boolean: no converted or logical type
        EXPECT_FALSE(schema[k].has(6));
        EXPECT_FALSE(schema[k].has(10));
    }
    // String: converted_type UTF8 (0), logicalType STRING (union field 1, an empty struct).
    EXPECT_EQ(schema[4][6].number, 0);
    ASSERT_EQ(schema[4][10].fields.size(), 1u);
    EXPECT_TRUE(schema[4][10][1].fields.empty());
    // Timestamp: converted_type TIMESTAMP_MICROS (10), logicalType TIMESTAMP (field 8) with isAdjustedToUTC
    // true and unit MICROS (TimeUnit union field 2).
    EXPECT_EQ(schema[5][6].number, 10);
    ASSERT_EQ(schema[5][10].fields.size(), 1u);
    const TValue& ts = schema[5][10][8];
    EXPECT_EQ(ts[1].type, 1);  // boolean true, in the type nibble
    ASSERT_EQ(ts[2].fields.size(), 1u);
    EXPECT_TRUE(ts[2][2].fields.empty());

    EXPECT_EQ(f.meta[6].binary, "costsim");
    ASSERT_EQ(f.meta[5].elements.size(), 1u);
    EXPECT_EQ(f.meta[5].elements[0][1].binary, "costsim.report");
    EXPECT_EQ(f.meta[5].elements[0][2].binary, "{\"x\":1}");
    ASSERT_EQ(f.meta[7].elements.size(), columns.size());  // column_orders: TYPE_ORDER each
    for (const TValue& order : f.meta[7].elements) EXPECT_TRUE(order[1].fields.empty());

    const TValue& chunks = f.meta[4].elements.at(0)[1];
    for (std::size_t k = 0; k < columns.size(); ++k) {
        const TValue& m = chunks.elements.at(k)[3];
        EXPECT_EQ(m[1].number, physical[k]);
        ASSERT_EQ(m[2].elements.size(), 2u);
        EXPECT_EQ(m[2].elements[0].number, 0);  // PLAIN
        EXPECT_EQ(m[2].elements[1].number, 3);  // RLE
        ASSERT_EQ(m[3].elements.size(), 1u);
        EXPECT_EQ(m[3].elements[0].binary, columns[k].name);
        EXPECT_EQ(m[4].number, 0);  // UNCOMPRESSED
        EXPECT_EQ(m[5].number, 1);
    }
    // Timestamp statistics are PLAIN int64: -1 is eight FF bytes.
    EXPECT_EQ(statistics(f, 0, 4)[6].binary, std::string(8, '\xFF'));
}

// 15 or more list elements: the list header is 0xF0 | element type, then the size as a varint.
TEST(ParquetFooter, ManyColumnsUseTheLongListHeader)
{
    std::vector<Column> columns;
    for (int k = 0; k < 20; ++k) columns.push_back({"c" + std::to_string(k), Type::int64, false});
    const std::string file = write_file(columns, [](Writer& w) {
        for (int k = 0; k < 20; ++k) w.add_int64(k);
        w.end_row();
    });
    const ParsedFile f = parse_file(file);
    // version = 1 (15 02), then field 2 as a list (19) of 21 structs: FC, varint 21 = 15.
    expect_bytes(slice(file, f.footer_start, 5), {0x15, 0x02, 0x19, 0xFC, 0x15});
    EXPECT_EQ(f.meta[2].elements.size(), 21u);
    EXPECT_EQ(f.meta[2].elements[20][4].binary, "c19");
    EXPECT_EQ(f.meta[4].elements.at(0)[1].elements.size(), 20u);
    EXPECT_EQ(f.meta[7].elements.size(), 20u);
}

TEST(ParquetFooter, AddMetadataAgainReplacesTheValue)
{
    const ParsedFile f = parse_file(write_file({{"a", Type::int64, false}}, [](Writer& w) {
        w.add_metadata("k", "1");
        w.add_metadata("other", "");
        w.add_metadata("k", "2");
    }));
    const auto& kv = f.meta[5].elements;
    ASSERT_EQ(kv.size(), 2u);
    EXPECT_EQ(kv[0][1].binary, "k");
    EXPECT_EQ(kv[0][2].binary, "2");
    EXPECT_EQ(kv[1][1].binary, "other");
    EXPECT_EQ(kv[1][2].binary, "");
}

// ------------------------------------------------------------------------------------------- statistics

TEST(ParquetStatistics, Int64IsSigned)
{
    const ParsedFile f = parse_file(write_file({{"a", Type::int64, true}}, [](Writer& w) {
        for (std::int64_t v : {std::int64_t{3}, std::numeric_limits<std::int64_t>::min(), std::int64_t{-1},
                               std::numeric_limits<std::int64_t>::max()}) {
            w.add_int64(v);
            w.end_row();
        }
        w.add_null();
        w.end_row();
    }));
    const TValue& s = statistics(f, 0, 0);
    EXPECT_EQ(s[3].number, 1);
    expect_bytes(bytes_of(s[6].binary), {0, 0, 0, 0, 0, 0, 0, 0x80});
    expect_bytes(bytes_of(s[5].binary), {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F});
    EXPECT_FALSE(s.has(1));  // no deprecated max
    EXPECT_FALSE(s.has(2));  // no deprecated min
    EXPECT_FALSE(s.has(9));  // nan_count only for doubles
}

TEST(ParquetStatistics, DoublesSkipNanAndWriteSignedZeros)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    auto stats_of = [](const std::vector<double>& values) {
        const std::string file = write_file({{"d", Type::float64, false}}, [&](Writer& w) {
            for (double v : values) {
                w.add_float64(v);
                w.end_row();
            }
        });
        return statistics(parse_file(file), 0, 0);
    };
    {
        const TValue s = stats_of({nan, 2.5, -1.25, nan});
        expect_bytes(bytes_of(s[6].binary), le_double(-1.25));
        expect_bytes(bytes_of(s[5].binary), le_double(2.5));
        EXPECT_EQ(s[9].number, 2);  // nan_count
    }
    {
        const TValue s = stats_of({nan, nan});  // only NaN: no min/max
        EXPECT_FALSE(s.has(5));
        EXPECT_FALSE(s.has(6));
        EXPECT_EQ(s[3].number, 0);
        EXPECT_EQ(s[9].number, 2);
    }
    {
        const TValue s = stats_of({0.0, 0.0});  // zero bounds: min -0.0, max +0.0, whatever zero was seen
        expect_bytes(bytes_of(s[6].binary), le_double(-0.0));
        expect_bytes(bytes_of(s[5].binary), le_double(0.0));
        EXPECT_EQ(bytes_of(s[6].binary).back(), 0x80);
        EXPECT_EQ(s[9].number, 0);  // nan_count is written for doubles even when zero
    }
    {
        const TValue s = stats_of({-0.0, -0.0, -3.0});
        expect_bytes(bytes_of(s[6].binary), le_double(-3.0));
        expect_bytes(bytes_of(s[5].binary), le_double(0.0));
    }
    {
        const TValue s = stats_of({-inf, 1.0, inf});
        expect_bytes(bytes_of(s[6].binary), le_double(-inf));
        expect_bytes(bytes_of(s[5].binary), le_double(inf));
    }
    // NaN is still written as a value.
    const std::string file = write_file({{"d", Type::float64, false}}, [&](Writer& w) {
        w.add_float64(nan);
        w.end_row();
    });
    double back = 0;
    std::memcpy(&back, file.data() + 4 + 17, 8);
    EXPECT_TRUE(std::isnan(back));
}

TEST(ParquetStatistics, StringsCompareAsUnsignedBytes)
{
    const ParsedFile f = parse_file(write_file({{"s", Type::string, true}}, [](Writer& w) {
        for (const char* v : {"\x7f", "é", "", "a", "😀"}) {
            w.add_string(v);
            w.end_row();
        }
        w.add_null();
        w.end_row();
    }));
    const TValue& s = statistics(f, 0, 0);
    EXPECT_EQ(s[6].binary, "");             // min: the empty string, stored without a length prefix
    EXPECT_EQ(s[5].binary, "😀");           // max: F0 9F 98 80 is above C3 A9 (é) and 7F as unsigned bytes
    EXPECT_EQ(s[3].number, 1);

    const ParsedFile g = parse_file(write_file({{"s", Type::string, false}}, [](Writer& w) {
        for (const char* v : {"é", "\x7f"}) {
            w.add_string(v);
            w.end_row();
        }
    }));
    EXPECT_EQ(statistics(g, 0, 0)[6].binary, "\x7f");  // signed bytes would make é (C3) the minimum
    EXPECT_EQ(statistics(g, 0, 0)[5].binary, "é");
}

TEST(ParquetStatistics, NoMinMaxForAllNullChunksOrHugeStrings)
{
    const ParsedFile f = parse_file(write_file(
        {{"n", Type::int64, true}, {"s", Type::string, true}, {"b", Type::boolean, true}},
        [](Writer& w) {
            for (int i = 0; i < 4; ++i) {
                w.add_null();
                if (i == 0) {
                    w.add_string(std::string(4097, 'x'));
                } else if (i == 2) {
                    w.add_string(std::string(4096, 'y'));
                } else {
                    w.add_null();
                }
                w.add_null();
                w.end_row();
            }
        },
        2));
    EXPECT_EQ(statistics(f, 0, 0)[3].number, 2);
    EXPECT_FALSE(statistics(f, 0, 0).has(5));
    EXPECT_FALSE(statistics(f, 0, 0).has(6));
    // Group 0 of "s": its value is 4097 bytes, over the 4096-byte limit: no min/max; null_count is still there.
    EXPECT_EQ(statistics(f, 0, 1)[3].number, 1);
    EXPECT_FALSE(statistics(f, 0, 1).has(5));
    EXPECT_FALSE(statistics(f, 0, 1).has(6));
    // Group 1 of "s": one value of exactly 4096 bytes, kept; one null.
    EXPECT_EQ(statistics(f, 1, 1)[3].number, 1);
    EXPECT_EQ(statistics(f, 1, 1)[6].binary, std::string(4096, 'y'));
    EXPECT_EQ(statistics(f, 1, 1)[5].binary, std::string(4096, 'y'));
    EXPECT_EQ(statistics(f, 1, 2)[3].number, 2);
    EXPECT_FALSE(statistics(f, 1, 2).has(5));
}

// ------------------------------------------------------------------------------------------- row groups

TEST(ParquetRowGroups, SplitAtRowsPerGroupAndFlushedAsSoonAsFull)
{
    Capture capture;
    Writer w({{"a", Type::int64, false}, {"s", Type::string, true}}, capture.sink(), 3);
    std::vector<std::size_t> size_after_row;
    for (int i = 0; i < 7; ++i) {
        w.add_int64(i);
        if (i % 2 == 0) {
            w.add_string(std::to_string(i));
        } else {
            w.add_null();
        }
        w.end_row();
        size_after_row.push_back(capture.bytes.size());
    }
    // Nothing before the first group is full; each full group goes to the sink at its last end_row().
    EXPECT_EQ(size_after_row[0], 0u);
    EXPECT_EQ(size_after_row[1], 0u);
    EXPECT_GT(size_after_row[2], 4u);
    EXPECT_EQ(size_after_row[3], size_after_row[2]);
    EXPECT_EQ(size_after_row[4], size_after_row[2]);
    EXPECT_GT(size_after_row[5], size_after_row[2]);
    EXPECT_EQ(size_after_row[6], size_after_row[5]);
    EXPECT_EQ(w.rows_written(), 7u);
    w.finish();

    const ParsedFile f = parse_file(capture.bytes);
    EXPECT_EQ(f.meta[3].number, 7);
    const auto& groups = f.meta[4].elements;
    ASSERT_EQ(groups.size(), 3u);
    const std::int64_t rows[] = {3, 3, 1};
    std::int64_t position = 4;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        EXPECT_EQ(groups[g][3].number, rows[g]);
        EXPECT_EQ(groups[g][5].number, position);  // RowGroup.file_offset
        std::int64_t group_size = 0;
        for (const TValue& chunk : groups[g][1].elements) {
            const TValue& m = chunk[3];
            EXPECT_EQ(chunk[2].number, 0);         // ColumnChunk.file_offset: deprecated, 0
            EXPECT_EQ(m[9].number, position);      // data_page_offset
            EXPECT_EQ(m[5].number, rows[g]);       // num_values, nulls included
            EXPECT_EQ(m[6].number, m[7].number);
            std::int64_t page_values = 0;
            for (const TValue& page : pages_of(capture.bytes, m[9].number, m[7].number)) {
                EXPECT_EQ(page[1].number, 0);  // DATA_PAGE
                page_values += page[5][1].number;
            }
            EXPECT_EQ(page_values, rows[g]);
            position += m[7].number;
            group_size += m[7].number;
        }
        EXPECT_EQ(groups[g][2].number, group_size);  // total_byte_size
        EXPECT_EQ(groups[g][6].number, group_size);  // total_compressed_size
    }
    EXPECT_EQ(static_cast<std::size_t>(position), f.footer_start);
}

TEST(ParquetRowGroups, AnExactMultipleLeavesNoEmptyGroup)
{
    const ParsedFile f = parse_file(write_file(
        {{"a", Type::int64, false}},
        [](Writer& w) {
            for (int i = 0; i < 6; ++i) {
                w.add_int64(i);
                w.end_row();
            }
        },
        3));
    ASSERT_EQ(f.meta[4].elements.size(), 2u);
    EXPECT_EQ(f.meta[4].elements[1][3].number, 3);
}

TEST(ParquetRowGroups, LargeChunksAreSplitIntoPages)
{
    const int rows = 100000;
    const std::string file = write_file({{"a", Type::int64, true}, {"s", Type::string, false}}, [&](Writer& w) {
        for (int i = 0; i < rows; ++i) {
            if (i % 10 == 0) {
                w.add_null();
            } else {
                w.add_int64(i);
            }
            w.add_string(std::string(static_cast<std::size_t>(i % 50), 'z'));
            w.end_row();
        }
    }, rows);
    const ParsedFile f = parse_file(file);
    ASSERT_EQ(f.meta[4].elements.size(), 1u);
    for (std::size_t k = 0; k < 2; ++k) {
        const TValue& m = f.meta[4].elements[0][1].elements.at(k)[3];
        const std::vector<TValue> pages = pages_of(file, m[9].number, m[7].number);
        EXPECT_GT(pages.size(), 1u);  // pages are bounded (the writer closes one at 20,000 values or 1 MiB)
        std::int64_t values = 0;
        for (const TValue& page : pages) {
            values += page[5][1].number;
            EXPECT_EQ(page[2].number, page[3].number);  // uncompressed
        }
        EXPECT_EQ(values, rows);
    }
    EXPECT_EQ(statistics(f, 0, 0)[3].number, rows / 10);
}

// ------------------------------------------------------------------------------------------- misuse

TEST(ParquetMisuse, ConstructorRejectsBadSchemas)
{
    Capture c;
    expect_internal_error([&] { Writer({}, c.sink()); }, "no columns");
    expect_internal_error([&] { Writer({{"a", Type::int64, false}}, Writer::Sink{}); }, "no sink");
    expect_internal_error([&] { Writer({{"a", Type::int64, false}}, c.sink(), 0); }, "rows_per_group 0");
    expect_internal_error([&] { Writer({{"", Type::int64, false}}, c.sink()); }, "empty name");
    expect_internal_error([&] { Writer({{"a", Type::int64, false}, {"a", Type::string, true}}, c.sink()); },
                          "duplicate name");
    expect_internal_error([&] { Writer({{"\xff", Type::int64, false}}, c.sink()); }, "name not UTF-8");
    EXPECT_EQ(c.bytes, "");
}

TEST(ParquetMisuse, WrongTypeNullInRequiredShortAndLongRows)
{
    Capture capture;
    Writer w({{"i", Type::int64, false}, {"t", Type::timestamp_us, true}, {"s", Type::string, false}},
             capture.sink());
    expect_internal_error([&] { w.add_float64(1.0); }, "double into int64");
    expect_internal_error([&] { w.add_timestamp_us(1); }, "timestamp into int64");
    expect_internal_error([&] { w.add_string("1"); }, "string into int64");
    expect_internal_error([&] { w.add_boolean(true); }, "boolean into int64");
    expect_internal_error([&] { w.add_null(); }, "null into required");
    expect_internal_error([&] { w.add_metadata("k", "\xff"); }, "metadata not UTF-8");
    expect_internal_error([&] { w.end_row(); }, "empty row");
    w.add_int64(1);
    expect_internal_error([&] { w.add_int64(2); }, "int64 into timestamp");
    w.add_timestamp_us(2);
    expect_internal_error([&] { w.end_row(); }, "short row");
    expect_internal_error([&] { w.finish(); }, "finish mid-row");
    expect_internal_error([&] { w.add_string("\xc3"); }, "truncated UTF-8");
    expect_internal_error([&] { w.add_string("\xed\xa0\x80"); }, "UTF-16 surrogate in UTF-8");
    expect_internal_error([&] { w.add_string("\xc0\xaf"); }, "overlong UTF-8");
    w.add_string("ok");
    expect_internal_error([&] { w.add_int64(3); }, "long row");
    expect_internal_error([&] { w.add_null(); }, "long row (null)");
    w.end_row();
    EXPECT_EQ(w.rows_written(), 1u);
    w.finish();

    // Every rejected call changed nothing: the file is the one written without them.
    const std::string clean = write_file(
        {{"i", Type::int64, false}, {"t", Type::timestamp_us, true}, {"s", Type::string, false}}, [](Writer& x) {
            x.add_int64(1);
            x.add_timestamp_us(2);
            x.add_string("ok");
            x.end_row();
        });
    EXPECT_EQ(capture.bytes, clean);
}

TEST(ParquetMisuse, EachTypeTakesOnlyItsOwnCall)
{
    Capture capture;
    Writer w({{"d", Type::float64, false}, {"b", Type::boolean, false}, {"s", Type::string, false}}, capture.sink());
    expect_internal_error([&] { w.add_int64(1); }, "int64 into double");
    w.add_float64(1);
    expect_internal_error([&] { w.add_float64(1); }, "double into boolean");
    w.add_boolean(false);
    expect_internal_error([&] { w.add_boolean(true); }, "boolean into string");
    w.add_string("");
    w.end_row();
    w.finish();
    EXPECT_EQ(parse_file(capture.bytes).meta[3].number, 1);
}

TEST(ParquetMisuse, NothingIsAllowedAfterFinish)
{
    Capture capture;
    Writer w({{"a", Type::int64, true}}, capture.sink());
    w.add_int64(1);
    w.end_row();
    w.finish();
    const std::string finished = capture.bytes;
    expect_internal_error([&] { w.add_int64(1); }, "add_int64 after finish");
    expect_internal_error([&] { w.add_null(); }, "add_null after finish");
    expect_internal_error([&] { w.end_row(); }, "end_row after finish");
    expect_internal_error([&] { w.add_metadata("k", "v"); }, "add_metadata after finish");
    expect_internal_error([&] { w.finish(); }, "finish twice");
    EXPECT_EQ(capture.bytes, finished);
    EXPECT_EQ(w.rows_written(), 1u);
}

TEST(ParquetMisuse, AFailingSinkLeavesTheWriterUnusable)
{
    int calls = 0;
    Writer w({{"a", Type::int64, false}},
             [&](const char*, std::size_t) {
                 if (++calls == 2) throw std::runtime_error("disk full");
             },
             1);
    w.add_int64(1);
    EXPECT_THROW(w.end_row(), std::runtime_error);  // magic written, then the chunk fails
    expect_internal_error([&] { w.add_int64(2); }, "add after a failed write");
    expect_internal_error([&] { w.finish(); }, "finish after a failed write");
}

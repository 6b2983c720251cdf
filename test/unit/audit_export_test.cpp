// audit_export: status_history as a CSV or JSON Lines file (core/audit_export.hpp), the RFC 4180 field writer
// (core/csv.hpp) and the streaming SHA-256 (Sha256Stream in core/hashing.hpp).
//
// Expected values are NOT output of the code under test. The file texts are written out by hand from the
// contract in docs/sql.md ("### Exports"): CSV RFC 4180 with CRLF and the documented header, NULL an empty
// field, "" for the empty string, metadata as RFC 8785 JSON, created_at ISO 8601 UTC with microseconds; JSONL
// one object per line, same members in the same order, LF, metadata an object, NULL null. SHA-256 goldens are
// FIPS 180-2 vectors or were computed with coreutils sha256sum over the hand-written text (command noted at
// each constant); otherwise the digest is checked with costsim::sha256_hex (tested against vectors in
// hashing_test.cpp) over the bytes the sink actually received.
#include "core/audit_chain.hpp"
#include "core/audit_export.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/hashing.hpp"
#include "core/json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace audit = costsim::audit;
namespace csv = costsim::csv;
namespace json = costsim::json;

namespace {

const std::string kZeros(64, '0');
const std::string kHashA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kHashB = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const std::string kHashC(64, 'a');

// The documented header, CRLF-terminated (143 bytes: `printf '%s\r\n' "$HEADER" | wc -c`).
const std::string kHeader =
    "id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,correlation_id,"
    "metadata,created_at,prev_hash,row_hash\r\n";
// printf '%s\r\n' 'id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,correlation_id,metadata,created_at,prev_hash,row_hash' | sha256sum
const std::string kHeaderSha256 = "de664d75b4a5f58df39d32cd0f44c8be28a648c8b865e2aef751833fb2d81d7c";
// FIPS 180-2 vectors.
const std::string kSha256Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kSha256Abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kSha256Abcdbc = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
const std::string kSha256MillionA = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

// created_at values. `date -u -d '2026-11-22T13:05:00Z' +%s` = 1795352700
// (hand check: 1970..2025 = 56 years with 14 leap days = 20454 days, Jan 1 .. Nov 22 2026 = 304 + 21 = 325 days,
//  20779 days * 86400 = 1795305600, + 13*3600 + 5*60 = 1795352700), plus .123456 s.
constexpr std::int64_t kUs2026 = 1795352700LL * 1000000 + 123456;
// `date -u -d '2024-02-29T23:59:59Z' +%s` = 1709251199, plus .999999 s: the last microsecond of a leap day.
constexpr std::int64_t kUsLeapDay2024 = 1709251199LL * 1000000 + 999999;

// Row A: every optional column NULL, empty metadata.
audit::StatusChange row_nulls()
{
    audit::StatusChange r;
    r.id = 1;
    r.seq = 1;
    r.tenant_id = "t1";
    r.entity_type = "simulation";
    r.entity_id = "s1";
    r.old_status = std::nullopt;
    r.new_status = "queued";
    r.actor_type = "system";
    r.actor_id = std::nullopt;
    r.reason = std::nullopt;
    r.correlation_id = std::nullopt;
    r.metadata = json::Object{};
    r.created_at_us = kUs2026;
    return r;
}
const std::string kCsvNulls =
    "1,1,t1,simulation,s1,,queued,system,,,,{},2026-11-22T13:05:00.123456Z," + kZeros + "," + kHashA + "\r\n";
const std::string kJsonlNulls =
    R"({"id":1,"seq":1,"tenant_id":"t1","entity_type":"simulation","entity_id":"s1","old_status":null,)"
    R"("new_status":"queued","actor_type":"system","actor_id":null,"reason":null,"correlation_id":null,)"
    R"("metadata":{},"created_at":"2026-11-22T13:05:00.123456Z","prev_hash":")" +
    kZeros + R"(","row_hash":")" + kHashA + "\"}\n";

// Row B: every optional column the empty string; created_at on a leap day.
audit::StatusChange row_empty_strings()
{
    audit::StatusChange r;
    r.id = 2;
    r.seq = 2;
    r.tenant_id = "t1";
    r.entity_type = "simulation";
    r.entity_id = "s1";
    r.old_status = std::string();
    r.new_status = "running";
    r.actor_type = "user";
    r.actor_id = std::string();
    r.reason = std::string();
    r.correlation_id = std::string();
    r.metadata = json::Object{};
    r.created_at_us = kUsLeapDay2024;
    return r;
}
const std::string kCsvEmptyStrings = "2,2,t1,simulation,s1,\"\",running,user,\"\",\"\",\"\",{},2024-02-29T23:59:59.999999Z," +
                                     kHashA + "," + kHashB + "\r\n";
const std::string kJsonlEmptyStrings =
    R"({"id":2,"seq":2,"tenant_id":"t1","entity_type":"simulation","entity_id":"s1","old_status":"",)"
    R"("new_status":"running","actor_type":"user","actor_id":"","reason":"","correlation_id":"",)"
    R"("metadata":{},"created_at":"2024-02-29T23:59:59.999999Z","prev_hash":")" +
    kHashA + R"(","row_hash":")" + kHashB + "\"}\n";

// Row C: fields that need quoting (comma, quote, CR, LF), nested metadata; created_at one microsecond before
// the epoch (-1 us = 1969-12-31T23:59:59.999999Z).
audit::StatusChange row_quoting(const char* metadata_text)
{
    audit::StatusChange r;
    r.id = 3;
    r.seq = 3;
    r.tenant_id = "t1";
    r.entity_type = "simulation";
    r.entity_id = "a,b";
    r.old_status = "running";
    r.new_status = "failed";
    r.actor_type = "user";
    r.actor_id = "x\ny";
    r.reason = "say \"hi\"\r\nbye";
    r.correlation_id = "c\rd";
    r.metadata = json::parse(metadata_text);
    r.created_at_us = -1;
    return r;
}
// Keys out of order at both levels, 1.0 and 1e2 and 2.50 as written in the source text.
const char* const kMetadataUnsorted = R"({"z":1.0,"a":{"y":[2.50,true,null,"s"],"b":1e2},"m":false})";
// The same value with keys already in sorted order (so that the JSONL text is exact whatever member order the
// writer keeps for metadata; the contract only says "an object").
const char* const kMetadataSortedKeys = R"({"a":{"b":1e2,"y":[2.50,true,null,"s"]},"m":false,"z":1.0})";
// Its RFC 8785 text, by hand: keys sorted by code unit at every level, no whitespace, 1.0 -> 1, 1e2 -> 100,
// 2.50 -> 2.5.
const std::string kMetadataCanonical = R"({"a":{"b":100,"y":[2.5,true,null,"s"]},"m":false,"z":1})";
// In CSV: quoted (it has quotes and commas), each quote doubled.
const std::string kCsvQuoting = "3,3,t1,simulation,\"a,b\",running,failed,user,\"x\ny\",\"say \"\"hi\"\"\r\nbye\","
                                "\"c\rd\","
                                R"("{""a"":{""b"":100,""y"":[2.5,true,null,""s""]},""m"":false,""z"":1}")"
                                ",1969-12-31T23:59:59.999999Z," +
                                kHashB + "," + kHashC + "\r\n";
// In JSON: \n, \r and \" escapes.
const std::string kJsonlQuoting =
    R"({"id":3,"seq":3,"tenant_id":"t1","entity_type":"simulation","entity_id":"a,b","old_status":"running",)"
    R"("new_status":"failed","actor_type":"user","actor_id":"x\ny","reason":"say \"hi\"\r\nbye",)"
    R"("correlation_id":"c\rd","metadata":{"a":{"b":100,"y":[2.5,true,null,"s"]},"m":false,"z":1},)"
    R"("created_at":"1969-12-31T23:59:59.999999Z","prev_hash":")" +
    kHashB + R"(","row_hash":")" + kHashC + "\"}\n";

// The whole three-row files, hashed by coreutils over the same hand-written text:
//   H=<header>; Z=<64 zeros>; A=<kHashA>; B=<kHashB>; C=<64 'a'>
//   printf '%s\r\n' "$H" "1,1,t1,simulation,s1,,queued,system,,,,{},2026-11-22T13:05:00.123456Z,$Z,$A"
//     "2,2,t1,simulation,s1,\"\",running,user,\"\",\"\",\"\",{},2024-02-29T23:59:59.999999Z,$A,$B"
//     "3,3,t1,simulation,\"a,b\",running,failed,user,\"x<LF>y\",\"say \"\"hi\"\"<CR><LF>bye\",\"c<CR>d\",
//      \"{\"\"a\"\":{\"\"b\"\":100,\"\"y\"\":[2.5,true,null,\"\"s\"\"]},\"\"m\"\":false,\"\"z\"\":1}\",
//      1969-12-31T23:59:59.999999Z,$B,$C" | sha256sum
//   (one command line; 855 bytes; <CR>/<LF> stand for the raw bytes)
const std::string kCsv3Sha256 = "2239ad9faf02f5aec40fc85e34e38732c8c512782dd40849e24cd4c0a0a2ecc2";
constexpr std::uint64_t kCsv3Bytes = 855;
//   printf '%s\n' '<kJsonlNulls line>' '<kJsonlEmptyStrings line>' '<kJsonlQuoting line>' | sha256sum  (1285 bytes)
const std::string kJsonl3Sha256 = "317c05c39b3cd97e6c75eb6e52aa9b375e577a0cdce70ad43574255e2a46d9e3";
constexpr std::uint64_t kJsonl3Bytes = 1285;
// printf '%s\r\n' "$H" "1,1,t1,simulation,s1,,queued,system,,,,{},2026-11-22T13:05:00.123456Z,$Z,$A" | sha256sum
// (344 bytes)
const std::string kCsvNullsFileSha256 = "57cf1a58ed02532c03fe59cd301dae57ad8c8419d961b5bbc0ce30cf4b737722";
// printf '%s\n' '{"id":1,...,"row_hash":"'$A'"}' | sha256sum   (kJsonlNulls, 406 bytes)
const std::string kJsonlNullsFileSha256 = "ed61466e7a3aa62c2679d48303ad3efb855e886a0d66fce950d99765db40f97e";

// A sink that keeps every piece it is given.
struct Capture {
    std::vector<std::string> pieces;
    audit::HistoryExport::Sink sink()
    {
        return [this](const char* data, std::size_t size) { pieces.emplace_back(data, size); };
    }
    std::string all() const
    {
        std::string out;
        for (const auto& p : pieces) out += p;
        return out;
    }
};

struct Exported {
    std::string text;
    std::size_t sink_calls = 0;
    std::int64_t rows = 0;
    std::uint64_t bytes = 0;
    std::string sha256;
};

struct Input {
    audit::StatusChange row;
    std::string prev_hash;
    std::string row_hash;
};

Exported export_rows(audit::HistoryFormat format, const std::vector<Input>& inputs)
{
    Capture capture;
    audit::HistoryExport file(format, capture.sink());
    for (const Input& in : inputs) file.add(in.row, in.prev_hash, in.row_hash);
    file.finish();
    Exported e;
    e.text = capture.all();
    e.sink_calls = capture.pieces.size();
    e.rows = file.rows();
    e.bytes = file.bytes();
    e.sha256 = file.sha256();
    return e;
}

std::vector<Input> three_rows(const char* metadata_of_row_c)
{
    return {{row_nulls(), kZeros, kHashA},
            {row_empty_strings(), kHashA, kHashB},
            {row_quoting(metadata_of_row_c), kHashB, kHashC}};
}

// What the file says about itself agrees with what the sink received.
void expect_self_consistent(const Exported& e)
{
    EXPECT_EQ(e.bytes, e.text.size());
    EXPECT_EQ(e.sha256, costsim::sha256_hex(e.text));
}

std::string expect_error(const std::function<void()>& fn, costsim::ErrorKind kind)
{
    try {
        fn();
    } catch (const costsim::Error& e) {
        EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << "message: " << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected costsim::Error, got another exception: " << e.what();
        return "";
    } catch (...) {
        ADD_FAILURE() << "expected costsim::Error, got a non-std exception";
        return "";
    }
    ADD_FAILURE() << "expected costsim::Error, nothing was thrown";
    return "";
}

std::string with_width(unsigned value, int width)
{
    char text[16];
    std::snprintf(text, sizeof text, "%0*u", width, value);
    return text;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Sha256Stream

TEST(Sha256Stream, NothingGivenIsTheEmptyMessageDigest)
{
    costsim::Sha256Stream s;
    EXPECT_EQ(s.finish(), kSha256Empty);
}

TEST(Sha256Stream, EmptyUpdatesChangeNothing)
{
    costsim::Sha256Stream empty;
    empty.update("");
    empty.update(std::string_view());
    EXPECT_EQ(empty.finish(), kSha256Empty);

    costsim::Sha256Stream s;
    s.update("");
    s.update("a");
    s.update("");
    s.update("bc");
    s.update("");
    EXPECT_EQ(s.finish(), kSha256Abc);
}

TEST(Sha256Stream, PiecesEqualTheOneShotVector)
{
    costsim::Sha256Stream one;
    one.update("abc");
    EXPECT_EQ(one.finish(), kSha256Abc);

    costsim::Sha256Stream three;
    three.update("a");
    three.update("b");
    three.update("c");
    EXPECT_EQ(three.finish(), kSha256Abc);

    // The 56-byte vector split at every position.
    const std::string msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (std::size_t cut = 0; cut <= msg.size(); ++cut) {
        costsim::Sha256Stream s;
        s.update(std::string_view(msg).substr(0, cut));
        s.update(std::string_view(msg).substr(cut));
        EXPECT_EQ(s.finish(), kSha256Abcdbc) << "cut at " << cut;
    }
}

TEST(Sha256Stream, MillionAInPiecesThatStraddleBlocks)
{
    // FIPS 180-2 B.3: one million 'a'. Pieces of 7 bytes (never aligned to the 64-byte block) and of 1000.
    const std::string seven(7, 'a');
    costsim::Sha256Stream s;
    std::size_t given = 0;
    while (given + 7 <= 1000000) {
        s.update(seven);
        given += 7;
    }
    s.update(std::string(1000000 - given, 'a'));
    EXPECT_EQ(s.finish(), kSha256MillionA);

    const std::string thousand(1000, 'a');
    costsim::Sha256Stream t;
    for (int i = 0; i < 1000; ++i) t.update(thousand);
    EXPECT_EQ(t.finish(), kSha256MillionA);
}

TEST(Sha256Stream, BinarySafeAndAgreesWithSha256Hex)
{
    const std::string data("a\0b\xff\x80", 5);
    costsim::Sha256Stream s;
    s.update(std::string_view(data).substr(0, 2));  // ends with the NUL
    s.update(std::string_view(data).substr(2));
    const std::string h = s.finish();
    EXPECT_EQ(h, costsim::sha256_hex(data));
    EXPECT_NE(h, costsim::sha256_hex("a"));
    ASSERT_EQ(h.size(), 64u);
    for (char c : h) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
}

// ---------------------------------------------------------------------------------------------------------
// csv

TEST(Csv, PlainFieldsAreWrittenAsTheyAre)
{
    std::string out;
    csv::append_field(out, "abc");
    EXPECT_EQ(out, "abc");
    // Spaces, tabs, semicolons, apostrophes and non-ASCII need no quotes in RFC 4180.
    out.clear();
    csv::append_field(out, " a b\t;'\xc3\xa9 ");
    EXPECT_EQ(out, " a b\t;'\xc3\xa9 ");
    // An empty field is nothing at all.
    out.clear();
    csv::append_field(out, "");
    EXPECT_EQ(out, "");
    // It appends.
    out = "x|";
    csv::append_field(out, "y");
    EXPECT_EQ(out, "x|y");
}

TEST(Csv, CommaQuoteCrLfAreQuotedWithQuotesDoubled)
{
    auto field = [](std::string_view text) {
        std::string out;
        csv::append_field(out, text);
        return out;
    };
    EXPECT_EQ(field("a,b"), "\"a,b\"");
    EXPECT_EQ(field(","), "\",\"");
    EXPECT_EQ(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(field("\""), "\"\"\"\"");
    EXPECT_EQ(field("\"\""), "\"\"\"\"\"\"");
    EXPECT_EQ(field("a\rb"), "\"a\rb\"");
    EXPECT_EQ(field("a\nb"), "\"a\nb\"");
    EXPECT_EQ(field("\r\n"), "\"\r\n\"");
    EXPECT_EQ(field("x,\"y\"\r\nz"), "\"x,\"\"y\"\"\r\nz\"");
}

TEST(Csv, NullableFieldNullIsEmptyEmptyStringIsTwoQuotes)
{
    std::string out = "p";
    csv::append_nullable_field(out, nullptr);
    EXPECT_EQ(out, "p");

    const std::string empty;
    out.clear();
    csv::append_nullable_field(out, &empty);
    EXPECT_EQ(out, "\"\"");

    const std::string plain = "abc";
    out.clear();
    csv::append_nullable_field(out, &plain);
    EXPECT_EQ(out, "abc");

    const std::string needs_quotes = "a,\"b\"";
    out.clear();
    csv::append_nullable_field(out, &needs_quotes);
    EXPECT_EQ(out, "\"a,\"\"b\"\"\"");
}

TEST(Csv, AppendRowSeparatesWithCommasAndEndsWithCrLf)
{
    std::string out;
    csv::append_row(out, {"a", "b,c", "", "d\"e", "f"});
    EXPECT_EQ(out, "a,\"b,c\",,\"d\"\"e\",f\r\n");
    csv::append_row(out, {"only"});
    EXPECT_EQ(out, "a,\"b,c\",,\"d\"\"e\",f\r\nonly\r\n");

    std::string single_empty;
    csv::append_row(single_empty, {""});
    EXPECT_EQ(single_empty, "\r\n");

    std::string two_empty;
    csv::append_row(two_empty, {"", ""});
    EXPECT_EQ(two_empty, ",\r\n");
}

// ---------------------------------------------------------------------------------------------------------
// history_format

TEST(HistoryFormat, CsvAndJsonlAreKnown)
{
    EXPECT_EQ(audit::history_format("csv"), audit::HistoryFormat::csv);
    EXPECT_EQ(audit::history_format("jsonl"), audit::HistoryFormat::jsonl);
    EXPECT_STREQ(audit::to_string(audit::HistoryFormat::csv), "csv");
    EXPECT_STREQ(audit::to_string(audit::HistoryFormat::jsonl), "jsonl");
    // Round trip.
    for (auto f : {audit::HistoryFormat::csv, audit::HistoryFormat::jsonl})
        EXPECT_EQ(audit::history_format(audit::to_string(f)), f);
}

TEST(HistoryFormat, AnythingElseIsInvalidInputNamingTheFormat)
{
    for (const char* name : {"parquet", "CSV", "", "JSONL", "json", "csv ", " csv", "tsv"}) {
        SCOPED_TRACE(std::string("format \"") + name + "\"");
        const std::string message =
            expect_error([&] { audit::history_format(name); }, costsim::ErrorKind::invalid_input);
        if (*name) {
            EXPECT_NE(message.find(name), std::string::npos) << message;
        }
    }
    // A string_view with an embedded NUL is not "csv".
    expect_error([] { audit::history_format(std::string_view("csv\0", 4)); }, costsim::ErrorKind::invalid_input);
}

// ---------------------------------------------------------------------------------------------------------
// HistoryExport: CSV

TEST(HistoryExportCsv, EmptyFileIsTheHeaderOnly)
{
    const Exported e = export_rows(audit::HistoryFormat::csv, {});
    EXPECT_EQ(e.text, kHeader);
    EXPECT_EQ(e.rows, 0);
    EXPECT_EQ(e.bytes, 143u);
    EXPECT_EQ(e.sha256, kHeaderSha256);
    expect_self_consistent(e);
}

TEST(HistoryExportCsv, RowWithAllOptionalsNullHasEmptyFields)
{
    const Exported e = export_rows(audit::HistoryFormat::csv, {{row_nulls(), kZeros, kHashA}});
    EXPECT_EQ(e.text, kHeader + kCsvNulls);
    EXPECT_EQ(e.rows, 1);
    EXPECT_EQ(e.bytes, 344u);
    EXPECT_EQ(e.sha256, kCsvNullsFileSha256);
    expect_self_consistent(e);
}

TEST(HistoryExportCsv, RowWithEmptyStringOptionalsHasTwoQuotes)
{
    const Exported e = export_rows(audit::HistoryFormat::csv, {{row_empty_strings(), kHashA, kHashB}});
    EXPECT_EQ(e.text, kHeader + kCsvEmptyStrings);
    EXPECT_EQ(e.rows, 1);
    expect_self_consistent(e);
}

TEST(HistoryExportCsv, CommaQuoteCrLfAreQuotedAndMetadataIsCanonical)
{
    const Exported e =
        export_rows(audit::HistoryFormat::csv, {{row_quoting(kMetadataUnsorted), kHashB, kHashC}});
    EXPECT_EQ(e.text, kHeader + kCsvQuoting);
    EXPECT_EQ(e.rows, 1);
    expect_self_consistent(e);
    // The metadata text inside the field is the hand-written canonical form.
    EXPECT_EQ(json::canonical(json::parse(kMetadataUnsorted)), kMetadataCanonical);
}

TEST(HistoryExportCsv, ThreeRowsInOrderWithKnownDigest)
{
    const Exported e = export_rows(audit::HistoryFormat::csv, three_rows(kMetadataUnsorted));
    EXPECT_EQ(e.text, kHeader + kCsvNulls + kCsvEmptyStrings + kCsvQuoting);
    EXPECT_EQ(e.rows, 3);
    EXPECT_EQ(e.bytes, kCsv3Bytes);
    EXPECT_EQ(e.sha256, kCsv3Sha256);
    expect_self_consistent(e);
    // Same rows, sorted or unsorted metadata source: the CSV is the same file (metadata is canonical).
    EXPECT_EQ(export_rows(audit::HistoryFormat::csv, three_rows(kMetadataSortedKeys)).sha256, kCsv3Sha256);
}

TEST(HistoryExportCsv, IdAndSeqAreExactIntegers)
{
    // Beyond 2^53 a double would round: the CSV must carry the exact bigint text.
    audit::StatusChange r = row_nulls();
    r.id = std::numeric_limits<std::int64_t>::max();  // 9223372036854775807
    r.seq = 9007199254740993;                          // 2^53 + 1
    const Exported e = export_rows(audit::HistoryFormat::csv, {{r, kZeros, kHashA}});
    EXPECT_EQ(e.text, kHeader + "9223372036854775807,9007199254740993,t1,simulation,s1,,queued,system,,,,{},"
                                "2026-11-22T13:05:00.123456Z," +
                          kZeros + "," + kHashA + "\r\n");
}

TEST(HistoryExportCsv, MetadataCanonicalNumbersAndEscapes)
{
    // Numbers in ECMAScript form, strings with minimal escapes, nested arrays and objects, keys in code-unit order.
    audit::StatusChange r = row_nulls();
    r.metadata = json::parse(R"({"n":-0.0,"big":1e21,"small":1e-7,"half":0.5,"t":"a\u000ab\"c\\","B":[[],{}],"a":10.0})");
    const Exported e = export_rows(audit::HistoryFormat::csv, {{r, kZeros, kHashA}});
    // RFC 8785 by hand: keys "B" < "a" < "big" < "half" < "n" < "small" < "t"; -0 -> 0, 1e21 -> 1e+21,
    // 1e-7 -> 1e-7, 0.5 -> 0.5, 10.0 -> 10; the LF in "t" is \n, the quote \" and the backslash \\.
    const std::string canonical = R"({"B":[[],{}],"a":10,"big":1e+21,"half":0.5,"n":0,"small":1e-7,"t":"a\nb\"c\\"})";
    // In CSV: the whole text quoted, every quote doubled.
    const std::string field =
        R"("{""B"":[[],{}],""a"":10,""big"":1e+21,""half"":0.5,""n"":0,""small"":1e-7,""t"":""a\nb\""c\\""}")";
    EXPECT_EQ(e.text, kHeader + "1,1,t1,simulation,s1,,queued,system,,,," + field +
                          ",2026-11-22T13:05:00.123456Z," + kZeros + "," + kHashA + "\r\n");
    EXPECT_EQ(json::canonical(r.metadata), canonical);
}

TEST(HistoryExportCsv, CreatedAtIsIsoUtcWithMicroseconds)
{
    struct Case {
        std::int64_t us;
        const char* text;
    };
    const Case cases[] = {
        {0, "1970-01-01T00:00:00.000000Z"},
        {1, "1970-01-01T00:00:00.000001Z"},
        {-1, "1969-12-31T23:59:59.999999Z"},  // pre-1970: one microsecond before the epoch
        // `date -u -d '1960-02-29T06:07:08Z' +%s` = -310499572; -310499572 * 10^6 + 90000 (a pre-1970 leap day)
        {-310499572LL * 1000000 + 90000, "1960-02-29T06:07:08.090000Z"},
        // `date -u -d '1900-03-01T00:00:00Z' +%s` = -2203891200; minus 1 us: 1900 is not a leap year
        {-2203891200LL * 1000000 - 1, "1900-02-28T23:59:59.999999Z"},
        // `date -u -d '2000-02-29T12:00:00Z' +%s` = 951825600 (2000 is a leap year: divisible by 400)
        {951825600LL * 1000000, "2000-02-29T12:00:00.000000Z"},
        {kUsLeapDay2024, "2024-02-29T23:59:59.999999Z"},
        {kUsLeapDay2024 + 1, "2024-03-01T00:00:00.000000Z"},
        {kUs2026, "2026-11-22T13:05:00.123456Z"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.text);
        audit::StatusChange r = row_nulls();
        r.created_at_us = c.us;
        const Exported e = export_rows(audit::HistoryFormat::csv, {{r, kZeros, kHashA}});
        EXPECT_EQ(e.text, kHeader + "1,1,t1,simulation,s1,,queued,system,,,,{}," + c.text + "," + kZeros + "," +
                              kHashA + "\r\n");
        const Exported j = export_rows(audit::HistoryFormat::jsonl, {{r, kZeros, kHashA}});
        EXPECT_NE(j.text.find(std::string("\"created_at\":\"") + c.text + "\""), std::string::npos) << j.text;
    }
}

TEST(HistoryExportCsv, EmptyStringInARequiredColumnIsTwoQuotesToo)
{
    // docs/sql.md: "NULL is an empty field and the empty string `""`" (as PostgreSQL's COPY ... CSV writes them).
    // tenant_id has no CHECK (<> '') in the schema, and the writer must not make a '' tenant look like NULL.
    audit::StatusChange r = row_nulls();
    r.tenant_id = "";
    const Exported e = export_rows(audit::HistoryFormat::csv, {{r, kZeros, kHashA}});
    EXPECT_EQ(e.text, kHeader + "1,1,\"\",simulation,s1,,queued,system,,,,{},2026-11-22T13:05:00.123456Z," + kZeros +
                          "," + kHashA + "\r\n");
}

// ---------------------------------------------------------------------------------------------------------
// HistoryExport: JSONL

TEST(HistoryExportJsonl, EmptyFileIsEmpty)
{
    const Exported e = export_rows(audit::HistoryFormat::jsonl, {});
    EXPECT_EQ(e.text, "");
    EXPECT_EQ(e.rows, 0);
    EXPECT_EQ(e.bytes, 0u);
    EXPECT_EQ(e.sha256, kSha256Empty);
}

TEST(HistoryExportJsonl, RowWithAllOptionalsNullHasNulls)
{
    const Exported e = export_rows(audit::HistoryFormat::jsonl, {{row_nulls(), kZeros, kHashA}});
    EXPECT_EQ(e.text, kJsonlNulls);
    EXPECT_EQ(e.rows, 1);
    EXPECT_EQ(e.bytes, 406u);
    EXPECT_EQ(e.sha256, kJsonlNullsFileSha256);
    expect_self_consistent(e);
}

TEST(HistoryExportJsonl, ThreeRowsExactText)
{
    const Exported e = export_rows(audit::HistoryFormat::jsonl, three_rows(kMetadataSortedKeys));
    EXPECT_EQ(e.text, kJsonlNulls + kJsonlEmptyStrings + kJsonlQuoting);
    EXPECT_EQ(e.rows, 3);
    EXPECT_EQ(e.bytes, kJsonl3Bytes);
    EXPECT_EQ(e.sha256, kJsonl3Sha256);
    expect_self_consistent(e);
}

TEST(HistoryExportJsonl, EachLineIsAnObjectWithTheCsvColumnsInOrder)
{
    const Exported e = export_rows(audit::HistoryFormat::jsonl, three_rows(kMetadataUnsorted));
    expect_self_consistent(e);
    const std::vector<std::string> columns = {"id",         "seq",        "tenant_id",  "entity_type", "entity_id",
                                              "old_status", "new_status", "actor_type", "actor_id",    "reason",
                                              "correlation_id", "metadata", "created_at", "prev_hash", "row_hash"};
    // LF only as line ends (CR and LF inside strings are escaped), one line per row, ending with LF.
    ASSERT_FALSE(e.text.empty());
    EXPECT_EQ(e.text.back(), '\n');
    EXPECT_EQ(e.text.find('\r'), std::string::npos);
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = e.text.find('\n', start)) != std::string::npos; start = nl + 1)
        lines.push_back(e.text.substr(start, nl - start));
    ASSERT_EQ(lines.size(), 3u);
    for (const std::string& line : lines) {
        const json::Value object = json::parse(line);
        ASSERT_TRUE(object.is_object()) << line;
        std::vector<std::string> keys;
        for (const auto& m : object.as_object()) keys.push_back(m.first);
        EXPECT_EQ(keys, columns) << line;
        ASSERT_NE(object.find("metadata"), nullptr);
        EXPECT_TRUE(object.find("metadata")->is_object()) << line;  // an object, not a JSON string
    }
    // Row C's metadata (given with unsorted keys) is the same value, whatever member order is kept.
    const json::Value third = json::parse(lines[2]);
    EXPECT_EQ(json::canonical(*third.find("metadata")), kMetadataCanonical);
    EXPECT_EQ(third.find("reason")->as_string(), "say \"hi\"\r\nbye");
    EXPECT_EQ(third.find("actor_id")->as_string(), "x\ny");
    EXPECT_EQ(third.find("correlation_id")->as_string(), "c\rd");
    // Row A's NULLs are null; row B's empty strings are "".
    const json::Value first = json::parse(lines[0]);
    for (const char* key : {"old_status", "actor_id", "reason", "correlation_id"}) {
        EXPECT_TRUE(first.find(key)->is_null()) << key;
        const json::Value second = json::parse(lines[1]);
        ASSERT_TRUE(second.find(key)->is_string()) << key;
        EXPECT_EQ(second.find(key)->as_string(), "") << key;
    }
}

// ---------------------------------------------------------------------------------------------------------
// HistoryExport: the sink, bytes() and sha256() over large files

namespace {

constexpr int kManyRows = 5000;

audit::StatusChange many_row(int i)
{
    audit::StatusChange r;
    r.id = 1000 + i;
    r.seq = i + 1;
    r.tenant_id = "tenant-big";
    r.entity_type = "simulation";
    r.entity_id = "sim-" + std::to_string(i);
    r.old_status = "queued";
    r.new_status = "done";
    r.actor_type = "system";
    r.actor_id = std::nullopt;
    r.reason = std::string(static_cast<std::size_t>(i % 97), 'r');  // "" for i = 0, 97, ...
    r.correlation_id = std::nullopt;
    r.metadata = json::Object{{"i", i}};
    r.created_at_us = 1795352700LL * 1000000 + i;  // 2026-11-22T13:05:00.<i as 6 digits>Z
    return r;
}

// The expected lines, built here from the contract (no field of these rows needs CSV quoting except metadata and
// an empty reason).
std::string many_csv_line(int i)
{
    const std::string reason = i % 97 == 0 ? "\"\"" : std::string(static_cast<std::size_t>(i % 97), 'r');
    return std::to_string(1000 + i) + "," + std::to_string(i + 1) + ",tenant-big,simulation,sim-" + std::to_string(i) +
           ",queued,done,system,," + reason + ",,\"{\"\"i\"\":" + std::to_string(i) +
           "}\",2026-11-22T13:05:00." + with_width(static_cast<unsigned>(i), 6) + "Z," + kZeros + "," + kHashA +
           "\r\n";
}

std::string many_jsonl_line(int i)
{
    return "{\"id\":" + std::to_string(1000 + i) + ",\"seq\":" + std::to_string(i + 1) +
           ",\"tenant_id\":\"tenant-big\",\"entity_type\":\"simulation\",\"entity_id\":\"sim-" + std::to_string(i) +
           "\",\"old_status\":\"queued\",\"new_status\":\"done\",\"actor_type\":\"system\",\"actor_id\":null,"
           "\"reason\":\"" +
           std::string(static_cast<std::size_t>(i % 97), 'r') + "\",\"correlation_id\":null,\"metadata\":{\"i\":" +
           std::to_string(i) + "},\"created_at\":\"2026-11-22T13:05:00." + with_width(static_cast<unsigned>(i), 6) +
           "Z\",\"prev_hash\":\"" + kZeros + "\",\"row_hash\":\"" + kHashA + "\"}\n";
}

void check_large(audit::HistoryFormat format)
{
    Capture capture;
    audit::HistoryExport file(format, capture.sink());
    std::string expected = format == audit::HistoryFormat::csv ? kHeader : std::string();
    for (int i = 0; i < kManyRows; ++i) {
        file.add(many_row(i), kZeros, kHashA);
        expected += format == audit::HistoryFormat::csv ? many_csv_line(i) : many_jsonl_line(i);
    }
    file.finish();
    const std::string all = capture.all();

    ASSERT_GT(expected.size(), 4u * 256 * 1024);  // well over the writer's 256 KiB buffer
    EXPECT_EQ(all.size(), expected.size());
    EXPECT_TRUE(all == expected) << "the concatenated sink output differs from the expected file";
    EXPECT_EQ(file.rows(), kManyRows);
    EXPECT_EQ(file.bytes(), all.size());
    EXPECT_EQ(file.sha256(), costsim::sha256_hex(all));
    EXPECT_EQ(file.sha256(), costsim::sha256_hex(expected));
    // Streamed: given to the sink in several pieces (bounded memory), none of them empty.
    EXPECT_GE(capture.pieces.size(), 4u);
    for (const auto& p : capture.pieces) EXPECT_FALSE(p.empty());
}

}  // namespace

TEST(HistoryExportLarge, CsvSinkGetsExactlyTheHashedBytes) { check_large(audit::HistoryFormat::csv); }

TEST(HistoryExportLarge, JsonlSinkGetsExactlyTheHashedBytes) { check_large(audit::HistoryFormat::jsonl); }

TEST(HistoryExportLarge, DigestCoversEveryPieceInOrder)
{
    // An independent streaming check: hashing the pieces in order with a fresh Sha256Stream, and the same file
    // made twice gives the same bytes (download_export remakes the file and compares digests).
    auto make = [](Capture& capture) {
        audit::HistoryExport file(audit::HistoryFormat::csv, capture.sink());
        for (int i = 0; i < kManyRows; ++i) file.add(many_row(i), kZeros, kHashA);
        file.finish();
        return file.sha256();
    };
    Capture first, second;
    const std::string h1 = make(first);
    const std::string h2 = make(second);
    costsim::Sha256Stream stream;
    for (const auto& p : first.pieces) stream.update(p);
    EXPECT_EQ(stream.finish(), h1);
    EXPECT_EQ(h1, h2);
    EXPECT_TRUE(first.all() == second.all());
}

// audit_chain: the status_history hash chain (core/audit_chain.hpp). Expected hashes are NOT output of the code
// under test: the canonical (RFC 8785) text of each row_document is written out by hand below from the member
// list in the header, and each hash was computed with coreutils sha256sum over the exact bytes
//     printf '%s' "<prev_hash><canonical text>" | sha256sum
// as noted at each constant.
#include "core/audit_chain.hpp"
#include "core/json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace audit = costsim::audit;
namespace json = costsim::json;

namespace {

const std::string kZeros(64, '0');

// Row 1 of tenant t1 (no old_status, reason or correlation_id; empty metadata).
audit::StatusChange row1()
{
    audit::StatusChange r;
    r.id = 101;
    r.seq = 1;
    r.tenant_id = "t1";
    r.entity_type = "simulation";
    r.entity_id = "s1";
    r.old_status = std::nullopt;
    r.new_status = "queued";
    r.actor_type = "user";
    r.actor_id = "u1";
    r.reason = std::nullopt;
    r.correlation_id = std::nullopt;
    r.metadata = json::Object{};
    r.created_at_us = 1700000000000000;
    return r;
}
// Its RFC 8785 text, by hand: members sorted by key, absent optionals null, created_at_us a number.
const char* const kText1 =
    R"({"actor_id":"u1","actor_type":"user","correlation_id":null,"created_at_us":1700000000000000,)"
    R"("entity_id":"s1","entity_type":"simulation","id":101,"metadata":{},"new_status":"queued",)"
    R"("old_status":null,"reason":null,"seq":1,"tenant_id":"t1"})";
// printf '%s' "$(printf '0%.0s' {1..64})$TEXT1" | sha256sum   (64 '0' characters, then kText1)
const std::string kHash1 = "57e5d7ea93ca5aa32c887f0e272602bb3dc1d8a7f8a8d3066c98a10284151dd0";

// Row 2: actor_id absent, reason and correlation_id present, metadata with two members given out of order.
audit::StatusChange row2()
{
    audit::StatusChange r;
    r.id = 102;
    r.seq = 2;
    r.tenant_id = "t1";
    r.entity_type = "simulation";
    r.entity_id = "s1";
    r.old_status = "queued";
    r.new_status = "running";
    r.actor_type = "system";
    r.actor_id = std::nullopt;
    r.reason = "worker picked it up";
    r.correlation_id = "c-42";
    r.metadata = json::Object{{"worker", 3}, {"attempt", 1}};
    r.created_at_us = 1700000000500000;
    return r;
}
const char* const kText2 =
    R"({"actor_id":null,"actor_type":"system","correlation_id":"c-42","created_at_us":1700000000500000,)"
    R"("entity_id":"s1","entity_type":"simulation","id":102,"metadata":{"attempt":1,"worker":3},)"
    R"("new_status":"running","old_status":"queued","reason":"worker picked it up","seq":2,"tenant_id":"t1"})";
// printf '%s' "${HASH1}${TEXT2}" | sha256sum
const std::string kHash2 = "c45155e61976472f2db91b848f4e61362fb6e073bdf8c34fc7520d0f6ea380b5";

audit::StatusChange row3()
{
    audit::StatusChange r;
    r.id = 103;
    r.seq = 3;
    r.tenant_id = "t1";
    r.entity_type = "simulation";
    r.entity_id = "s1";
    r.old_status = "running";
    r.new_status = "succeeded";
    r.actor_type = "system";
    r.metadata = json::Object{};
    r.created_at_us = 1700000001000000;
    return r;
}
const char* const kText3 =
    R"({"actor_id":null,"actor_type":"system","correlation_id":null,"created_at_us":1700000001000000,)"
    R"("entity_id":"s1","entity_type":"simulation","id":103,"metadata":{},"new_status":"succeeded",)"
    R"("old_status":"running","reason":null,"seq":3,"tenant_id":"t1"})";
// printf '%s' "${HASH2}${TEXT3}" | sha256sum
const std::string kHash3 = "53153abc3943c4aa9008f65751ead454deee67343a4ace3f547a6aa3e44574e9";

std::vector<std::string> sorted_keys(const json::Value& object)
{
    std::vector<std::string> keys;
    for (const auto& m : object.as_object()) keys.push_back(m.first);
    std::sort(keys.begin(), keys.end());
    return keys;
}

void expect_break(const audit::ChainVerifier& v, std::int64_t seq, std::int64_t id, const std::string& reason)
{
    EXPECT_FALSE(v.intact());
    ASSERT_TRUE(v.first_break().has_value());
    EXPECT_EQ(v.first_break()->seq, seq);
    EXPECT_EQ(v.first_break()->id, id);
    EXPECT_EQ(v.first_break()->reason, reason);
}

}  // namespace

TEST(AuditChain, GenesisHashIs64Zeros)
{
    EXPECT_EQ(audit::genesis_hash(), kZeros);
    EXPECT_EQ(audit::genesis_hash().size(), 64u);
    // The same object every time (it is returned by reference).
    EXPECT_EQ(&audit::genesis_hash(), &audit::genesis_hash());
}

TEST(AuditChain, RowDocumentHasExactlyTheDocumentedMembers)
{
    const std::vector<std::string> expected = {"actor_id",   "actor_type", "correlation_id", "created_at_us",
                                               "entity_id",  "entity_type", "id",            "metadata",
                                               "new_status", "old_status", "reason",         "seq",
                                               "tenant_id"};
    const json::Value doc = audit::row_document(row1());
    ASSERT_TRUE(doc.is_object());
    ASSERT_EQ(sorted_keys(doc), expected);  // exactly these 13, each once (so the find()s below are not null)

    // Absent optionals are null, not missing and not "".
    ASSERT_NE(doc.find("old_status"), nullptr);
    EXPECT_TRUE(doc.find("old_status")->is_null());
    EXPECT_TRUE(doc.find("reason")->is_null());
    EXPECT_TRUE(doc.find("correlation_id")->is_null());
    // Present values, with their types.
    EXPECT_EQ(*doc.find("actor_id"), json::Value("u1"));
    EXPECT_EQ(*doc.find("actor_type"), json::Value("user"));
    EXPECT_EQ(*doc.find("tenant_id"), json::Value("t1"));
    EXPECT_EQ(*doc.find("entity_type"), json::Value("simulation"));
    EXPECT_EQ(*doc.find("entity_id"), json::Value("s1"));
    EXPECT_EQ(*doc.find("new_status"), json::Value("queued"));
    ASSERT_TRUE(doc.find("id")->is_number());
    EXPECT_EQ(doc.find("id")->as_number(), 101.0);
    ASSERT_TRUE(doc.find("seq")->is_number());
    EXPECT_EQ(doc.find("seq")->as_number(), 1.0);
    ASSERT_TRUE(doc.find("created_at_us")->is_number());  // a number, not a timestamp string
    EXPECT_EQ(doc.find("created_at_us")->as_number(), 1700000000000000.0);
    ASSERT_TRUE(doc.find("metadata")->is_object());
    EXPECT_TRUE(doc.find("metadata")->as_object().empty());

    // The other row: actor_id absent -> null, the others present as strings, metadata kept.
    const json::Value doc2 = audit::row_document(row2());
    ASSERT_TRUE(doc2.is_object());
    ASSERT_EQ(sorted_keys(doc2), expected);
    EXPECT_TRUE(doc2.find("actor_id")->is_null());
    EXPECT_EQ(*doc2.find("old_status"), json::Value("queued"));
    EXPECT_EQ(*doc2.find("reason"), json::Value("worker picked it up"));
    EXPECT_EQ(*doc2.find("correlation_id"), json::Value("c-42"));
    ASSERT_TRUE(doc2.find("metadata")->is_object());
    ASSERT_NE(doc2.find("metadata")->find("worker"), nullptr);
    EXPECT_EQ(doc2.find("metadata")->find("worker")->as_number(), 3.0);
    EXPECT_EQ(doc2.find("metadata")->find("attempt")->as_number(), 1.0);
}

TEST(AuditChain, RowDocumentCanonicalTextIsTheHandWrittenText)
{
    EXPECT_EQ(json::canonical(audit::row_document(row1())), kText1);
    EXPECT_EQ(json::canonical(audit::row_document(row2())), kText2);
    EXPECT_EQ(json::canonical(audit::row_document(row3())), kText3);
}

TEST(AuditChain, RowHashOfFirstRowIsSha256OfGenesisAndCanonicalText)
{
    EXPECT_EQ(audit::row_hash(audit::genesis_hash(), row1()), kHash1);
    EXPECT_EQ(audit::row_hash(kZeros, row1()), kHash1);
}

TEST(AuditChain, SecondRowChainsOnTheFirstRowsHash)
{
    EXPECT_EQ(audit::row_hash(kHash1, row2()), kHash2);
    EXPECT_EQ(audit::row_hash(kHash2, row3()), kHash3);
    // The previous hash is part of what is hashed.
    EXPECT_NE(audit::row_hash(audit::genesis_hash(), row2()), kHash2);
    EXPECT_NE(audit::row_hash(kHash2, row1()), kHash1);
}

TEST(AuditChain, RowHashIsLowercaseHex)
{
    const std::string h = audit::row_hash(kHash1, row2());
    ASSERT_EQ(h.size(), 64u);
    for (char c : h) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
}

TEST(AuditChain, EveryMemberIsCoveredByTheHash)
{
    // Each single change of row 1 must change its hash (in particular null vs "" for the optionals).
    const std::vector<std::pair<const char*, std::function<void(audit::StatusChange&)>>> edits = {
        {"id", [](audit::StatusChange& r) { r.id = 102; }},
        {"seq", [](audit::StatusChange& r) { r.seq = 2; }},
        {"tenant_id", [](audit::StatusChange& r) { r.tenant_id = "t2"; }},
        {"entity_type", [](audit::StatusChange& r) { r.entity_type = "export"; }},
        {"entity_id", [](audit::StatusChange& r) { r.entity_id = "s2"; }},
        {"old_status null->\"\"", [](audit::StatusChange& r) { r.old_status = ""; }},
        {"old_status null->\"null\"", [](audit::StatusChange& r) { r.old_status = "null"; }},
        {"new_status", [](audit::StatusChange& r) { r.new_status = "failed"; }},
        {"actor_type", [](audit::StatusChange& r) { r.actor_type = "system"; }},
        {"actor_id value->null", [](audit::StatusChange& r) { r.actor_id = std::nullopt; }},
        {"actor_id value->other", [](audit::StatusChange& r) { r.actor_id = "u2"; }},
        {"reason null->\"\"", [](audit::StatusChange& r) { r.reason = ""; }},
        {"correlation_id null->\"\"", [](audit::StatusChange& r) { r.correlation_id = ""; }},
        {"metadata member added", [](audit::StatusChange& r) { r.metadata = json::Object{{"a", 1}}; }},
        {"created_at_us +1", [](audit::StatusChange& r) { r.created_at_us += 1; }},
    };
    for (const auto& [name, edit] : edits) {
        audit::StatusChange r = row1();
        edit(r);
        EXPECT_NE(audit::row_hash(audit::genesis_hash(), r), kHash1) << name;
    }
}

TEST(ChainVerifier, EmptyVerifierIsIntactWithGenesisHead)
{
    audit::ChainVerifier v;
    EXPECT_TRUE(v.intact());
    EXPECT_FALSE(v.first_break().has_value());
    EXPECT_EQ(v.rows(), 0);
    EXPECT_EQ(v.head(), kZeros);
}

TEST(ChainVerifier, ThreeRowChainIsIntact)
{
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    EXPECT_TRUE(v.intact());
    EXPECT_EQ(v.head(), kHash1);
    EXPECT_EQ(v.rows(), 1);
    v.add(row2(), kHash1, kHash2);
    v.add(row3(), kHash2, kHash3);
    EXPECT_TRUE(v.intact());
    EXPECT_FALSE(v.first_break().has_value());
    EXPECT_EQ(v.head(), kHash3);
    EXPECT_EQ(v.rows(), 3);
}

TEST(ChainVerifier, EditedFieldInRow2IsRowHashMismatch)
{
    audit::StatusChange edited = row2();
    edited.new_status = "failed";  // stored row_hash left as it was
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    v.add(edited, kHash1, kHash2);
    v.add(row3(), kHash2, kHash3);
    expect_break(v, 2, 102, "row_hash mismatch");
    EXPECT_EQ(v.head(), kHash3);  // the last stored row_hash seen
}

TEST(ChainVerifier, EditedMetadataInRow2IsRowHashMismatch)
{
    audit::StatusChange edited = row2();
    edited.metadata = json::Object{{"worker", 4}, {"attempt", 1}};
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    v.add(edited, kHash1, kHash2);
    v.add(row3(), kHash2, kHash3);
    expect_break(v, 2, 102, "row_hash mismatch");
}

TEST(ChainVerifier, StoredRowHashEditedIsRowHashMismatch)
{
    // The row is unchanged but its stored hash is not the hash of it.
    std::string wrong = kHash1;
    wrong[10] = (wrong[10] == 'a') ? 'b' : 'a';
    audit::ChainVerifier v;
    v.add(row1(), kZeros, wrong);
    expect_break(v, 1, 101, "row_hash mismatch");
    EXPECT_EQ(v.head(), wrong);  // the head is the last STORED row_hash, not a recomputed one
}

TEST(ChainVerifier, RehashedEditedRowBreaksAtTheNextRow)
{
    // Row 2 edited and its row_hash recomputed: row 3 still names the old hash as its prev_hash.
    audit::StatusChange edited = row2();
    edited.new_status = "failed";
    const std::string forged = audit::row_hash(kHash1, edited);
    ASSERT_NE(forged, kHash2);
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    v.add(edited, kHash1, forged);
    EXPECT_TRUE(v.intact());  // row 2 alone is consistent
    v.add(row3(), kHash2, kHash3);
    expect_break(v, 3, 103, "prev_hash mismatch");
}

TEST(ChainVerifier, MiddleRowDeletedIsSequenceGap)
{
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    v.add(row3(), kHash2, kHash3);
    expect_break(v, 2, 103, "sequence gap");
    EXPECT_EQ(v.head(), kHash3);
}

TEST(ChainVerifier, FirstRowDeletedIsSequenceGapAtSeq1)
{
    audit::ChainVerifier v;
    v.add(row2(), kHash1, kHash2);
    v.add(row3(), kHash2, kHash3);
    expect_break(v, 1, 102, "sequence gap");
}

TEST(ChainVerifier, RewrittenPrevHashIsPrevHashMismatch)
{
    // Row 2's prev_hash rewritten and its row_hash recomputed over the rewritten value, so the row is
    // self-consistent: only the link to row 1 is wrong.
    const std::string fake_prev(64, 'f');
    const std::string rehashed = audit::row_hash(fake_prev, row2());
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    v.add(row2(), fake_prev, rehashed);
    expect_break(v, 2, 102, "prev_hash mismatch");
}

TEST(ChainVerifier, FirstRowNotOnGenesisIsPrevHashMismatch)
{
    const std::string fake_prev(64, '1');
    audit::ChainVerifier v;
    v.add(row1(), fake_prev, audit::row_hash(fake_prev, row1()));
    expect_break(v, 1, 101, "prev_hash mismatch");
}

TEST(ChainVerifier, RewrittenPrevHashWithoutRehashIsDetected)
{
    // prev_hash rewritten, stored row_hash left: broken at seq 2 whichever check reports it.
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    v.add(row2(), std::string(64, 'f'), kHash2);
    EXPECT_FALSE(v.intact());
    ASSERT_TRUE(v.first_break().has_value());
    EXPECT_EQ(v.first_break()->seq, 2);
    EXPECT_EQ(v.first_break()->id, 102);
}

TEST(ChainVerifier, RowsOutOfOrderAreSequenceGap)
{
    {
        audit::ChainVerifier v;
        v.add(row1(), kZeros, kHash1);
        v.add(row3(), kHash2, kHash3);
        v.add(row2(), kHash1, kHash2);
        expect_break(v, 2, 103, "sequence gap");
    }
    {
        audit::ChainVerifier v;
        v.add(row2(), kHash1, kHash2);
        v.add(row1(), kZeros, kHash1);
        v.add(row3(), kHash2, kHash3);
        expect_break(v, 1, 102, "sequence gap");
    }
}

TEST(ChainVerifier, ReplayedRowIsSequenceGap)
{
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    v.add(row2(), kHash1, kHash2);
    v.add(row2(), kHash1, kHash2);  // expected seq 3, found seq 2 again
    v.add(row3(), kHash2, kHash3);
    expect_break(v, 3, 102, "sequence gap");
}

TEST(ChainVerifier, OnlyTheFirstBreakIsKept)
{
    audit::StatusChange edited = row2();
    edited.reason = "edited";
    const std::string fake_prev(64, 'e');
    audit::ChainVerifier v;
    v.add(row1(), kZeros, kHash1);
    v.add(edited, kHash1, kHash2);                             // break 1: row_hash mismatch at seq 2
    v.add(row3(), fake_prev, audit::row_hash(fake_prev, row3()));  // break 2: prev_hash mismatch at seq 3
    expect_break(v, 2, 102, "row_hash mismatch");

    audit::ChainVerifier w;
    w.add(row1(), kZeros, kHash1);
    w.add(row3(), kHash2, kHash3);  // break 1: sequence gap at seq 2
    w.add(edited, kHash1, kHash2);  // would be more breaks
    expect_break(w, 2, 103, "sequence gap");
}

TEST(ChainVerifier, LastRowRemovedStillVerifiesButTheHeadChanges)
{
    // The documented limit: a truncated chain is a valid chain; only the head shows it.
    audit::ChainVerifier full;
    full.add(row1(), kZeros, kHash1);
    full.add(row2(), kHash1, kHash2);
    full.add(row3(), kHash2, kHash3);

    audit::ChainVerifier truncated;
    truncated.add(row1(), kZeros, kHash1);
    truncated.add(row2(), kHash1, kHash2);
    EXPECT_TRUE(truncated.intact());
    EXPECT_EQ(truncated.rows(), 2);
    EXPECT_EQ(truncated.head(), kHash2);
    EXPECT_NE(truncated.head(), full.head());
}

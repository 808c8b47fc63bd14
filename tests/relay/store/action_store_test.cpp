// Staff messages and the outbox (relay/store/action_store) in a private in-memory database.
#include "store/action_store.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

std::unique_ptr<database> open_db()
{
    auto db = database::open(":memory:");
    EXPECT_TRUE(db) << (db ? "" : db.error().message);
    return std::move(*db);
}

staff_message message(const std::string& site, const std::string& kind, std::int64_t at)
{
    staff_message m;
    m.site = site;
    m.kind = kind;
    m.conversation = "conv";
    m.fields = R"({"name":"Ana"})";
    m.created_at = at;
    return m;
}

outbox_item item(const std::string& site, const std::string& channel)
{
    outbox_item o;
    o.site = site;
    o.channel = channel;
    o.recipient = channel == "sms" ? "+15550100199" : "ana@example.com";
    o.payload = R"({"body":"Hi"})";
    o.created_at = 1764057600;
    return o;
}

TEST(ActionStore, MessagesAreListedNewestFirstPerSiteOrAll)
{
    auto db = open_db();
    action_store store(*db);
    const auto first = store.record_message(message("acme", "take_message", 10));
    const auto second = store.record_message(message("acme", "request_callback", 20));
    const auto other = store.record_message(message("globex", "take_message", 30));
    ASSERT_TRUE(first && second && other);
    const auto acme = store.list_messages("acme", 10);
    ASSERT_TRUE(acme);
    ASSERT_EQ(acme->size(), 2U);
    EXPECT_EQ((*acme)[0].id, *second);
    EXPECT_EQ((*acme)[0].kind, "request_callback");
    EXPECT_EQ((*acme)[0].fields, R"({"name":"Ana"})");
    EXPECT_EQ((*acme)[0].created_at, 20);
    EXPECT_EQ((*acme)[1].id, *first);
    const auto all = store.list_messages("", 10);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3U);
    EXPECT_EQ((*all)[0].site, "globex");
    EXPECT_EQ(store.list_messages("", 1)->size(), 1U);
}

TEST(ActionStore, OutboxItemsAreQueuedWithNoAttempts)
{
    auto db = open_db();
    action_store store(*db);
    auto given = item("acme", "sms");
    given.status = "sent"; // a caller cannot skip the queue
    given.attempts = 3;
    ASSERT_TRUE(store.enqueue(given));
    ASSERT_TRUE(store.enqueue(item("acme", "email")));
    const auto listed = store.list_outbox("acme", 10);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 2U);
    EXPECT_EQ((*listed)[0].channel, "email");
    EXPECT_EQ((*listed)[1].channel, "sms");
    EXPECT_EQ((*listed)[1].status, "queued");
    EXPECT_EQ((*listed)[1].attempts, 0);
    EXPECT_EQ((*listed)[1].recipient, "+15550100199");
    EXPECT_TRUE(store.list_outbox("globex", 10)->empty());
}

TEST(ActionStore, UnknownKindsAndChannelsAreRefused)
{
    auto db = open_db();
    action_store store(*db);
    const auto bad_kind = store.record_message(message("acme", "send_fax", 1));
    ASSERT_FALSE(bad_kind);
    EXPECT_EQ(bad_kind.error().code, errc::invalid_argument);
    const auto bad_channel = store.enqueue(item("acme", "fax"));
    ASSERT_FALSE(bad_channel);
    EXPECT_EQ(bad_channel.error().code, errc::invalid_argument);
}

TEST(ActionStore, ValuesAreBoundNotSpliced)
{
    auto db = open_db();
    action_store store(*db);
    const std::string hostile = "acme' OR '1'='1";
    ASSERT_TRUE(store.record_message(message("acme", "take_message", 1)));
    ASSERT_TRUE(store.record_message(message(hostile, "take_message", 2)));
    const auto listed = store.list_messages(hostile, 10);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ((*listed)[0].site, hostile);
}

} // namespace
} // namespace donna::relay

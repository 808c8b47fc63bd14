// The Gmail API calls of an inbox sync (relay/providers/google/gmail_api), without I/O: the
// requests' URLs, and Gmail's answers as its reference shows them: a listing's pages, the
// history's added messages (each once, however many records name it), and refusals told
// apart (a rate limit to wait out, an expired history id, the rest).
#include "providers/google/gmail_api.hpp"

#include "config/config.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

upstream_response gmail_answer(unsigned status, std::string body)
{
    upstream_response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

TEST(GmailApi, TheSyncsRequestsAskForTheInboxWithTheToken)
{
    config cfg;
    const auto history = gmail_history_request(cfg, "ya29.t", "123456", "pg+1");
    EXPECT_EQ(history.url, "https://gmail.googleapis.com/gmail/v1/users/me/history?"
                           "startHistoryId=123456&historyTypes=messageAdded&labelId=INBOX"
                           "&maxResults=100&pageToken=pg%2B1");
    EXPECT_EQ(history.headers[0].second, "Bearer ya29.t");
    EXPECT_EQ(
        gmail_list_request(cfg, "t").url,
        "https://gmail.googleapis.com/gmail/v1/users/me/messages?labelIds=INBOX&maxResults=100");
    EXPECT_EQ(gmail_raw_message_request(cfg, "t", "18c1f0a2b3").url,
              "https://gmail.googleapis.com/gmail/v1/users/me/messages/18c1f0a2b3?format=raw");
    EXPECT_EQ(gmail_profile_request(cfg, "t").url,
              "https://gmail.googleapis.com/gmail/v1/users/me/profile");
}

TEST(GmailApi, AListingGivesItsIdsAndItsNextPage)
{
    const auto page = read_gmail_list(gmail_answer(
        200, R"({"messages":[{"id":"a1","threadId":"t1"},{"id":"a2","threadId":"t1"}],)"
             R"("nextPageToken":"0987","resultSizeEstimate":2})"));
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->message_ids, (std::vector<std::string>{"a1", "a2"}));
    EXPECT_EQ(page->next_page_token, "0987");
    const auto empty = read_gmail_list(gmail_answer(200, R"({"resultSizeEstimate":0})"));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->message_ids.empty());
    EXPECT_TRUE(empty->next_page_token.empty());
}

TEST(GmailApi, TheHistoryGivesEachAddedMessageOnceAndTheMailboxsHistoryId)
{
    const auto page = read_gmail_history(gmail_answer(
        200,
        R"({"history":[)"
        R"({"id":"1001","messages":[{"id":"m1"}],"messagesAdded":[{"message":{"id":"m1","threadId":"t","labelIds":["INBOX","UNREAD"]}}]},)"
        R"({"id":"1002","labelsAdded":[{"message":{"id":"m0"},"labelIds":["STARRED"]}]},)"
        R"({"id":"1003","messagesAdded":[{"message":{"id":"m2"}},{"message":{"id":"m1"}}]}],)"
        R"("historyId":"1004"})"));
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->message_ids, (std::vector<std::string>{"m1", "m2"}));
    EXPECT_EQ(page->history_id, "1004");
    const auto profile = read_gmail_profile(gmail_answer(
        200, R"({"emailAddress":"sales@acme.example","messagesTotal":12,"historyId":"998877"})"));
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->history_id, "998877");
}

TEST(GmailApi, RefusalsAreToldApartRateLimitsExpiredHistoryAndTheRest)
{
    const auto user_limit = read_gmail_refusal(gmail_answer(
        403, R"({"error":{"code":403,"message":"User-rate limit exceeded.",)"
             R"("errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded"}]}})"));
    EXPECT_TRUE(user_limit.retry);
    EXPECT_EQ(user_limit.reason, "userRateLimitExceeded");
    EXPECT_TRUE(read_gmail_refusal(gmail_answer(429, "{}")).retry);
    EXPECT_TRUE(read_gmail_refusal(gmail_answer(503, "")).retry);
    const auto forbidden = read_gmail_refusal(
        gmail_answer(403, R"({"error":{"code":403,"message":"Insufficient Permission",)"
                          R"("errors":[{"reason":"insufficientPermissions"}]}})"));
    EXPECT_FALSE(forbidden.retry);
    const auto expired = read_gmail_refusal(
        gmail_answer(404, R"({"error":{"code":404,"message":"Requested entity was not found."}})"),
        true);
    EXPECT_TRUE(expired.history_expired);
    EXPECT_FALSE(read_gmail_refusal(gmail_answer(404, "{}")).history_expired); // not history's
    EXPECT_FALSE(read_gmail_list(gmail_answer(500, "<html>")));
}

} // namespace
} // namespace donna::relay

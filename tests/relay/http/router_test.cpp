// The route table (relay/http/router): lookup by path, prefix and upgrade, and the 405 answer.
#include "http/router.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

router table()
{
    return router({{.path = "/healthz", .methods = {"GET", "HEAD"}},
                   {.path = "/v1/memory", .prefix = true, .methods = {"GET", "POST", "DELETE"}},
                   {.path = "/v1/realtime", .methods = {"GET"}, .websocket = true},
                   {.path = "/", .prefix = true, .methods = {"GET", "HEAD"}}});
}

TEST(Router, AnExactPathFindsItsRow)
{
    const auto t = table();
    const auto* r = t.find("/healthz", false);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->path, "/healthz");
}

TEST(Router, APrefixRowTakesItsSubpathsButNotALongerName)
{
    const auto t = table();
    EXPECT_EQ(t.find("/v1/memory", false)->path, "/v1/memory");
    EXPECT_EQ(t.find("/v1/memory/mem_1", false)->path, "/v1/memory");
    EXPECT_EQ(t.find("/v1/memoryx", false)->path, "/"); // the static files' catch-all
    EXPECT_EQ(t.find("/index.html", false)->path, "/");
}

TEST(Router, WebSocketRowsAnswerUpgradesOnlyAndUpgradesNothingElse)
{
    const auto t = table();
    EXPECT_EQ(t.find("/v1/realtime", true)->path, "/v1/realtime");
    EXPECT_EQ(t.find("/v1/realtime", false)->path, "/"); // a plain GET is a (missing) file
    EXPECT_EQ(t.find("/healthz", true), nullptr);
}

TEST(Router, AWrongMethodIsA405WithAllowAndTheJsonErrorBody)
{
    const auto t = table();
    const auto* r = t.find("/v1/memory", false);
    EXPECT_TRUE(allows(*r, "DELETE"));
    EXPECT_FALSE(allows(*r, "PUT"));
    const auto answer = method_not_allowed(*r, "PUT", "/v1/memory");
    EXPECT_EQ(answer.status, 405);
    EXPECT_EQ(answer.code, "method_not_allowed");
    ASSERT_EQ(answer.headers.size(), 1U);
    EXPECT_EQ(answer.headers[0],
              (std::pair<std::string, std::string>{"Allow", "GET, POST, DELETE"}));
    const auto body = nlohmann::json::parse(answer.body);
    EXPECT_EQ(body["error"]["code"], "method_not_allowed");
    EXPECT_EQ(body["error"]["message"],
              "PUT is not allowed on /v1/memory: use GET, POST or DELETE");
}

TEST(Router, RequestContextReadsHeadersWithoutRegardToCase)
{
    request_context c;
    c.target = "/v1/messages?status=new";
    c.headers = {{"Authorization", "Bearer x"}, {"Origin", "https://a.example"}};
    EXPECT_EQ(c.path(), "/v1/messages");
    EXPECT_EQ(c.header("authorization"), "Bearer x");
    EXPECT_EQ(c.header("ORIGIN"), "https://a.example");
    EXPECT_EQ(c.header("accept"), "");
}

} // namespace
} // namespace donna::relay

// Telnyx's REST parts without I/O: the requests the relay sends (from the settings, with the
// idempotency key and base64 client state), the message and call answers read back, and
// Telnyx's error answers mapped to the relay's codes.
#include "config/config.hpp"
#include "providers/telnyx/telnyx_call_control.hpp"
#include "providers/telnyx/telnyx_errors.hpp"
#include "providers/telnyx/telnyx_messaging.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

config telnyx_config()
{
    config c;
    c.telnyx_api_key = "KEY-test";
    c.telnyx_base_url = "https://api.telnyx.example/v2";
    c.telnyx_phone_number = "+15550100100";
    c.telnyx_connection_id = "1684641123236054244";
    return c;
}

std::string header(const upstream_request& r, std::string_view name)
{
    for (const auto& [k, v] : r.headers)
        if (k == name)
            return v;
    return {};
}

upstream_response answer(unsigned status, std::string body, header_list headers = {})
{
    upstream_response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

TEST(TelnyxMessaging, TheSendRequestCarriesTheKeyTheSenderAndTheIdempotencyKey)
{
    const auto req = telnyx_send_message_request(
        telnyx_config(),
        {.to = "+15550100199", .text = "Hi", .idempotency_key = "donna-outbox-1-2"});
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.url, "https://api.telnyx.example/v2/messages");
    EXPECT_EQ(header(req, "Authorization"), "Bearer KEY-test");
    EXPECT_EQ(header(req, "Idempotency-Key"), "donna-outbox-1-2");
    const auto body = json::parse(req.body);
    EXPECT_EQ(body, json({{"to", "+15550100199"},
                          {"text", "Hi"},
                          {"type", "SMS"},
                          {"encoding", "auto"},
                          {"from", "+15550100100"}}));
    // Byte-identical on a retry: the idempotency contract compares bodies.
    EXPECT_EQ(req.body,
              telnyx_send_message_request(
                  telnyx_config(),
                  {.to = "+15550100199", .text = "Hi", .idempotency_key = "donna-outbox-1-2"})
                  .body);
}

TEST(TelnyxMessaging, MediaMakesAnMms)
{
    const auto req = telnyx_send_message_request(
        telnyx_config(),
        {.to = "+15550100199", .text = "Menu", .media_urls = {"https://x.example/m.png"}});
    const auto body = json::parse(req.body);
    EXPECT_EQ(body["type"], "MMS");
    EXPECT_EQ(body["media_urls"][0], "https://x.example/m.png");
}

TEST(TelnyxMessaging, AMessageIsReadWithItsRecipientsAndErrors)
{
    const auto message = parse_telnyx_message(json::parse(R"({
        "id":"40385f64-5717-4562-b3fc-2c963f66afa6","direction":"outbound","type":"SMS",
        "from":{"phone_number":"+15550100100"},
        "to":[{"phone_number":"+15550100199","status":"delivery_failed"}],
        "text":"Hi","media":[{"url":"https://x.example/m.png"}],
        "errors":[{"code":"40001","title":"Not routable","detail":"landline"}]})"));
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->to[0].status, "delivery_failed");
    EXPECT_EQ(message->media_urls[0], "https://x.example/m.png");
    EXPECT_EQ(message->errors[0].code, "40001");
    EXPECT_TRUE(is_final_message_status("delivery_failed"));
    EXPECT_FALSE(is_final_message_status("sent"));
    EXPECT_FALSE(parse_telnyx_message(json::parse(R"({"direction":"outbound"})")));
}

TEST(TelnyxErrors, StatusesAndCodesMapToTheRelaysCodes)
{
    const auto body = [](const char* code, const char* title) {
        return json{{"errors", {{{"code", code}, {"title", title}, {"detail", "d"}}}}}.dump();
    };
    const auto unauthorized =
        telnyx_failure_of(answer(401, body("10009", "Authentication failed")));
    EXPECT_EQ(unauthorized.code, "telnyx_unauthorized");
    EXPECT_FALSE(unauthorized.retry);
    EXPECT_EQ(unauthorized.http_status(), 502);
    EXPECT_NE(unauthorized.message.find("Authentication failed"), std::string::npos);

    const auto ended = telnyx_failure_of(answer(422, body("90018", "Call has already ended")));
    EXPECT_EQ(ended.code, "telnyx_call_ended");
    EXPECT_EQ(ended.http_status(), 422);
    EXPECT_EQ(telnyx_failure_of(answer(422, body("10016", "E.164"))).code,
              "telnyx_invalid_request");

    const auto limited =
        telnyx_failure_of(answer(429, body("10011", "Too many requests"), {{"Retry-After", "3"}}));
    EXPECT_EQ(limited.code, "telnyx_rate_limited");
    EXPECT_TRUE(limited.retry);
    ASSERT_TRUE(limited.retry_after);
    EXPECT_EQ(limited.retry_after->count(), 3000);
    EXPECT_EQ(limited.http_status(), 503);

    const auto broken = telnyx_failure_of(answer(503, "<html>busy</html>"));
    EXPECT_EQ(broken.code, "telnyx_unavailable");
    EXPECT_TRUE(broken.retry);
    EXPECT_TRUE(broken.errors.empty());
}

TEST(TelnyxCallControl, DialAndCommandsCarryBase64ClientStateAndCommandIds)
{
    const auto dial = telnyx_dial_request(
        telnyx_config(),
        {.to = "+15550100199", .client_state = "donna-call:17", .command_id = "dial-17"});
    EXPECT_EQ(dial.url, "https://api.telnyx.example/v2/calls");
    const auto body = json::parse(dial.body);
    EXPECT_EQ(body["connection_id"], "1684641123236054244");
    EXPECT_EQ(body["from"], "+15550100100");
    EXPECT_EQ(body["client_state"], "ZG9ubmEtY2FsbDoxNw==");
    EXPECT_EQ(telnyx_client_state("ZG9ubmEtY2FsbDoxNw=="), "donna-call:17");

    const auto hangup =
        telnyx_command_request(telnyx_config(), "v3:abc", "hangup", {.command_id = "h-1"});
    EXPECT_EQ(hangup.url, "https://api.telnyx.example/v2/calls/v3:abc/actions/hangup");
    EXPECT_EQ(json::parse(hangup.body), json({{"command_id", "h-1"}}));
    EXPECT_TRUE(is_telnyx_call_control_id("v3:abc-DEF_1.2"));
    EXPECT_FALSE(is_telnyx_call_control_id("v3:../../x?y"));
}

} // namespace
} // namespace donna::relay

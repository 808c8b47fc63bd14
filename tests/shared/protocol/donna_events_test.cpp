#include "protocol/donna_events.hpp"

#include "protocol/realtime_events.hpp"

#include "json_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace donna {
namespace {

using test::parse_json;

std::vector<donna_event> sample_donna_events()
{
    return {
        donna_chat_message{"m1", chat_role::user, "Book lunch with Ana \"tomorrow\""},
        donna_chat_message{"m2", chat_role::assistant, ""},
        donna_chat_delta{"m2", "Sure, "},
        donna_persona{persona::general},
        donna_persona{persona::sales},
        donna_persona{persona::marketing},
        donna_persona{persona::receptionist},
        donna_persona{persona::secretary},
        donna_status{connection_state::connecting, ""},
        donna_status{connection_state::connected, "gpt-realtime"},
        donna_status{connection_state::reconnecting, "upstream closed (1006); retry in 2 s"},
        donna_status{connection_state::closed, ""},
        donna_error{"donna_field_not_allowed", "session.tools may not be set by the client",
                    "session.tools"},
        donna_error{"invalid_json", "unexpected end of input at offset 3", std::nullopt},
    };
}

TEST(DonnaEvents, EveryEventRoundTripsThroughSerializeAndParse)
{
    for (const donna_event& event : sample_donna_events()) {
        const std::string text = serialize(event);
        auto parsed = parse_donna_event(text);
        ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
        EXPECT_TRUE(*parsed == event) << text;
        EXPECT_EQ(serialize(*parsed), text);
    }
}

TEST(DonnaEvents, WireShapesMatchTheDocumentedJson)
{
    EXPECT_EQ(
        parse_json(serialize(donna_chat_message{"m1", chat_role::assistant, "Hi"})),
        parse_json(R"({"type":"donna.chat.message","id":"m1","role":"assistant","text":"Hi"})"));
    EXPECT_EQ(parse_json(serialize(donna_chat_delta{"m1", "H"})),
              parse_json(R"({"type":"donna.chat.delta","id":"m1","delta":"H"})"));
    EXPECT_EQ(parse_json(serialize(donna_persona{persona::receptionist})),
              parse_json(R"({"type":"donna.persona","persona":"receptionist"})"));
    EXPECT_EQ(parse_json(serialize(donna_status{connection_state::reconnecting, "x"})),
              parse_json(R"({"type":"donna.status","state":"reconnecting","detail":"x"})"));
    EXPECT_EQ(parse_json(serialize(donna_status{connection_state::closed, ""})),
              parse_json(R"({"type":"donna.status","state":"closed"})"));
    EXPECT_EQ(parse_json(serialize(donna_error{"c", "m", "p"})),
              parse_json(R"({"type":"donna.error","code":"c","message":"m","param":"p"})"));
    EXPECT_EQ(parse_json(serialize(donna_error{"c", "m", std::nullopt})),
              parse_json(R"({"type":"donna.error","code":"c","message":"m"})"));
}

TEST(DonnaEvents, PersonaNamesRoundTripAndUnknownNamesAreRejected)
{
    for (persona p : {persona::general, persona::sales, persona::marketing, persona::receptionist,
                      persona::secretary}) {
        auto back = persona_from_string(to_string(p));
        ASSERT_TRUE(back.has_value()) << to_string(p);
        EXPECT_EQ(*back, p);
    }
    EXPECT_EQ(to_string(persona::secretary), "secretary");
    EXPECT_FALSE(persona_from_string("pirate").has_value());
    EXPECT_FALSE(persona_from_string("Sales").has_value());
    EXPECT_FALSE(persona_from_string("").has_value());
}

TEST(DonnaEvents, RoleAndStateNamesRoundTrip)
{
    for (chat_role r : {chat_role::user, chat_role::assistant})
        EXPECT_EQ(chat_role_from_string(to_string(r)), r);
    for (connection_state s : {connection_state::connecting, connection_state::connected,
                               connection_state::reconnecting, connection_state::closed})
        EXPECT_EQ(connection_state_from_string(to_string(s)), s);
    EXPECT_FALSE(chat_role_from_string("system").has_value());
    EXPECT_FALSE(connection_state_from_string("open").has_value());
}

TEST(DonnaEvents, StatusWithoutDetailReadsAsEmptyDetail)
{
    auto parsed = parse_donna_event(R"({"type":"donna.status","state":"connected"})");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(std::get<donna_status>(*parsed).detail, "");
}

TEST(DonnaEvents, ErrorFromASharedErrorUsesTheErrcWireName)
{
    const donna_error e =
        donna_error::from(make_error(errc::missing_field, "missing field 'item_id'"), "item_id");
    EXPECT_EQ(e.code, "missing_field");
    EXPECT_EQ(e.message, "missing field 'item_id'");
    EXPECT_EQ(e.param, "item_id");
}

TEST(DonnaEvents, DonnaNamesAreToldApartFromRealtimeNames)
{
    EXPECT_TRUE(is_donna_event_name("donna.persona"));
    EXPECT_TRUE(is_donna_event_name("donna.anything"));
    EXPECT_FALSE(is_donna_event_name("session.update"));
    EXPECT_FALSE(is_donna_event_name("donna"));
    auto type = peek_event_type(R"({"persona":"sales","type":"donna.persona"})");
    ASSERT_TRUE(type);
    EXPECT_TRUE(is_donna_event_name(*type));
}

TEST(DonnaEvents, MalformedInputsGiveTypedErrorsNamingTheField)
{
    struct bad_case {
        std::string text;
        errc code;
        std::string message_part;
    };
    std::string deep = R"({"type":"donna.chat.message","id":)";
    deep += std::string(10000, '[') + std::string(10000, ']') + "}";
    const bad_case cases[] = {
        {"", errc::invalid_json, "empty input"},
        {"{", errc::invalid_json, "unexpected end of input"},
        {R"({"type":"donna.persona","persona":"sales")", errc::invalid_json,
         "unexpected end of input"},
        {"[]", errc::not_an_object, "found an array"},
        {R"({"persona":"sales"})", errc::missing_field, "missing field 'type'"},
        {R"({"type":true})", errc::wrong_type, "field 'type' must be a string"},
        {R"({"type":"donna.dance"})", errc::unknown_event_type, "unknown event type 'donna.dance'"},
        {R"({"type":"session.update","session":{}})", errc::unknown_event_type,
         "unknown event type 'session.update'"},
        {R"({"type":"donna.persona"})", errc::missing_field, "missing field 'persona'"},
        {R"({"type":"donna.persona","persona":"pirate"})", errc::out_of_range,
         "persona 'pirate' is not one of general, sales, marketing, receptionist, secretary"},
        {R"({"type":"donna.persona","persona":3})", errc::wrong_type,
         "field 'persona' must be a string"},
        {R"({"type":"donna.chat.message","role":"user","text":"hi"})", errc::missing_field,
         "missing field 'id'"},
        {R"({"type":"donna.chat.message","id":"m","role":"system","text":"hi"})",
         errc::out_of_range, "role 'system' is not one of user, assistant"},
        {R"({"type":"donna.chat.message","id":"m","role":"user","text":null})", errc::wrong_type,
         "field 'text' must be a string"},
        {R"({"type":"donna.chat.delta","id":"m"})", errc::missing_field, "missing field 'delta'"},
        {R"({"type":"donna.status","state":"open"})", errc::out_of_range,
         "state 'open' is not one of connecting"},
        {R"({"type":"donna.status","state":"closed","detail":5})", errc::wrong_type,
         "field 'detail' must be a string"},
        {R"({"type":"donna.error","code":"x"})", errc::missing_field, "missing field 'message'"},
        {R"({"type":"donna.error","code":"x","message":"m","param":[]})", errc::wrong_type,
         "field 'param' must be a string"},
        {"{\"type\":\"donna.chat.message\",\"id\":\"m\",\"role\":\"user\",\"text\":\"\xc3\x28\"}",
         errc::invalid_json, "UTF-8"},
        {deep, errc::invalid_json, "nesting deeper than 64"},
    };
    for (const auto& c : cases) {
        auto parsed = parse_donna_event(c.text);
        ASSERT_FALSE(parsed) << c.text;
        EXPECT_EQ(parsed.error().code, c.code)
            << c.text << ": got " << to_string(parsed.error().code) << ": "
            << parsed.error().message;
        EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos)
            << c.text << ": message was: " << parsed.error().message;
    }
}

TEST(DonnaEvents, EveryPrefixOfAnEventIsRejectedWithoutCrashing)
{
    for (const donna_event& event : sample_donna_events()) {
        const std::string text = serialize(event);
        for (std::size_t n = 0; n < text.size(); ++n) {
            auto parsed = parse_donna_event(std::string_view(text.data(), n));
            EXPECT_FALSE(parsed) << "prefix " << n << " of " << text;
        }
    }
}

} // namespace
} // namespace donna

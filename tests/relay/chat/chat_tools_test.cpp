// The chat's tools (relay/chat/chat_tools): their schemas as sent upstream, and the validator
// of the arguments a model writes.
#include "chat/chat_tools.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace donna::relay {
namespace {

using json = nlohmann::json;

const json* tool(const json& tools, const std::string& name)
{
    for (const auto& t : tools)
        if (t["function"]["name"] == name)
            return &t;
    return nullptr;
}

std::string message_of(const result<chat_tool_arguments>& r)
{
    return r ? std::string() : r.error().message;
}

TEST(ChatTools, TheFourToolsAreFunctionsWithObjectSchemasThatRefuseExtraFields)
{
    const auto tools = chat_tools_json();
    ASSERT_EQ(tools.size(), 4U);
    for (const auto& t : tools) {
        ASSERT_EQ(t.size(), 2U) << t; // "type" and "function", nothing else
        EXPECT_EQ(t["type"], "function");
        const auto& f = t["function"];
        EXPECT_TRUE(f["name"].is_string());
        EXPECT_FALSE(f["description"].get<std::string>().empty());
        EXPECT_FALSE(f.contains("strict")); // see chat_tools.hpp: the relay validates itself
        const auto& p = f["parameters"];
        EXPECT_EQ(p["type"], "object");
        EXPECT_EQ(p["additionalProperties"], false);
        for (const auto& [name, property] : p["properties"].items()) {
            EXPECT_EQ(property["type"], "string") << name;
            EXPECT_TRUE(property["maxLength"].is_number_unsigned()) << name;
        }
        for (const auto& required : p["required"])
            EXPECT_TRUE(p["properties"].contains(required.get<std::string>()));
    }
}

TEST(ChatTools, EachToolRequiresItsFieldsAndDescribesPhoneAndEmailShapes)
{
    const auto tools = chat_tools_json();
    const auto required = [&](const std::string& name) {
        return (*tool(tools, name))["function"]["parameters"]["required"];
    };
    EXPECT_EQ(required("take_message"), json::array({"name", "message"}));
    EXPECT_EQ(required("request_callback"), json::array({"name", "phone"}));
    EXPECT_EQ(required("send_email"), json::array({"to", "subject", "body"}));
    EXPECT_EQ(required("send_sms"), json::array({"to", "body"}));
    const auto& sms = (*tool(tools, "send_sms"))["function"]["parameters"]["properties"];
    EXPECT_EQ(sms["to"]["pattern"], "^\\+[1-9][0-9]{6,14}$");
    EXPECT_EQ(sms["body"]["maxLength"], 1600);
    const auto& email = (*tool(tools, "send_email"))["function"]["parameters"]["properties"];
    EXPECT_EQ(email["to"]["format"], "email");
    const auto& message = (*tool(tools, "take_message"))["function"]["parameters"]["properties"];
    EXPECT_EQ(message.size(), 4U);
    EXPECT_TRUE(message.contains("phone"));
    EXPECT_TRUE(message.contains("email"));
}

TEST(ChatTools, AValidCallGivesItsActionAndTrimmedFields)
{
    const auto r = validate_tool_call(
        "take_message",
        R"({"name":" Ana ","message":"Please call me\nabout the order","phone":null,"email":""})");
    ASSERT_TRUE(r) << message_of(r);
    EXPECT_EQ(r->action, chat_action::take_message);
    // Null and blank optional fields count as absent.
    using fields = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(r->fields, (fields{{"name", "Ana"}, {"message", "Please call me\nabout the order"}}));
    EXPECT_EQ(json::parse(r->fields_json()),
              json({{"name", "Ana"}, {"message", "Please call me\nabout the order"}}));
    EXPECT_EQ(r->field("message"), "Please call me\nabout the order");
    EXPECT_EQ(r->field("phone"), "");
}

TEST(ChatTools, EveryToolAcceptsAWellFormedCall)
{
    EXPECT_TRUE(validate_tool_call("request_callback",
                                   R"({"name":"Ben","phone":"+447700900123",
                                       "preferred_time":"tomorrow morning","reason":"a quote"})"));
    EXPECT_TRUE(validate_tool_call("send_email",
                                   R"({"to":"ana.b+news@mail.example.co.uk","subject":"Hours",
                                       "body":"We open at nine.\n\nDONNA"})"));
    EXPECT_TRUE(validate_tool_call("send_sms", R"({"to":"+15550100199","body":"See you at 3"})"));
}

TEST(ChatTools, TextThatIsNotJsonIsRefused)
{
    const auto r = validate_tool_call("send_sms", R"({"to":"+15550100199","body":"Hi")");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_json);
    EXPECT_EQ(r.error().message, "send_sms: the arguments are not valid JSON");
}

TEST(ChatTools, ArgumentsThatAreNotAnObjectAreRefused)
{
    const auto r = validate_tool_call("send_sms", R"(["+15550100199","Hi"])");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::not_an_object);
}

TEST(ChatTools, AMissingRequiredFieldIsNamed)
{
    const auto r = validate_tool_call("request_callback", R"({"name":"Ben"})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::missing_field);
    EXPECT_EQ(r.error().message, "request_callback: \"phone\" is required");
}

TEST(ChatTools, ABlankRequiredFieldIsRefusedAsEmpty)
{
    const auto r = validate_tool_call("take_message", R"({"name":"  ","message":"Hi"})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::missing_field);
    EXPECT_EQ(r.error().message, "take_message: \"name\" is empty");
}

TEST(ChatTools, AValueOfTheWrongTypeIsRefused)
{
    const auto r = validate_tool_call("send_sms", R"({"to":15550100199,"body":"Hi"})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::wrong_type);
    EXPECT_EQ(r.error().message, "send_sms: \"to\" must be a string, not a number");
}

TEST(ChatTools, AnUnknownFieldIsRefusedAndTheKnownOnesListed)
{
    const auto r = validate_tool_call("send_sms", R"({"to":"+15550100199","body":"Hi","cc":"x"})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_argument);
    EXPECT_EQ(r.error().message, "send_sms: unknown field 'cc'; the fields are to, body");
}

TEST(ChatTools, AnUnknownToolIsRefused)
{
    const auto r = validate_tool_call("delete_everything", "{}");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::not_found);
    EXPECT_NE(r.error().message.find("'delete_everything'"), std::string::npos);
}

TEST(ChatTools, APhoneNumberNotInE164FormIsRefusedWithoutQuotingIt)
{
    for (const auto* phone : {"555-0177", "15550100177", "+1 555 010 0177", "+0555010019",
                              "+123456", "+1234567890123456", "+1555010019x"}) {
        const auto r = validate_tool_call("request_callback",
                                          json({{"name", "Ben"}, {"phone", phone}}).dump());
        ASSERT_FALSE(r) << phone;
        EXPECT_EQ(r.error().code, errc::invalid_argument) << phone;
        EXPECT_EQ(r.error().message.find(phone), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find("E.164"), std::string::npos);
    }
    EXPECT_TRUE(is_e164_phone("+1234567"));
    EXPECT_TRUE(is_e164_phone("+123456789012345"));
}

TEST(ChatTools, AnOptionalPhoneIsCheckedToo)
{
    const auto r =
        validate_tool_call("take_message", R"({"name":"Ana","message":"Hi","phone":"12345"})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_argument);
}

TEST(ChatTools, AnEmailAddressOfTheWrongShapeIsRefused)
{
    for (const auto* address :
         {"ana", "ana@", "@example.com", "ana@example", "ana@@example.com", "ana@exa mple.com",
          "ana..b@example.com", ".ana@example.com", "ana@-example.com", "ana@example.123",
          "ana@example..com", "a<b>@example.com", "ana@example.com."}) {
        const auto r = validate_tool_call(
            "send_email", json({{"to", address}, {"subject", "S"}, {"body", "B"}}).dump());
        ASSERT_FALSE(r) << address;
        EXPECT_EQ(r.error().code, errc::invalid_argument) << address;
        EXPECT_EQ(r.error().message,
                  "send_email: \"to\" must be an email address such as name@example.com");
    }
    EXPECT_TRUE(is_email_address("o'brien@example.ie"));
    EXPECT_TRUE(is_email_address("x@xn--80ak6aa92e.com"));
}

TEST(ChatTools, TextOverItsLengthIsRefusedCountingCharactersNotBytes)
{
    std::string body;
    for (int i = 0; i < 1600; ++i)
        body += "é"; // two bytes, one character
    EXPECT_TRUE(
        validate_tool_call("send_sms", json({{"to", "+15550100199"}, {"body", body}}).dump()));
    const auto r =
        validate_tool_call("send_sms", json({{"to", "+15550100199"}, {"body", body + "!"}}).dump());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::out_of_range);
    EXPECT_EQ(r.error().message,
              "send_sms: \"body\" has 1601 characters; at most 1600 are allowed");
}

TEST(ChatTools, ControlCharactersAreRefusedButLongTextMayHoldNewlines)
{
    const auto line = validate_tool_call("take_message", R"({"name":"Ana\nBen","message":"Hi"})");
    ASSERT_FALSE(line);
    EXPECT_EQ(line.error().code, errc::invalid_argument);
    const auto nul =
        validate_tool_call("take_message", R"({"name":"Ana","message":"Hi\u0000there"})");
    ASSERT_FALSE(nul);
    EXPECT_EQ(nul.error().code, errc::invalid_argument);
    EXPECT_TRUE(validate_tool_call("take_message", R"({"name":"Ana","message":"Hi\n\tthere"})"));
}

TEST(ChatTools, NamesRoundTripBetweenActionsAndStrings)
{
    for (const auto action : {chat_action::take_message, chat_action::request_callback,
                              chat_action::send_email, chat_action::send_sms})
        EXPECT_EQ(chat_action_from_name(to_string(action)), action);
    EXPECT_FALSE(chat_action_from_name("send_fax"));
}

} // namespace
} // namespace donna::relay

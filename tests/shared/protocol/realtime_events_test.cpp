#include "protocol/realtime_events.hpp"

#include "json_text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace donna {
namespace {

using nlohmann::json;
using test::parse_json;

// One of every typed event, with optional fields both set and unset.
std::vector<realtime_event> sample_realtime_events()
{
    std::vector<realtime_event> events;
    session_update su;
    su.event_id = "evt_1";
    su.session = parse_json(R"({"type":"realtime","instructions":"Be brief.",
        "audio":{"input":{"turn_detection":{"type":"server_vad","threshold":0.5}},
                 "output":{"voice":"marin"}}})");
    events.emplace_back(su);
    events.emplace_back(session_update{});
    events.emplace_back(input_audio_buffer_append{"evt_2", "AAECAwQ="});
    events.emplace_back(input_audio_buffer_append{std::nullopt, ""});
    events.emplace_back(input_audio_buffer_commit{"evt_3"});
    events.emplace_back(input_audio_buffer_commit{});
    events.emplace_back(input_audio_buffer_clear{"evt_4"});
    events.emplace_back(input_audio_buffer_clear{});
    events.emplace_back(conversation_item_create{"evt_5", "item_0", "Hello \"DONNA\" \u00e9\n"});
    events.emplace_back(conversation_item_create{std::nullopt, std::nullopt, "hi"});
    events.emplace_back(conversation_item_truncate{"evt_6", "item_1", 0, 1500});
    events.emplace_back(
        conversation_item_truncate{std::nullopt, "item_2", 2147483647, 9223372036854775807});
    events.emplace_back(response_create{"evt_7", parse_json(R"({"output_modalities":["audio"]})")});
    events.emplace_back(response_create{});
    events.emplace_back(response_cancel{"evt_8", "resp_1"});
    events.emplace_back(response_cancel{});
    events.emplace_back(audio_delta{"evt_9", "resp_1", "item_3", 0, 1, "UklGRg=="});
    events.emplace_back(audio_delta{std::nullopt, "resp_2", "item_4", 7, 0, ""});
    events.emplace_back(text_delta{realtime_event_type::response_output_audio_transcript_delta,
                                   "evt_10", "resp_1", "item_3", 0, 0, "Hel"});
    events.emplace_back(text_delta{realtime_event_type::response_output_text_delta, std::nullopt,
                                   "resp_1", "item_3", 1, 2, "lo"});
    events.emplace_back(input_transcription_delta{"evt_11", "item_5", 0, "wha"});
    events.emplace_back(input_transcription_completed{"evt_12", "item_5", 0, "what time is it"});
    events.emplace_back(speech_started{"evt_13", 320, "item_6"});
    events.emplace_back(speech_stopped{"evt_14", 2120, "item_6"});
    events.emplace_back(error_event{"evt_15", "invalid_request_error", "invalid_value",
                                    "Invalid value", "session.voice", "evt_1"});
    events.emplace_back(error_event{std::nullopt, "server_error", std::nullopt, "Oops",
                                    std::nullopt, std::nullopt});
    return events;
}

// ---------------------------------------------------------------- names

TEST(RealtimeEventNames, EveryTypeRoundTripsThroughItsNameInBothDialects)
{
    for (std::size_t i = 0; i < realtime_event_type_count; ++i) {
        const auto type = static_cast<realtime_event_type>(i);
        for (dialect d : {dialect::ga, dialect::beta}) {
            const std::string_view name = event_type_name(type, d);
            auto back = event_type_from_name(name);
            ASSERT_TRUE(back.has_value()) << name;
            EXPECT_EQ(back->first, type) << name;
            if (d == dialect::ga) {
                EXPECT_EQ(back->second, dialect::ga) << name;
            }
        }
    }
}

TEST(RealtimeEventNames, BetaNamesMapToTheSameTypeAsTheirGaRename)
{
    struct pair_case {
        std::string_view beta;
        std::string_view ga;
    };
    const pair_case cases[] = {
        {"response.audio.delta", "response.output_audio.delta"},
        {"response.audio.done", "response.output_audio.done"},
        {"response.audio_transcript.delta", "response.output_audio_transcript.delta"},
        {"response.audio_transcript.done", "response.output_audio_transcript.done"},
        {"response.text.delta", "response.output_text.delta"},
        {"response.text.done", "response.output_text.done"},
    };
    for (const auto& c : cases) {
        auto beta = event_type_from_name(c.beta);
        auto ga = event_type_from_name(c.ga);
        ASSERT_TRUE(beta && ga) << c.beta;
        EXPECT_EQ(beta->first, ga->first) << c.beta;
        EXPECT_EQ(beta->second, dialect::beta) << c.beta;
        EXPECT_EQ(ga->second, dialect::ga) << c.ga;
        EXPECT_EQ(event_type_name(beta->first, dialect::beta), c.beta);
        EXPECT_EQ(event_type_name(beta->first, dialect::ga), c.ga);
    }
}

TEST(RealtimeEventNames, EventsWithoutBetaSpellingUseTheGaNameInBeta)
{
    EXPECT_EQ(event_type_name(realtime_event_type::conversation_item_added, dialect::beta),
              "conversation.item.added");
    EXPECT_EQ(event_type_name(realtime_event_type::session_update, dialect::beta),
              "session.update");
}

TEST(RealtimeEventNames, CoversEveryEventTheBriefLists)
{
    for (std::string_view name : {"session.update",
                                  "input_audio_buffer.append",
                                  "input_audio_buffer.commit",
                                  "input_audio_buffer.clear",
                                  "output_audio_buffer.clear",
                                  "conversation.item.create",
                                  "conversation.item.delete",
                                  "conversation.item.retrieve",
                                  "conversation.item.truncate",
                                  "response.create",
                                  "response.cancel",
                                  "session.created",
                                  "session.updated",
                                  "error",
                                  "input_audio_buffer.speech_started",
                                  "input_audio_buffer.speech_stopped",
                                  "input_audio_buffer.committed",
                                  "input_audio_buffer.cleared",
                                  "conversation.item.created",
                                  "conversation.item.added",
                                  "conversation.item.done",
                                  "conversation.item.truncated",
                                  "conversation.item.input_audio_transcription.delta",
                                  "conversation.item.input_audio_transcription.completed",
                                  "response.created",
                                  "response.done",
                                  "response.output_item.added",
                                  "response.output_item.done",
                                  "response.content_part.added",
                                  "response.content_part.done",
                                  "response.output_audio.delta",
                                  "response.output_audio.done",
                                  "response.output_audio_transcript.delta",
                                  "response.output_audio_transcript.done",
                                  "response.output_text.delta",
                                  "response.output_text.done",
                                  "response.function_call_arguments.delta",
                                  "response.function_call_arguments.done",
                                  "output_audio_buffer.started",
                                  "output_audio_buffer.stopped",
                                  "output_audio_buffer.cleared",
                                  "rate_limits.updated"})
        EXPECT_TRUE(event_type_from_name(name).has_value()) << name;
}

TEST(RealtimeEventNames, UnknownNamesAreNotFound)
{
    for (std::string_view name : {"", "foo.bar", "response", "response.audio", "Session.update",
                                  "session.update ", "donna.persona"})
        EXPECT_FALSE(event_type_from_name(name).has_value()) << name;
}

TEST(RealtimeEventNames, ClientEventsAreExactlyTheClientToServerOnes)
{
    using t = realtime_event_type;
    for (t type :
         {t::session_update, t::input_audio_buffer_append, t::input_audio_buffer_commit,
          t::input_audio_buffer_clear, t::output_audio_buffer_clear, t::conversation_item_create,
          t::conversation_item_delete, t::conversation_item_retrieve, t::conversation_item_truncate,
          t::response_create, t::response_cancel})
        EXPECT_TRUE(is_client_event(type)) << event_type_name(type);
    for (t type : {t::error, t::session_created, t::response_output_audio_delta,
                   t::output_audio_buffer_cleared, t::input_audio_buffer_cleared,
                   t::rate_limits_updated, t::conversation_item_truncated})
        EXPECT_FALSE(is_client_event(type)) << event_type_name(type);
}

// ---------------------------------------------------------------- round trips

TEST(RealtimeEventRoundTrip, EveryTypedEventSurvivesSerializeThenParseInBothDialects)
{
    for (const realtime_event& event : sample_realtime_events()) {
        for (dialect d : {dialect::ga, dialect::beta}) {
            const std::string text = serialize(event, d);
            auto parsed = parse_realtime_event(text);
            ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
            EXPECT_EQ(parsed->type, type_of(event)) << text;
            EXPECT_EQ(parsed->event.index(), event.index()) << text;
            EXPECT_TRUE(parsed->event == event) << text;
            const bool has_beta_name =
                event_type_name(type_of(event), dialect::beta) != event_type_name(type_of(event));
            EXPECT_EQ(parsed->spelling, has_beta_name ? d : dialect::ga) << text;
            // And the text itself is stable: serialising the parsed event gives the same bytes.
            EXPECT_EQ(serialize(parsed->event, d), text);
        }
    }
}

TEST(RealtimeEventRoundTrip, PassThroughEventKeepsItsBodyAndFollowsTheRequestedDialect)
{
    const std::string text =
        R"({"type":"response.audio.done","event_id":"e1","response_id":"r1","item_id":"i1",)"
        R"("output_index":0,"content_index":0,"extra":{"nested":[1,2,{"type":"x"}]}})";
    auto parsed = parse_realtime_event(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->type, realtime_event_type::response_output_audio_done);
    EXPECT_EQ(parsed->spelling, dialect::beta);
    const auto* other = std::get_if<other_event>(&parsed->event);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->spelling, dialect::beta);
    EXPECT_EQ(other->body, parse_json(text));

    EXPECT_EQ(parse_json(serialize(parsed->event, dialect::beta)), parse_json(text));
    json ga = parse_json(text);
    ga["type"] = "response.output_audio.done";
    EXPECT_EQ(parse_json(serialize(parsed->event, dialect::ga)), ga);
}

TEST(RealtimeEventRoundTrip, KnownUntypedEventsParseAsPassThrough)
{
    for (std::string_view text :
         {R"({"type":"session.created","event_id":"e","session":{"type":"realtime"}})",
          R"({"type":"rate_limits.updated","rate_limits":[]})",
          R"({"type":"output_audio_buffer.clear"})",
          R"({"type":"conversation.item.delete","item_id":"i"})",
          R"({"type":"response.function_call_arguments.done","arguments":"{}"})"}) {
        auto parsed = parse_realtime_event(text);
        ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
        const auto* other = std::get_if<other_event>(&parsed->event);
        ASSERT_NE(other, nullptr) << text;
        EXPECT_EQ(other->type, parsed->type);
        EXPECT_EQ(other->body, parse_json(text));
        EXPECT_EQ(parse_json(serialize(parsed->event)), parse_json(text));
    }
}

// ---------------------------------------------------------------- wire shapes and beta

TEST(RealtimeEventParse, BetaAudioDeltaParsesAsGaTypeAndReserialisesInBetaSpelling)
{
    const std::string text =
        R"({"type":"response.audio.delta","event_id":"e","response_id":"r","item_id":"i",)"
        R"("output_index":0,"content_index":0,"delta":"AAAA"})";
    auto parsed = parse_realtime_event(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->type, realtime_event_type::response_output_audio_delta);
    EXPECT_EQ(parsed->spelling, dialect::beta);
    const auto* delta = std::get_if<audio_delta>(&parsed->event);
    ASSERT_NE(delta, nullptr);
    EXPECT_EQ(delta->delta, "AAAA");
    EXPECT_EQ(parse_json(serialize(parsed->event, parsed->spelling)), parse_json(text));
    EXPECT_EQ(parse_json(serialize(parsed->event, dialect::ga))["type"],
              "response.output_audio.delta");
}

TEST(RealtimeEventParse, BetaTranscriptAndTextDeltasParseAsTextDeltaWithGaTypes)
{
    struct beta_case {
        std::string_view beta;
        realtime_event_type type;
    };
    for (const auto& c :
         {beta_case{"response.audio_transcript.delta",
                    realtime_event_type::response_output_audio_transcript_delta},
          beta_case{"response.text.delta", realtime_event_type::response_output_text_delta}}) {
        const std::string text = R"({"type":")" + std::string(c.beta) +
                                 R"(","response_id":"r","item_id":"i","output_index":0,)"
                                 R"("content_index":0,"delta":"Hi"})";
        auto parsed = parse_realtime_event(text);
        ASSERT_TRUE(parsed) << parsed.error().message;
        EXPECT_EQ(parsed->type, c.type);
        EXPECT_EQ(parsed->spelling, dialect::beta);
        const auto* delta = std::get_if<text_delta>(&parsed->event);
        ASSERT_NE(delta, nullptr);
        EXPECT_EQ(delta->type, c.type);
        EXPECT_EQ(parse_json(serialize(parsed->event, dialect::beta))["type"], c.beta);
    }
}

TEST(RealtimeEventParse, UserTextItemCreateHasTheGaWireShape)
{
    conversation_item_create create;
    create.text = "What's on my calendar?";
    EXPECT_EQ(parse_json(serialize(create)), parse_json(R"({"type":"conversation.item.create",
        "item":{"type":"message","role":"user",
                "content":[{"type":"input_text","text":"What's on my calendar?"}]}})"));
}

TEST(RealtimeEventParse, OtherItemCreateShapesPassThroughUntouched)
{
    for (
        std::string_view text :
        {R"({"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"c","output":"{}"}})",
         R"({"type":"conversation.item.create","item":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"x"}]}})",
         R"({"type":"conversation.item.create","item":{"id":"i","type":"message","role":"user","content":[{"type":"input_text","text":"x"}]}})",
         R"({"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}})",
         R"({"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_audio","audio":"AAAA"}]}})"}) {
        auto parsed = parse_realtime_event(text);
        ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
        const auto* other = std::get_if<other_event>(&parsed->event);
        ASSERT_NE(other, nullptr) << text;
        EXPECT_EQ(other->body, parse_json(text));
    }
}

TEST(RealtimeEventParse, ErrorEventReadsTheNestedErrorAndTreatsNullsAsAbsent)
{
    auto parsed = parse_realtime_event(
        R"({"type":"error","event_id":"ev","error":{"type":"invalid_request_error",)"
        R"("code":null,"message":"Missing 'audio'","param":null,"event_id":"client_1"}})");
    ASSERT_TRUE(parsed) << parsed.error().message;
    const auto* e = std::get_if<error_event>(&parsed->event);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->event_id, "ev");
    EXPECT_EQ(e->type, "invalid_request_error");
    EXPECT_EQ(e->code, std::nullopt);
    EXPECT_EQ(e->message, "Missing 'audio'");
    EXPECT_EQ(e->param, std::nullopt);
    EXPECT_EQ(e->caused_by_event_id, "client_1");
}

TEST(RealtimeEventParse, TranscriptionDeltaAcceptsTheOptionalFieldsGaLeavesOut)
{
    auto parsed = parse_realtime_event(
        R"({"type":"conversation.item.input_audio_transcription.delta","item_id":"i"})");
    ASSERT_TRUE(parsed) << parsed.error().message;
    const auto* d = std::get_if<input_transcription_delta>(&parsed->event);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->content_index, 0);
    EXPECT_EQ(d->delta, "");
}

TEST(RealtimeEventParse, TruncateReadsItsFieldsAtTheirLimits)
{
    auto parsed = parse_realtime_event(
        R"({"type":"conversation.item.truncate","item_id":"item_9","content_index":0,)"
        R"("audio_end_ms":9223372036854775807})");
    ASSERT_TRUE(parsed) << parsed.error().message;
    const auto& t = std::get<conversation_item_truncate>(parsed->event);
    EXPECT_EQ(t.item_id, "item_9");
    EXPECT_EQ(t.audio_end_ms, INT64_MAX);
}

TEST(RealtimeEventParse, SerializedInvalidUtf8IsReplacedNotFatal)
{
    input_audio_buffer_append append;
    append.audio = "\xff\xfe";
    const std::string text = serialize(append);
    EXPECT_NE(text.find("\xef\xbf\xbd"), std::string::npos) << text; // U+FFFD
    EXPECT_TRUE(parse_realtime_event(text));
}

// ---------------------------------------------------------------- malformed input

struct malformed_case {
    std::string name;
    std::string text;
    errc code;
    std::string message_part;
};

std::string nested(std::size_t levels, std::string_view open, std::string_view close)
{
    std::string s;
    for (std::size_t i = 0; i < levels; ++i)
        s += open;
    for (std::size_t i = 0; i < levels; ++i)
        s += close;
    return s;
}

std::vector<malformed_case> malformed_cases()
{
    const std::string truncate_head = R"({"type":"conversation.item.truncate","item_id":"i",)"
                                      R"("content_index":0,"audio_end_ms":)";
    return {
        {"empty input", "", errc::invalid_json, "empty input"},
        {"only whitespace", " \n\t ", errc::invalid_json, "empty input"},
        {"not JSON", "hello", errc::invalid_json, "unexpected 'h' at offset 0"},
        {"not JSON, literal-like", "nope", errc::invalid_json, "invalid literal"},
        {"truncated JSON", R"({"type":"input_audio_buffer.append","audio":"AAA)",
         errc::invalid_json, "unexpected end of input"},
        {"truncated after key", R"({"type")", errc::invalid_json, "unexpected end of input"},
        {"array instead of object", R"([{"type":"response.create"}])", errc::not_an_object,
         "found an array"},
        {"string instead of object", R"("response.create")", errc::not_an_object, "found a string"},
        {"number instead of object", "42", errc::not_an_object, "found a number"},
        {"truncated array", "[1,", errc::invalid_json, "unexpected end of input"},
        {"missing type", R"({"audio":"AAAA"})", errc::missing_field, "missing field 'type'"},
        {"empty object", "{}", errc::missing_field, "missing field 'type'"},
        {"type only nested", R"({"item":{"type":"message"}})", errc::missing_field,
         "missing field 'type'"},
        {"type not a string", R"({"type":5})", errc::wrong_type, "field 'type' must be a string"},
        {"type is null", R"({"type":null})", errc::wrong_type, "field 'type' must be a string"},
        {"type is an object", R"({"type":{"a":1}})", errc::wrong_type, "not an object"},
        {"unknown type", R"({"type":"foo.bar"})", errc::unknown_event_type,
         "unknown event type 'foo.bar'"},
        {"type with escapes", R"({"type":"response\u002ecreate"})", errc::unknown_event_type,
         "escape sequences"},
        {"duplicate type",
         R"({"type":"input_audio_buffer.append","audio":"","type":"session.update"})",
         errc::invalid_json, "duplicate field 'type'"},
        {"duplicate type via escaped key",
         R"({"type":"input_audio_buffer.append","audio":"","t\u0079pe":"session.update"})",
         errc::invalid_json, "duplicate field 'type'"},
        {"trailing data", R"({"type":"response.create"} x)", errc::invalid_json,
         "expected the end of input"},
        {"two objects", R"({"type":"response.create"}{})", errc::invalid_json,
         "expected the end of input"},
        {"missing comma", R"({"type":"response.create" "a":1})", errc::invalid_json,
         "expected ',' or '}'"},
        {"trailing comma", R"({"type":"response.create",})", errc::invalid_json,
         "expected a field name"},
        {"single quotes", R"({'type':'response.create'})", errc::invalid_json,
         "expected a field name"},
        {"leading zero", R"({"type":"response.create","x":01})", errc::invalid_json,
         "unexpected '1'"},
        {"bare minus", R"({"type":"response.create","x":-})", errc::invalid_json,
         "expected a digit"},
        {"raw control character in string", "{\"type\":\"response.create\",\"x\":\"a\nb\"}",
         errc::invalid_json, "control characters"},
        {"bad escape", R"({"type":"response.create","x":"\q"})", errc::invalid_json,
         "invalid escape"},
        {"short unicode escape", R"({"type":"response.create","x":"\u12"})", errc::invalid_json,
         "four hex digits"},
        {"missing item_id",
         R"({"type":"conversation.item.truncate","content_index":0,"audio_end_ms":5})",
         errc::missing_field, "missing field 'item_id'"},
        {"item_id not a string",
         R"({"type":"conversation.item.truncate","item_id":7,"content_index":0,"audio_end_ms":5})",
         errc::wrong_type, "field 'item_id' must be a string"},
        {"audio_end_ms negative", truncate_head + "-1}", errc::out_of_range,
         "audio_end_ms must be >= 0"},
        {"audio_end_ms string", truncate_head + "\"5\"}", errc::wrong_type,
         "field 'audio_end_ms' must be a number"},
        {"audio_end_ms float", truncate_head + "1.5}", errc::wrong_type,
         "field 'audio_end_ms' must be an integer"},
        {"audio_end_ms exponent", truncate_head + "1e3}", errc::wrong_type,
         "field 'audio_end_ms' must be an integer"},
        {"audio_end_ms above int64", truncate_head + "9223372036854775808}", errc::out_of_range,
         "audio_end_ms must be <= 9223372036854775807"},
        {"audio_end_ms above uint64", truncate_head + "18446744073709551616}", errc::out_of_range,
         "audio_end_ms must be <="},
        {"audio_end_ms huge", truncate_head + "1e300}", errc::out_of_range,
         "audio_end_ms must be <="},
        {"audio_end_ms null", truncate_head + "null}", errc::wrong_type,
         "field 'audio_end_ms' must be a number"},
        {"content_index too large for int32",
         R"({"type":"conversation.item.truncate","item_id":"i","content_index":2147483648,"audio_end_ms":0})",
         errc::out_of_range, "content_index must be <= 2147483647"},
        {"audio not a string", R"({"type":"input_audio_buffer.append","audio":5})",
         errc::wrong_type, "field 'audio' must be a string"},
        {"audio missing", R"({"type":"input_audio_buffer.append"})", errc::missing_field,
         "missing field 'audio'"},
        {"event_id not a string", R"({"type":"input_audio_buffer.commit","event_id":1})",
         errc::wrong_type, "field 'event_id' must be a string"},
        {"invalid UTF-8 in a string",
         "{\"type\":\"input_audio_buffer.append\",\"audio\":\"\xff\xfe\xc3\"}", errc::invalid_json,
         "UTF-8"},
        {"invalid UTF-8 in the type", "{\"type\":\"\xff\xc3\"}", errc::unknown_event_type,
         "unknown event type '?\?'"},
        {"session not an object", R"({"type":"session.update","session":[]})", errc::wrong_type,
         "field 'session' must be an object"},
        {"session missing", R"({"type":"session.update"})", errc::missing_field,
         "missing field 'session'"},
        {"response not an object", R"({"type":"response.create","response":"x"})", errc::wrong_type,
         "field 'response' must be an object"},
        {"item missing", R"({"type":"conversation.item.create"})", errc::missing_field,
         "missing field 'item'"},
        {"item not an object", R"({"type":"conversation.item.create","item":[]})", errc::wrong_type,
         "field 'item' must be an object"},
        {"error without message", R"({"type":"error","error":{"type":"server_error"}})",
         errc::missing_field, "missing field 'error.message'"},
        {"error detail not an object", R"({"type":"error","error":"boom"})", errc::wrong_type,
         "field 'error' must be an object"},
        {"audio delta without delta",
         R"({"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0})",
         errc::missing_field, "missing field 'delta'"},
        {"speech_started negative",
         R"({"type":"input_audio_buffer.speech_started","audio_start_ms":-5,"item_id":"i"})",
         errc::out_of_range, "audio_start_ms must be >= 0"},
        {"deeply nested arrays in a field",
         R"({"type":"session.update","session":)" + nested(10000, "[", "]") + "}",
         errc::invalid_json, "nesting deeper than 64"},
        {"deeply nested objects", nested(10000, R"({"type":"session.update","a":)", "}"),
         errc::invalid_json, "nesting deeper than 64"},
        {"deeply nested top-level array", nested(10000, "[", "]"), errc::invalid_json,
         "nesting deeper than 64"},
        {"deep and truncated", std::string(10000, '['), errc::invalid_json,
         "nesting deeper than 64"},
        {"binary garbage", std::string("\x00\x01{\"type\"", 9), errc::invalid_json,
         "unexpected byte 0"},
    };
}

TEST(RealtimeEventMalformed, EveryMalformedInputGivesItsTypedErrorAndNamesTheProblem)
{
    for (const auto& c : malformed_cases()) {
        auto parsed = parse_realtime_event(c.text);
        ASSERT_FALSE(parsed) << c.name;
        EXPECT_EQ(parsed.error().code, c.code)
            << c.name << ": got " << to_string(parsed.error().code) << ": "
            << parsed.error().message;
        EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos)
            << c.name << ": message was: " << parsed.error().message;
    }
}

TEST(RealtimeEventMalformed, SixtyFourLevelsAreAcceptedAndSixtyFiveRefused)
{
    // The top-level object is level 1, so the session value may add 63 more.
    std::string deep_ok = R"({"type":"session.update","session":)";
    for (int i = 0; i < 62; ++i)
        deep_ok += R"({"a":)";
    deep_ok += "{}";
    for (int i = 0; i < 62; ++i)
        deep_ok += "}";
    deep_ok += "}";
    auto ok = parse_realtime_event(deep_ok);
    EXPECT_TRUE(ok) << ok.error().message;

    std::string too_deep = R"({"type":"session.update","session":)";
    for (int i = 0; i < 63; ++i)
        too_deep += R"({"a":)";
    too_deep += "{}";
    for (int i = 0; i < 63; ++i)
        too_deep += "}";
    too_deep += "}";
    auto refused = parse_realtime_event(too_deep);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, errc::invalid_json);
}

// ---------------------------------------------------------------- peek

TEST(PeekEventType, FindsTypeAfterALargeAudioString)
{
    const std::string audio(8736, 'A'); // base64 of a 6.5 KB append
    const std::string text =
        R"({"event_id":"e","audio":")" + audio + R"(","type":"input_audio_buffer.append"})";
    auto type = peek_event_type(text);
    ASSERT_TRUE(type) << type.error().message;
    EXPECT_EQ(*type, "input_audio_buffer.append");
    // The view points into the input: no copy was made.
    EXPECT_GE(type->data(), text.data());
    EXPECT_LT(type->data(), text.data() + text.size());
}

TEST(PeekEventType, IgnoresEscapedQuotesInsideOtherStrings)
{
    auto type = peek_event_type(
        R"({"note":"he wrote \"type\":\"session.update\" \\","type":"response.create"})");
    ASSERT_TRUE(type) << type.error().message;
    EXPECT_EQ(*type, "response.create");
}

TEST(PeekEventType, OnlyTheTopLevelTypeCounts)
{
    auto type = peek_event_type(
        R"({"session":{"type":"realtime","audio":{"input":{"turn_detection":{"type":"server_vad"}}}},)"
        R"("items":[{"type":"message"}],"type":"session.update"})");
    ASSERT_TRUE(type) << type.error().message;
    EXPECT_EQ(*type, "session.update");

    auto nested_only = peek_event_type(R"({"item":{"type":"message"},"list":[{"type":"x"}]})");
    ASSERT_FALSE(nested_only);
    EXPECT_EQ(nested_only.error().code, errc::missing_field);
}

TEST(PeekEventType, ToleratesWhitespaceEverywhereJsonAllowsIt)
{
    auto type = peek_event_type(" \r\n\t{ \"a\" : [ 1 , -2.5e+3 , true , null ] ,\n"
                                "  \"type\" \t:\r\n \"response.cancel\" \n} \n");
    ASSERT_TRUE(type) << type.error().message;
    EXPECT_EQ(*type, "response.cancel");
}

TEST(PeekEventType, RecognisesATypeKeyWrittenWithEscapes)
{
    auto type = peek_event_type(R"({"t\u0079pe":"response.create"})");
    ASSERT_TRUE(type) << type.error().message;
    EXPECT_EQ(*type, "response.create");
    auto not_type = peek_event_type(R"({"typ\u00e9":"x","type":"response.create"})");
    ASSERT_TRUE(not_type) << not_type.error().message;
    EXPECT_EQ(*not_type, "response.create");
}

TEST(PeekEventType, AgreesWithTheFullParserOnEverySampleEvent)
{
    for (const realtime_event& event : sample_realtime_events()) {
        for (dialect d : {dialect::ga, dialect::beta}) {
            const std::string text = serialize(event, d);
            auto type = peek_event_type(text);
            ASSERT_TRUE(type) << text;
            EXPECT_EQ(*type, event_type_name(type_of(event), d));
            json dom = parse_json(text);
            EXPECT_EQ(dom["type"], std::string(*type));
        }
    }
}

// Every prefix of a valid event is either rejected or (when only trailing whitespace was
// cut) gives the right type; neither peek nor parse may crash on any of them.
TEST(PeekEventType, EveryPrefixOfValidEventsIsRejectedOrCorrectWithoutCrashing)
{
    std::vector<std::string> texts;
    for (const realtime_event& event : sample_realtime_events())
        texts.push_back(serialize(event, dialect::beta));
    texts.emplace_back(
        " { \"type\" : \"response.audio.done\" , \"a\" : [ 1.5e-3 , {\"b\":null} ] } \n");
    texts.emplace_back(
        R"({"x":"\u00e9\"\\","type":"rate_limits.updated","rate_limits":[{"name":"requests"}]})");
    std::size_t checked = 0;
    for (const std::string& text : texts) {
        auto full = parse_realtime_event(text);
        ASSERT_TRUE(full) << text << ": " << full.error().message;
        const std::string_view expected = event_type_name(full->type, full->spelling);
        for (std::size_t n = 0; n <= text.size(); ++n) {
            const std::string_view prefix(text.data(), n);
            auto type = peek_event_type(prefix);
            if (type) {
                EXPECT_EQ(*type, expected) << "prefix " << n << " of " << text;
            }
            auto parsed = parse_realtime_event(prefix);
            if (parsed) {
                EXPECT_EQ(parsed->type, full->type) << "prefix " << n << " of " << text;
            } else {
                EXPECT_FALSE(parsed.error().message.empty());
            }
            ++checked;
        }
    }
    EXPECT_GT(checked, 1000u);
}

// Random byte flips of valid events: no crash, and whenever both succeed they agree.
TEST(PeekEventType, MutatedEventsNeverCrashAndPeekAgreesWithParse)
{
    std::uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    const char alphabet[] = "{}[]\":,\\ \n0123456789-+.eEtrufalsn\x00\xff\x7f\xc3";
    std::vector<std::string> texts;
    for (const realtime_event& event : sample_realtime_events())
        texts.push_back(serialize(event));
    for (int round = 0; round < 4000; ++round) {
        std::string text = texts[next() % texts.size()];
        const int flips = 1 + static_cast<int>(next() % 4);
        for (int f = 0; f < flips && !text.empty(); ++f) {
            const std::size_t at = next() % text.size();
            switch (next() % 3) {
            case 0:
                text[at] = alphabet[next() % (sizeof alphabet - 1)];
                break;
            case 1:
                text.erase(at, 1);
                break;
            default:
                text.insert(at, 1, alphabet[next() % (sizeof alphabet - 1)]);
                break;
            }
        }
        auto type = peek_event_type(text);
        auto parsed = parse_realtime_event(text);
        if (type && parsed) {
            auto named = event_type_from_name(*type);
            ASSERT_TRUE(named.has_value()) << text;
            EXPECT_EQ(named->first, parsed->type) << text;
        }
        if (parsed) {
            EXPECT_TRUE(type) << text;
        }
    }
}

} // namespace
} // namespace donna

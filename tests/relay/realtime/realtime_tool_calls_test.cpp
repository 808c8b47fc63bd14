// realtime_tool_calls: function calls read from the upstream's events in both dialects, each
// carried out once, and the continuation asked once per response that called.
#include "realtime/realtime_tool_calls.hpp"

#include "chat/chat_actions.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace donna::relay {
namespace {

using json = nlohmann::json;

std::string call_item(const std::string& call_id, const std::string& name,
                      const std::string& arguments)
{
    return json{
        {"type", "function_call"}, {"call_id", call_id}, {"name", name}, {"arguments", arguments}}
        .dump();
}

realtime_tool_calls::step feed(realtime_tool_calls& calls, const json& event)
{
    return calls.on_upstream_event(event["type"].get<std::string>(), event.dump());
}

json added(const std::string& call_id, const std::string& name)
{
    return {{"type", "response.output_item.added"},
            {"item", json::parse(call_item(call_id, name, ""))}};
}

json arguments_done(const std::string& call_id, const std::string& arguments,
                    const std::string& name = "")
{
    json e = {{"type", "response.function_call_arguments.done"},
              {"call_id", call_id},
              {"arguments", arguments}};
    if (!name.empty())
        e["name"] = name;
    return e;
}

json response_done(const json& output = json::array())
{
    return {{"type", "response.done"}, {"response", {{"output", output}}}};
}

TEST(RealtimeToolCalls, GaArgumentsDoneNamesTheCallItself)
{
    realtime_tool_calls calls;
    feed(calls, {{"type", "response.created"}});
    const auto step = feed(calls, arguments_done("call_1", R"({"a":1})", "take_message"));
    ASSERT_EQ(step.ready.size(), 1u);
    EXPECT_EQ(step.ready[0].id, "call_1");
    EXPECT_EQ(step.ready[0].name, "take_message");
    EXPECT_EQ(step.ready[0].arguments, R"({"a":1})");
}

TEST(RealtimeToolCalls, BetaArgumentsDoneTakesItsNameFromTheItemThatOpenedIt)
{
    realtime_tool_calls calls;
    feed(calls, {{"type", "response.created"}});
    feed(calls, added("call_1", "send_sms"));
    const auto step = feed(calls, arguments_done("call_1", "{}"));
    ASSERT_EQ(step.ready.size(), 1u);
    EXPECT_EQ(step.ready[0].name, "send_sms");
}

TEST(RealtimeToolCalls, ACallSeenInSeveralEventsIsReadyOnce)
{
    realtime_tool_calls calls;
    feed(calls, {{"type", "response.created"}});
    EXPECT_EQ(feed(calls, arguments_done("call_1", "{}", "take_message")).ready.size(), 1u);
    const json item_done = {{"type", "response.output_item.done"},
                            {"item", json::parse(call_item("call_1", "take_message", "{}"))}};
    EXPECT_TRUE(feed(calls, item_done).ready.empty());
    const auto done = feed(calls, response_done(json::array({item_done["item"]})));
    EXPECT_TRUE(done.ready.empty());
    EXPECT_TRUE(done.response_finished);
    EXPECT_TRUE(done.continue_response);
}

TEST(RealtimeToolCalls, ACallOnlyInResponseDoneIsStillCarriedOut)
{
    realtime_tool_calls calls;
    feed(calls, {{"type", "response.created"}});
    const auto done =
        feed(calls,
             response_done(json::array({json::parse(call_item("call_9", "take_message", "{}"))})));
    ASSERT_EQ(done.ready.size(), 1u);
    EXPECT_EQ(done.ready[0].id, "call_9");
    EXPECT_TRUE(done.continue_response);
}

TEST(RealtimeToolCalls, AResponseWithoutCallsAsksForNoContinuation)
{
    realtime_tool_calls calls;
    EXPECT_TRUE(feed(calls, {{"type", "response.created"}}).response_started);
    EXPECT_TRUE(calls.response_in_progress());
    const auto done = feed(calls, response_done());
    EXPECT_TRUE(done.response_finished);
    EXPECT_FALSE(done.continue_response);
    EXPECT_FALSE(calls.response_in_progress());
}

TEST(RealtimeToolCalls, AudioDeltasAndMalformedEventsAreIgnored)
{
    realtime_tool_calls calls;
    EXPECT_TRUE(calls.on_upstream_event("response.output_audio.delta", "not json").ready.empty());
    EXPECT_TRUE(
        calls.on_upstream_event("response.function_call_arguments.done", "{broken").ready.empty());
    EXPECT_TRUE(calls
                    .on_upstream_event("response.function_call_arguments.done",
                                       R"({"type":"response.function_call_arguments.done"})")
                    .ready.empty()); // no call_id: nothing to answer
}

TEST(RealtimeToolCalls, TheTurnAdmitsAtMostMaxToolCallsAndStartsOverWhenTheVisitorSpeaks)
{
    realtime_tool_calls calls;
    for (std::size_t i = 0; i < max_tool_calls_per_turn; ++i)
        EXPECT_TRUE(calls.admit_call());
    EXPECT_FALSE(calls.admit_call());
    calls.on_upstream_event("input_audio_buffer.committed",
                            R"({"type":"input_audio_buffer.committed"})");
    EXPECT_TRUE(calls.admit_call());
}

TEST(RealtimeToolCalls, AfterMaxToolRoundsTheContinuationMayCallNoMore)
{
    realtime_tool_calls calls;
    for (std::size_t round = 0; round < max_tool_rounds; ++round) {
        EXPECT_FALSE(calls.tools_final());
        feed(calls, {{"type", "response.created"}});
        feed(calls, arguments_done("call_" + std::to_string(round), "{}", "take_message"));
        EXPECT_TRUE(feed(calls, response_done()).continue_response);
    }
    EXPECT_TRUE(calls.tools_final());
    EXPECT_EQ(json::parse(continue_response_event(true))["response"]["tool_choice"], "none");
    EXPECT_FALSE(json::parse(continue_response_event(false)).contains("response"));
    calls.visitor_turn();
    EXPECT_FALSE(calls.tools_final());
}

TEST(RealtimeToolCalls, TheOutputEventAnswersTheCallById)
{
    const auto e = json::parse(function_call_output_event("call_7", R"({"status":"recorded"})"));
    EXPECT_EQ(e["type"], "conversation.item.create");
    EXPECT_EQ(e["item"]["type"], "function_call_output");
    EXPECT_EQ(e["item"]["call_id"], "call_7");
    EXPECT_EQ(e["item"]["output"], R"({"status":"recorded"})");
}

} // namespace
} // namespace donna::relay

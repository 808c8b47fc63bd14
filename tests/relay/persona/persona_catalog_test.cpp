#include "persona/persona_catalog.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <unistd.h>

namespace donna::relay {
namespace {

constexpr std::array all_personas = {persona::general, persona::sales, persona::marketing,
                                     persona::receptionist, persona::secretary};

TEST(PersonaCatalog, EveryPersonaHasItsOwnPromptVoiceGreetingAndFallback)
{
    const auto catalog = persona_catalog::defaults();
    std::set<std::string> prompts;
    for (persona id : all_personas) {
        const auto& p = catalog.get(id);
        EXPECT_EQ(p.id, id) << to_string(id);
        EXPECT_NE(p.instructions.find("DONNA"), std::string::npos) << to_string(id);
        EXPECT_FALSE(p.realtime_voice.empty()) << to_string(id);
        EXPECT_FALSE(p.greeting.empty()) << to_string(id);
        EXPECT_FALSE(p.fallback_reply.empty()) << to_string(id);
        EXPECT_EQ(p.chat_model, "gpt-6-luna");
        EXPECT_EQ(p.reasoning_effort, "none");
        EXPECT_EQ(p.realtime_reasoning_effort, "low");
        EXPECT_TRUE(p.realtime_parallel_tool_calls);
        EXPECT_EQ(p.max_tokens, 1024);
        prompts.insert(p.instructions);
    }
    EXPECT_EQ(prompts.size(), all_personas.size());
}

TEST(PersonaCatalog, TemperaturesFollowTheSeed)
{
    const auto catalog = persona_catalog::defaults();
    EXPECT_DOUBLE_EQ(catalog.get(persona::general).temperature, 0.7);
    EXPECT_DOUBLE_EQ(catalog.get(persona::sales).temperature, 0.8);
    EXPECT_DOUBLE_EQ(catalog.get(persona::marketing).temperature, 0.8);
    EXPECT_DOUBLE_EQ(catalog.get(persona::receptionist).temperature, 0.6);
    EXPECT_DOUBLE_EQ(catalog.get(persona::secretary).temperature, 0.5);
}

TEST(PersonaCatalog, RolePromptsCarryTheirKeyRules)
{
    const auto catalog = persona_catalog::defaults();
    EXPECT_NE(catalog.get(persona::sales).instructions.find("Never state prices"),
              std::string::npos);
    EXPECT_NE(catalog.get(persona::receptionist).instructions.find("take a message"),
              std::string::npos);
    EXPECT_NE(catalog.get(persona::receptionist).instructions.find("callback"), std::string::npos);
    EXPECT_NE(catalog.get(persona::secretary).instructions.find("email"), std::string::npos);
}

TEST(PersonaCatalog, OutOfRangeIdGetsTheGeneralPersona)
{
    const auto catalog = persona_catalog::defaults();
    EXPECT_EQ(catalog.get(static_cast<persona>(42)).id, persona::general);
}

void expect_same_profile(const persona_profile& actual, const persona_profile& expected)
{
    SCOPED_TRACE(std::string(to_string(expected.id)));
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.chat_model, expected.chat_model);
    EXPECT_EQ(actual.reasoning_effort, expected.reasoning_effort);
    EXPECT_EQ(actual.realtime_reasoning_effort, expected.realtime_reasoning_effort);
    EXPECT_EQ(actual.realtime_parallel_tool_calls, expected.realtime_parallel_tool_calls);
    EXPECT_DOUBLE_EQ(actual.temperature, expected.temperature);
    EXPECT_EQ(actual.max_tokens, expected.max_tokens);
    EXPECT_EQ(actual.instructions, expected.instructions);
    EXPECT_EQ(actual.realtime_voice, expected.realtime_voice);
    EXPECT_EQ(actual.greeting, expected.greeting);
    EXPECT_EQ(actual.fallback_reply, expected.fallback_reply);
}

// The error from_json gives for a file that sets one field of the sales persona.
donna::error sales_field_error(const std::string& field, const std::string& json_value)
{
    const auto catalog = persona_catalog::from_json(R"({"personas": {"sales": {")" + field +
                                                    R"(": )" + json_value + "}}}");
    EXPECT_FALSE(catalog) << field << " = " << json_value << " was accepted";
    return catalog ? donna::error{} : catalog.error();
}

// The sales profile after a file that sets one of its fields.
persona_profile sales_with(const std::string& field, const std::string& json_value)
{
    const auto catalog = persona_catalog::from_json(R"({"personas": {"sales": {")" + field +
                                                    R"(": )" + json_value + "}}}");
    EXPECT_TRUE(catalog) << field << " = " << json_value << ": " << catalog.error().message;
    return catalog ? catalog->get(persona::sales) : persona_profile{};
}

std::string json_string(const std::string& text)
{
    return "\"" + text + "\"";
}

TEST(PersonaFile, ExampleFileHoldsExactlyTheBuiltInDefaults)
{
    const auto loaded = persona_catalog::from_file(DONNA_SOURCE_DIR "/docs/personas.example.json");
    ASSERT_TRUE(loaded) << loaded.error().message;
    const auto defaults = persona_catalog::defaults();
    for (persona id : all_personas)
        expect_same_profile(loaded->get(id), defaults.get(id));

    // Equal to the defaults is only proof if the file really sets every field of every persona
    // (an empty file would pass the comparison above too).
    std::ifstream in(DONNA_SOURCE_DIR "/docs/personas.example.json");
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(doc.is_discarded());
    ASSERT_EQ(doc.at("personas").size(), all_personas.size());
    for (const auto& [name, fields] : doc.at("personas").items())
        EXPECT_EQ(fields.size(), 10U) << name;
}

TEST(PersonaFile, PartialOverrideKeepsOtherFieldsAndPersonas)
{
    const auto loaded = persona_catalog::from_json(
        R"({"personas": {"sales": {"temperature": 1.2, "realtime_voice": "verse"}}})");
    ASSERT_TRUE(loaded) << loaded.error().message;
    const auto defaults = persona_catalog::defaults();

    auto expected_sales = defaults.get(persona::sales);
    expected_sales.temperature = 1.2;
    expected_sales.realtime_voice = "verse";
    expect_same_profile(loaded->get(persona::sales), expected_sales);
    for (persona id :
         {persona::general, persona::marketing, persona::receptionist, persona::secretary})
        expect_same_profile(loaded->get(id), defaults.get(id));
}

TEST(PersonaFile, EmptyPersonasObjectGivesTheDefaults)
{
    const auto loaded = persona_catalog::from_json(R"({"personas": {}})");
    ASSERT_TRUE(loaded) << loaded.error().message;
    const auto defaults = persona_catalog::defaults();
    for (persona id : all_personas)
        expect_same_profile(loaded->get(id), defaults.get(id));
}

TEST(PersonaFile, EveryFieldCanBeOverridden)
{
    const auto loaded = persona_catalog::from_json(R"({"personas": {"receptionist": {
        "model": "gpt-6.1-terra", "reasoning_effort": "low", "temperature": 0,
        "max_tokens": 800, "instructions": "You are DONNA at Acme.", "realtime_voice": "echo",
        "realtime_reasoning_effort": "high", "realtime_parallel_tool_calls": false,
        "greeting": "Acme, good morning.", "fallback_reply": "One moment, please."}}})");
    ASSERT_TRUE(loaded) << loaded.error().message;
    const auto& p = loaded->get(persona::receptionist);
    EXPECT_EQ(p.id, persona::receptionist);
    EXPECT_EQ(p.chat_model, "gpt-6.1-terra");
    EXPECT_EQ(p.reasoning_effort, "low");
    EXPECT_EQ(p.realtime_reasoning_effort, "high");
    EXPECT_FALSE(p.realtime_parallel_tool_calls);
    EXPECT_DOUBLE_EQ(p.temperature, 0.0);
    EXPECT_EQ(p.max_tokens, 800);
    EXPECT_EQ(p.instructions, "You are DONNA at Acme.");
    EXPECT_EQ(p.realtime_voice, "echo");
    EXPECT_EQ(p.greeting, "Acme, good morning.");
    EXPECT_EQ(p.fallback_reply, "One moment, please.");
}

TEST(PersonaFile, TemperatureMustBeANumberFrom0To2)
{
    EXPECT_DOUBLE_EQ(sales_with("temperature", "2").temperature, 2.0);
    EXPECT_DOUBLE_EQ(sales_with("temperature", "0.0").temperature, 0.0);
    const std::string message = "personas.sales.temperature must be a number between 0 and 2";
    for (const char* bad : {"2.01", "-0.1", "1e3"}) {
        const auto e = sales_field_error("temperature", bad);
        EXPECT_EQ(e.code, errc::out_of_range) << bad;
        EXPECT_EQ(e.message, message) << bad;
    }
    for (const char* bad : {R"("0.7")", "true", "null"}) {
        const auto e = sales_field_error("temperature", bad);
        EXPECT_EQ(e.code, errc::wrong_type) << bad;
        EXPECT_EQ(e.message, message) << bad;
    }
}

TEST(PersonaFile, MaxTokensMustBeAnIntegerFrom1To32768)
{
    EXPECT_EQ(sales_with("max_tokens", "1").max_tokens, 1);
    EXPECT_EQ(sales_with("max_tokens", "32768").max_tokens, 32768);
    const std::string message = "personas.sales.max_tokens must be an integer between 1 and 32768";
    for (const char* bad : {"0", "32769", "-5", "18446744073709551615"}) {
        const auto e = sales_field_error("max_tokens", bad);
        EXPECT_EQ(e.code, errc::out_of_range) << bad;
        EXPECT_EQ(e.message, message) << bad;
    }
    for (const char* bad : {"800.5", "800.0", R"("800")"}) {
        const auto e = sales_field_error("max_tokens", bad);
        EXPECT_EQ(e.code, errc::wrong_type) << bad;
        EXPECT_EQ(e.message, message) << bad;
    }
}

TEST(PersonaFile, ModelMustBeUpTo100SafeCharacters)
{
    EXPECT_EQ(sales_with("model", json_string("ft:gpt-4o-mini:acme_co.v2:abc")).chat_model,
              "ft:gpt-4o-mini:acme_co.v2:abc");
    EXPECT_EQ(sales_with("model", json_string(std::string(100, 'm'))).chat_model,
              std::string(100, 'm'));
    const std::string message = "personas.sales.model must be 1 to 100 characters of A-Z, a-z, "
                                "0-9, '.', '_', ':' and '-'";
    for (const std::string& bad :
         {json_string(""), json_string("gpt 4o"), json_string("gpt-4o/../x"),
          json_string(std::string(101, 'm')), std::string("4")}) {
        const auto e = sales_field_error("model", bad);
        EXPECT_EQ(e.message, message) << bad;
    }
}

TEST(PersonaFile, InstructionsMustBeNonEmptyAndAtMost20000Characters)
{
    // Characters, not bytes: 20000 two-byte characters fit.
    std::string accented;
    for (int i = 0; i < 20000; ++i)
        accented += "\u00e9";
    EXPECT_EQ(sales_with("instructions", json_string(accented)).instructions.size(), 40000U);
    const std::string message =
        "personas.sales.instructions must be a non-empty string of at most 20000 characters";
    for (const std::string& bad :
         {json_string(""), json_string(std::string(20001, 'x')), std::string("[]")}) {
        const auto e = sales_field_error("instructions", bad);
        EXPECT_EQ(e.message, message) << bad.substr(0, 20);
    }
}

TEST(PersonaFile, RealtimeVoiceMustBeOneBothDialectsAccept)
{
    EXPECT_EQ(sales_with("realtime_voice", json_string("verse")).realtime_voice, "verse");
    for (const std::string& bad :
         {json_string("nova"), json_string(""), json_string("Coral"), std::string("1")}) {
        const auto e = sales_field_error("realtime_voice", bad);
        EXPECT_EQ(e.message, "personas.sales.realtime_voice must be one of alloy, ash, ballad, "
                             "coral, echo, sage, shimmer, verse")
            << bad;
    }
}

TEST(PersonaFile, DefaultVoicesAreAllAccepted)
{
    const auto defaults = persona_catalog::defaults();
    for (persona id : all_personas) {
        const auto& voice = defaults.get(id).realtime_voice;
        EXPECT_EQ(sales_with("realtime_voice", json_string(voice)).realtime_voice, voice);
    }
}

TEST(PersonaFile, GreetingMustBeAStringOfAtMost500Characters)
{
    EXPECT_EQ(sales_with("greeting", json_string(std::string(500, 'g'))).greeting,
              std::string(500, 'g'));
    EXPECT_EQ(sales_with("greeting", json_string("")).greeting, "");
    for (const std::string& bad : {json_string(std::string(501, 'g')), std::string("null")}) {
        const auto e = sales_field_error("greeting", bad);
        EXPECT_EQ(e.message, "personas.sales.greeting must be a string of at most 500 characters")
            << bad.substr(0, 20);
    }
}

TEST(PersonaFile, FallbackReplyMustBeAStringOfAtMost500Characters)
{
    EXPECT_EQ(sales_with("fallback_reply", json_string(std::string(500, 'f'))).fallback_reply,
              std::string(500, 'f'));
    for (const std::string& bad : {json_string(std::string(501, 'f')), std::string("{}")}) {
        const auto e = sales_field_error("fallback_reply", bad);
        EXPECT_EQ(e.message,
                  "personas.sales.fallback_reply must be a string of at most 500 characters")
            << bad.substr(0, 20);
    }
}

TEST(PersonaFile, UnknownPersonaIsAnError)
{
    const auto loaded = persona_catalog::from_json(R"({"personas": {"pirate": {}}})");
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, errc::invalid_argument);
    EXPECT_EQ(loaded.error().message, "personas.pirate is not a persona (known: general, sales, "
                                      "marketing, receptionist, secretary)");
}

TEST(PersonaFile, PinnedModelWithoutReasoningEffortSendsNoEffort)
{
    // The seed's gpt-4o rejects reasoning_effort: a file naming only the model gets none.
    EXPECT_EQ(sales_with("model", json_string("gpt-4o")).reasoning_effort, "");
    EXPECT_EQ(sales_with("reasoning_effort", "null").reasoning_effort, "");
    EXPECT_EQ(sales_with("reasoning_effort", json_string("max")).reasoning_effort, "max");
    EXPECT_EQ(sales_with("model", json_string("gpt-6-luna")).chat_model, "gpt-6-luna");
}

TEST(PersonaFile, ReasoningEffortsOutsideTheirListsAreErrors)
{
    auto e = sales_field_error("reasoning_effort", json_string("extreme"));
    EXPECT_EQ(e.code, errc::out_of_range);
    EXPECT_EQ(e.message, "personas.sales.reasoning_effort must be null or one of none, minimal, "
                         "low, medium, high, xhigh, max");
    EXPECT_EQ(sales_field_error("reasoning_effort", "3").code, errc::wrong_type);
    // The Realtime API has no "none".
    e = sales_field_error("realtime_reasoning_effort", json_string("none"));
    EXPECT_EQ(e.code, errc::out_of_range);
    EXPECT_EQ(e.message, "personas.sales.realtime_reasoning_effort must be one of minimal, low, "
                         "medium, high, xhigh");
    e = sales_field_error("realtime_parallel_tool_calls", json_string("yes"));
    EXPECT_EQ(e.code, errc::wrong_type);
    EXPECT_EQ(e.message, "personas.sales.realtime_parallel_tool_calls must be true or false");
}

TEST(PersonaFile, UnknownFieldIsAnError)
{
    const auto e = sales_field_error("temprature", "0.5");
    EXPECT_EQ(e.code, errc::invalid_argument);
    EXPECT_EQ(e.message, "personas.sales.temprature is not a persona field (known: model, "
                         "reasoning_effort, temperature, max_tokens, instructions, "
                         "realtime_voice, realtime_reasoning_effort, "
                         "realtime_parallel_tool_calls, greeting, fallback_reply)");
}

TEST(PersonaFile, FileShapeErrorsSayWhatIsWrong)
{
    struct bad_file {
        const char* text;
        errc code;
        const char* message;
    };
    for (const auto& [text, code, message] : std::array<bad_file, 6>{{
             {R"({"personas": {"sales": {"temperature": 0.5})", errc::invalid_json,
              "the personas file is not valid JSON"},
             {"", errc::invalid_json, "the personas file is not valid JSON"},
             {"[]", errc::not_an_object,
              R"(the personas file must be an object: {"personas": {...}})"},
             {R"({"persona": {}})", errc::invalid_argument,
              "persona is not a top-level field (known: personas)"},
             {"{}", errc::missing_field, "personas is missing"},
             {R"({"personas": {"sales": "gpt-4o"}})", errc::not_an_object,
              "personas.sales must be an object"},
         }}) {
        const auto loaded = persona_catalog::from_json(text);
        ASSERT_FALSE(loaded) << text;
        EXPECT_EQ(loaded.error().code, code) << text;
        EXPECT_EQ(loaded.error().message, message) << text;
    }
}

TEST(PersonaFile, MissingFileIsNotFound)
{
    const auto loaded = persona_catalog::from_file(std::filesystem::temp_directory_path() /
                                                   "donna-no-such-dir" / "personas.json");
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, errc::not_found);
}

TEST(PersonaFile, FileErrorsNameTheFileAndTheField)
{
    const auto path = std::filesystem::temp_directory_path() /
                      ("donna-personas-test-" + std::to_string(::getpid()) + ".json");
    {
        std::ofstream out(path, std::ios::binary);
        out << R"({"personas": {"secretary": {"max_tokens": 0}}})";
    }
    const auto loaded = persona_catalog::from_file(path);
    std::filesystem::remove(path);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, errc::out_of_range);
    EXPECT_EQ(loaded.error().message,
              path.string() +
                  ": personas.secretary.max_tokens must be an integer between 1 and 32768");
}

} // namespace
} // namespace donna::relay

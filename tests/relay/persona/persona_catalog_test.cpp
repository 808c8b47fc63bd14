#include "persona/persona_catalog.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

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
        EXPECT_EQ(p.chat_model, "gpt-4o");
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

} // namespace
} // namespace donna::relay

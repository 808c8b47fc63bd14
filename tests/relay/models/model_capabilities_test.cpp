// Which Realtime models take reasoning settings (relay/models/model_capabilities.hpp).
#include "models/model_capabilities.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

TEST(ModelCapabilities, RealtimeModelsFromGeneration2OnReason)
{
    for (const char* model : {"gpt-realtime-2", "gpt-realtime-2.1", "gpt-realtime-2.1-mini",
                              "gpt-realtime-2-2026-05-07", "gpt-realtime-3", "gpt-realtime-10"})
        EXPECT_TRUE(realtime_model_reasons(model)) << model;
}

TEST(ModelCapabilities, EarlierRealtimeModelsAndOtherNamesDoNot)
{
    for (const char* model : {"gpt-realtime", "gpt-realtime-mini", "gpt-realtime-1.5",
                              "gpt-realtime-2025-08-28", "gpt-4o-realtime-preview", "gpt-6-luna",
                              "", "gpt-realtime-", "gpt-realtime-2x", "gpt-realtime-123"})
        EXPECT_FALSE(realtime_model_reasons(model)) << model;
}

} // namespace
} // namespace donna::relay

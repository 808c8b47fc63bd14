// elevenlabs_api.cpp: ElevenLabs requests and answers.
#include "providers/elevenlabs/elevenlabs_api.hpp"

#include "config/config.hpp"
#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace donna::relay {
namespace {

using json = nlohmann::json;

constexpr std::array pcm_formats{std::string_view("pcm_16000"), std::string_view("pcm_22050"),
                                 std::string_view("pcm_24000"), std::string_view("pcm_44100"),
                                 std::string_view("pcm_48000"), std::string_view("pcm_8000")};
constexpr std::array mp3_formats{std::string_view("mp3_22050_32"), std::string_view("mp3_44100_64"),
                                 std::string_view("mp3_44100_128")};

} // namespace

bool is_speech_output_format(std::string_view format)
{
    return std::ranges::find(pcm_formats, format) != pcm_formats.end() ||
           std::ranges::find(mp3_formats, format) != mp3_formats.end();
}

std::string speech_content_type(std::string_view format)
{
    return format.starts_with("mp3_") ? "audio/mpeg" : "application/octet-stream";
}

int pcm_format_rate(std::string_view format)
{
    if (!format.starts_with("pcm_"))
        return 0;
    int rate = 0;
    for (const char c : format.substr(4)) {
        if (c < '0' || c > '9')
            return 0;
        rate = rate * 10 + (c - '0');
    }
    return rate;
}

bool is_voice_id(std::string_view id)
{
    return !id.empty() && id.size() <= 64 && std::ranges::all_of(id, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0;
    });
}

upstream_request elevenlabs_speech_request(const config& cfg, const speech_request& request,
                                           const voice_settings& settings)
{
    const auto& voice = request.voice_id.empty() ? cfg.default_voice_id : request.voice_id;
    const json body{{"text", request.text},
                    {"model_id", cfg.voice_model},
                    {"voice_settings",
                     {{"stability", settings.stability},
                      {"similarity_boost", settings.similarity_boost},
                      {"style", settings.style},
                      {"use_speaker_boost", settings.use_speaker_boost}}}};
    const auto& format = request.output_format;
    return upstream_request{.method = "POST",
                            .url = cfg.elevenlabs_base_url + "/v1/text-to-speech/" + voice +
                                   "/stream?output_format=" + format,
                            .headers = {{"xi-api-key", cfg.elevenlabs_api_key},
                                        {"Content-Type", "application/json"},
                                        {"Accept", speech_content_type(format)}},
                            .body = dump_json(body)};
}

upstream_request elevenlabs_voices_request(const config& cfg)
{
    return upstream_request{
        .method = "GET",
        .url = cfg.elevenlabs_base_url + "/v1/voices",
        .headers = {{"xi-api-key", cfg.elevenlabs_api_key}, {"Accept", "application/json"}},
        .body = {}};
}

upstream_request elevenlabs_add_voice_request(const config& cfg, std::string content_type,
                                              std::string body)
{
    return upstream_request{.method = "POST",
                            .url = cfg.elevenlabs_base_url + "/v1/voices/add",
                            .headers = {{"xi-api-key", cfg.elevenlabs_api_key},
                                        {"Content-Type", std::move(content_type)},
                                        {"Accept", "application/json"}},
                            .body = std::move(body)};
}

std::string elevenlabs_error_message(std::string_view body)
{
    const auto doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return {};
    const auto detail = doc.find("detail");
    if (detail == doc.end())
        return {};
    if (detail->is_string())
        return detail->get<std::string>();
    if (detail->is_object())
        return json_string_member(*detail, "message");
    if (detail->is_array() && !detail->empty() && detail->front().is_object()) {
        const auto& item = detail->front();
        std::string where;
        if (const auto loc = item.find("loc"); loc != item.end() && loc->is_array())
            for (const auto& part : *loc)
                if (part.is_string())
                    where += (where.empty() ? "" : ".") + part.get<std::string>();
        const auto msg = json_string_member(item, "msg");
        return where.empty() ? msg : where + ": " + msg;
    }
    return {};
}

std::string elevenlabs_error_status(std::string_view body)
{
    const auto doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return {};
    const auto detail = doc.find("detail");
    return detail != doc.end() && detail->is_object() ? json_string_member(*detail, "status")
                                                      : std::string();
}

result<std::string> voice_list_json(std::string_view upstream_body)
{
    const auto doc = json::parse(upstream_body, nullptr, false);
    const auto fail = [] {
        return make_error(errc::invalid_json,
                          "ElevenLabs' voice list is not {\"voices\":[...]} as documented");
    };
    if (doc.is_discarded() || !doc.is_object())
        return fail();
    const auto voices = doc.find("voices");
    if (voices == doc.end() || !voices->is_array())
        return fail();
    json out = json::array();
    for (const auto& v : *voices) {
        if (!v.is_object() || json_string_member(v, "voice_id").empty())
            continue;
        json item{{"voice_id", json_string_member(v, "voice_id")},
                  {"name", json_string_member(v, "name")},
                  {"category", json_string_member(v, "category")},
                  {"description", json_string_member(v, "description")},
                  {"preview_url", json_string_member(v, "preview_url")},
                  {"labels", json::object()}};
        if (const auto tags = v.find("labels"); tags != v.end() && tags->is_object())
            for (const auto& [key, value] : tags->items())
                if (value.is_string())
                    item["labels"][key] = value;
        out.push_back(std::move(item));
    }
    return dump_json(json{{"voices", std::move(out)}});
}

} // namespace donna::relay

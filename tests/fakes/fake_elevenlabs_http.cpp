// fake_elevenlabs_http.cpp: ElevenLabs' REST API as a fake_http_server handler: routing and
// the key check, text-to-speech (validation, the synthetic audio, its chunking), the voice
// list and instant voice cloning. Runs on the server's I/O thread; the voices it adds are
// touched there only.
//
// Sections: [errors] [audio] [voices] [api] [fake_elevenlabs_http]
#include "fake_elevenlabs_http.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <map>
#include <numbers>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::fakes {

std::string fake_elevenlabs_default_key()
{
    return std::string("sk_") + "fake_elevenlabs_test_key";
}

namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view tts_prefix = "/v1/text-to-speech/";
constexpr std::string_view voices_path = "/v1/voices";
constexpr std::string_view add_voice_path = "/v1/voices/add";

// ---------------------------------------------------------------- [errors]

// FastAPI's validation answer: one item per problem.
struct invalid_field {
    json loc;
    std::string msg;
    std::string type;
};

json validation_body(const std::vector<invalid_field>& problems)
{
    json detail = json::array();
    for (const auto& p : problems)
        detail.push_back({{"loc", p.loc}, {"msg", p.msg}, {"type", p.type}});
    return {{"detail", std::move(detail)}};
}

invalid_field field_required(std::string_view field)
{
    return {json::array({"body", std::string(field)}), "field required", "value_error.missing"};
}

// The API's own refusals: {"detail":{"status","message"}}.
json status_body(std::string_view status, std::string_view message)
{
    return {{"detail", {{"status", std::string(status)}, {"message", std::string(message)}}}};
}

// ---------------------------------------------------------------- [audio]

// The output_format values the API accepts (text_to_speech_stream_request_output_format.py).
constexpr std::array<std::string_view, 21> output_formats = {
    "mp3_22050_32",  "mp3_24000_48",  "mp3_44100_32",  "mp3_44100_64",  "mp3_44100_96",
    "mp3_44100_128", "mp3_44100_192", "pcm_8000",      "pcm_16000",     "pcm_22050",
    "pcm_24000",     "pcm_32000",     "pcm_44100",     "pcm_48000",     "ulaw_8000",
    "alaw_8000",     "opus_48000_32", "opus_48000_64", "opus_48000_96", "opus_48000_128",
    "opus_48000_192"};

struct audio_format {
    bool mp3 = false; // else 16-bit PCM
    int sample_rate = 0;
    int kbps = 0; // mp3 only
};

// "pcm_16000" -> PCM at 16 kHz; nullopt for a format the fake does not make.
std::optional<audio_format> simulated_format(std::string_view name)
{
    const auto first = name.find('_');
    const auto codec = name.substr(0, first);
    if (codec != "pcm" && codec != "mp3")
        return std::nullopt;
    audio_format f;
    f.mp3 = codec == "mp3";
    const auto rest = name.substr(first + 1);
    const auto second = rest.find('_');
    f.sample_rate = std::stoi(std::string(rest.substr(0, second)));
    if (f.mp3)
        f.kbps = std::stoi(std::string(rest.substr(second + 1)));
    return f;
}

// Unicode code points, as ElevenLabs counts characters.
std::size_t characters(std::string_view text)
{
    return static_cast<std::size_t>(std::ranges::count_if(
        text, [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

// `seconds` of a 220 Hz sine at a quarter of full scale, 16-bit little-endian mono.
std::string pcm_tone(int sample_rate, double seconds)
{
    const auto samples = static_cast<std::size_t>(std::llround(sample_rate * seconds));
    std::string bytes;
    bytes.reserve(samples * 2);
    for (std::size_t i = 0; i < samples; ++i) {
        const double phase = 2.0 * std::numbers::pi * 220.0 * static_cast<double>(i) / sample_rate;
        const auto value = static_cast<std::int16_t>(std::lround(8191.0 * std::sin(phase)));
        const auto bits = static_cast<std::uint16_t>(value);
        bytes += static_cast<char>(bits & 0xFFU);
        bytes += static_cast<char>(bits >> 8U);
    }
    return bytes;
}

// One MPEG Layer III frame of silence, mono: a header (no CRC, no padding), then side
// information and main data all zero, which decodes as zero samples. MPEG-1 for 32, 44.1 and
// 48 kHz (1152 samples a frame), MPEG-2 for 16, 22.05 and 24 kHz (576).
struct mp3_frames {
    std::string frame;
    int samples_per_frame = 0;
};

mp3_frames silent_mp3_frame(const audio_format& f)
{
    const bool mpeg1 = f.sample_rate >= 32000;
    static constexpr std::array<int, 15> mpeg1_kbps = {0,   32,  40,  48,  56,  64,  80, 96,
                                                       112, 128, 160, 192, 224, 256, 320};
    static constexpr std::array<int, 15> mpeg2_kbps = {0,  8,  16, 24,  32,  40,  48, 56,
                                                       64, 80, 96, 112, 128, 144, 160};
    const auto& table = mpeg1 ? mpeg1_kbps : mpeg2_kbps;
    const auto bitrate_index =
        static_cast<unsigned>(std::ranges::find(table, f.kbps) - table.begin());
    unsigned rate_index = 0;
    if (f.sample_rate == 48000 || f.sample_rate == 24000)
        rate_index = 1;
    else if (f.sample_rate == 32000 || f.sample_rate == 16000)
        rate_index = 2;
    const int samples = mpeg1 ? 1152 : 576;
    const auto size = static_cast<std::size_t>(samples / 8 * f.kbps * 1000 / f.sample_rate);
    std::string frame(size, '\0');
    frame[0] = static_cast<char>(0xFF);
    frame[1] = static_cast<char>(mpeg1 ? 0xFB : 0xF3); // sync, version, Layer III, no CRC
    frame[2] = static_cast<char>((bitrate_index << 4U) | (rate_index << 2U));
    frame[3] = static_cast<char>(0xC0); // single channel
    return {std::move(frame), samples};
}

// The speech for `text`, cut into pieces of about 100 ms (whole frames for MP3).
std::vector<std::string> synthesize(const audio_format& f, double seconds)
{
    std::vector<std::string> pieces;
    if (!f.mp3) {
        const auto audio = pcm_tone(f.sample_rate, seconds);
        const auto piece = static_cast<std::size_t>(f.sample_rate) / 10 * 2;
        for (std::size_t at = 0; at < audio.size(); at += piece)
            pieces.push_back(audio.substr(at, piece));
        return pieces;
    }
    const auto m = silent_mp3_frame(f);
    const auto total = static_cast<std::size_t>(
        std::ceil(seconds * f.sample_rate / static_cast<double>(m.samples_per_frame)));
    const auto per_piece = static_cast<std::size_t>(
        std::max(1L, std::lround(0.1 * f.sample_rate / m.samples_per_frame)));
    for (std::size_t done = 0; done < total; done += per_piece) {
        std::string piece;
        for (std::size_t i = done; i < std::min(total, done + per_piece); ++i)
            piece += m.frame;
        pieces.push_back(std::move(piece));
    }
    return pieces;
}

// voice_settings' fields: the numbers' ranges (types/voice_settings.py and the API's docs).
std::optional<invalid_field> check_voice_settings(const json& settings)
{
    if (settings.is_null())
        return std::nullopt;
    if (!settings.is_object())
        return invalid_field{json::array({"body", "voice_settings"}), "value is not a valid dict",
                             "type_error.dict"};
    struct range {
        std::string_view name;
        double low;
        double high;
    };
    for (const auto& r : {range{"stability", 0, 1}, range{"similarity_boost", 0, 1},
                          range{"style", 0, 1}, range{"speed", 0.7, 1.2}}) {
        const auto v = settings.find(std::string(r.name));
        if (v == settings.end() || v->is_null())
            continue;
        const auto loc = json::array({"body", "voice_settings", std::string(r.name)});
        if (!v->is_number())
            return invalid_field{loc, "value is not a valid float", "type_error.float"};
        const auto x = v->get<double>();
        if (x < r.low || x > r.high)
            return invalid_field{loc,
                                 "ensure this value is between " + json(r.low).dump() + " and " +
                                     json(r.high).dump(),
                                 "value_error.number.not_in_range"};
    }
    const auto boost = settings.find("use_speaker_boost");
    if (boost != settings.end() && !boost->is_null() && !boost->is_boolean())
        return invalid_field{json::array({"body", "voice_settings", "use_speaker_boost"}),
                             "value could not be parsed to a boolean", "type_error.bool"};
    return std::nullopt;
}

// ---------------------------------------------------------------- [voices]

struct voice {
    std::string id;
    std::string name;
    std::string category; // "premade", "cloned", ...
    std::map<std::string, std::string> labels;
    std::optional<std::string> description;
    std::optional<std::int64_t> created_at_unix;
};

std::vector<voice> stock_voices()
{
    return {{donna_voice_id,
             "Donna",
             "cloned",
             {{"accent", "american"}, {"gender", "female"}, {"use_case", "conversational"}},
             "DONNA's own voice: warm, quick, professional.",
             1'700'000'000},
            {"21m00Tcm4TlvDq8ikWAM",
             "Rachel",
             "premade",
             {{"accent", "american"},
              {"description", "calm"},
              {"age", "young"},
              {"gender", "female"},
              {"use_case", "narration"}},
             std::nullopt,
             std::nullopt},
            {"pNInz6obpgDQGcFmaJgB",
             "Adam",
             "premade",
             {{"accent", "american"},
              {"description", "deep"},
              {"age", "middle aged"},
              {"gender", "male"},
              {"use_case", "narration"}},
             std::nullopt,
             std::nullopt}};
}

json voice_object(const voice& v)
{
    const bool premade = v.category == "premade";
    return {{"voice_id", v.id},
            {"name", v.name},
            {"samples", nullptr},
            {"category", v.category},
            {"fine_tuning", nullptr},
            {"labels", v.labels},
            {"description", v.description ? json(*v.description) : json(nullptr)},
            // Where the site's previews live; the fake serves none of them.
            {"preview_url", premade ? json("https://storage.googleapis.com/eleven-public-prod/"
                                           "premade/voices/" +
                                           v.id + "/preview.mp3")
                                    : json(nullptr)},
            {"available_for_tiers", json::array()},
            {"settings", nullptr},
            {"sharing", nullptr},
            {"high_quality_base_model_ids",
             json::array({"eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5"})},
            {"verified_languages", json::array()},
            {"is_owner", !premade},
            {"is_legacy", false},
            {"created_at_unix", v.created_at_unix ? json(*v.created_at_unix) : json(nullptr)}};
}

} // namespace

// ---------------------------------------------------------------- [api]

struct fake_elevenlabs_http::api : http_handler {
    explicit api(fake_elevenlabs_http_options o) : options(std::move(o)) {}

    std::optional<http_answer> admit(const recorded_request& request) override
    {
        const auto path = request.path();
        const bool tts = path.starts_with(tts_prefix) && path.size() > tts_prefix.size();
        const bool listing = path == voices_path;
        if (!tts && !listing && path != add_voice_path)
            return json_answer(404, {{"detail", "Not Found"}});
        if (request.method != (listing ? "GET" : "POST"))
            return json_answer(405, {{"detail", "Method Not Allowed"}});
        const auto key = request.headers.find("xi-api-key");
        if (key == request.headers.end() || key->second != options.api_key)
            return json_answer(401, status_body("invalid_api_key", "Invalid API key"));
        return std::nullopt;
    }

    http_answer rate_limited(int retry_after_seconds) override
    {
        auto a = json_answer(429, status_body("too_many_concurrent_requests",
                                              "Too many concurrent requests for your "
                                              "subscription. Please try again later."));
        a.headers.emplace_back("retry-after", std::to_string(retry_after_seconds));
        return a;
    }

    http_answer server_error() override
    {
        return json_answer(
            500, status_body("internal_server_error", "An internal server error occurred."));
    }

    http_answer answer(const recorded_request& request) override
    {
        const auto path = request.path();
        if (path == voices_path)
            return json_answer(200, list_voices());
        if (path == add_voice_path)
            return add_voice(request);
        return speak(request, path.substr(tts_prefix.size()));
    }

    http_answer head(int status, std::string content_type)
    {
        return {.status = status,
                .headers = {{"content-type", std::move(content_type)},
                            {"request-id", server->make_id("", 20)}}};
    }

    http_answer json_answer(int status, const json& body)
    {
        auto a = head(status, "application/json");
        a.body = body.dump();
        return a;
    }

    const voice* find_voice(const std::string& id) const
    {
        const auto found = std::ranges::find(voices, id, &voice::id);
        return found == voices.end() ? nullptr : &*found;
    }

    json list_voices() const
    {
        json list = json::array();
        for (const auto& v : voices)
            list.push_back(voice_object(v));
        return {{"voices", std::move(list)}};
    }

    // `rest` is "{voice_id}" or "{voice_id}/stream".
    http_answer speak(const recorded_request& request, std::string rest)
    {
        const bool streamed = rest.ends_with("/stream");
        if (streamed)
            rest.resize(rest.size() - 7);
        if (rest.find('/') != std::string::npos)
            return json_answer(404, {{"detail", "Not Found"}});

        const auto format_name =
            query_parameter(request.target, "output_format").value_or("mp3_44100_128");
        if (std::ranges::find(output_formats, format_name) == output_formats.end()) {
            std::string permitted;
            for (const auto f : output_formats)
                permitted +=
                    std::string(permitted.empty() ? "" : ", ") + "'" + std::string(f) + "'";
            return json_answer(
                422, validation_body(
                         {{json::array({"query", "output_format"}),
                           "value is not a valid enumeration member; permitted: " + permitted,
                           "type_error.enum"}}));
        }
        const auto format = simulated_format(format_name);
        if (!format)
            return json_answer(422, validation_body({{json::array({"query", "output_format"}),
                                                      "output_format '" + format_name +
                                                          "' is not simulated by the fake",
                                                      "value_error"}}));

        const json body = json::parse(request.body, nullptr, false);
        if (body.is_discarded() || !body.is_object())
            return json_answer(422, validation_body({{json::array({"body", 0}), "Expecting value",
                                                      "value_error.jsondecode"}}));
        const auto text = body.find("text");
        if (text == body.end() || !text->is_string() || text->get<std::string>().empty())
            return json_answer(422, validation_body({field_required("text")}));
        if (const auto settings = body.find("voice_settings"); settings != body.end())
            if (auto bad = check_voice_settings(*settings))
                return json_answer(422, validation_body({*bad}));

        if (find_voice(rest) == nullptr)
            return json_answer(404, status_body("voice_not_found", "A voice with the voice_id " +
                                                                       rest + " was not found."));
        const auto count = characters(text->get<std::string>());
        if (count > options.max_characters)
            return json_answer(
                400, status_body("max_character_limit_exceeded",
                                 "You are sending " + std::to_string(count) +
                                     " characters in a single request, over the limit of " +
                                     std::to_string(options.max_characters) + " characters."));

        const double seconds =
            static_cast<double>(count) * static_cast<double>(options.ms_per_character) / 1000.0;
        auto a = head(200, format->mp3 ? "audio/mpeg" : "application/octet-stream");
        a.headers.emplace_back("x-character-count", std::to_string(count));
        auto pieces = synthesize(*format, seconds);
        if (streamed) {
            a.chunked = true;
            a.chunks = std::move(pieces);
        } else {
            for (const auto& p : pieces)
                a.body += p;
        }
        return a;
    }

    http_answer add_voice(const recorded_request& request)
    {
        std::vector<invalid_field> problems;
        const auto* name = request.part("name");
        if (name == nullptr || name->data.empty())
            problems.push_back(field_required("name"));
        const bool has_files = std::ranges::any_of(request.parts, [](const form_part& p) {
            return p.name == "files" && !p.filename.empty();
        });
        if (!has_files)
            problems.push_back(field_required("files"));
        voice added;
        if (const auto* labels = request.part("labels"); labels != nullptr) {
            const auto parsed = json::parse(labels->data, nullptr, false);
            const bool strings =
                parsed.is_object() && std::ranges::all_of(parsed.items(), [](const auto& item) {
                    return item.value().is_string();
                });
            if (!strings)
                problems.push_back({json::array({"body", "labels"}),
                                    "labels must be a JSON object of strings", "value_error"});
            else
                for (const auto& item : parsed.items())
                    added.labels[item.key()] = item.value().template get<std::string>();
        }
        if (!problems.empty())
            return json_answer(422, validation_body(problems));
        added.id = server->make_id("", 20);
        added.name = name->data;
        added.category = "cloned";
        if (const auto* description = request.part("description"))
            added.description = description->data;
        added.created_at_unix = static_cast<std::int64_t>(std::time(nullptr));
        voices.push_back(added);
        return json_answer(200, {{"voice_id", added.id}, {"requires_verification", false}});
    }

    const fake_elevenlabs_http_options options;
    std::vector<voice> voices = stock_voices(); // I/O thread only
};

// ---------------------------------------------------------------- [fake_elevenlabs_http]

fake_elevenlabs_http::fake_elevenlabs_http(const fake_elevenlabs_http_options& options)
    : fake_http_server(std::make_unique<api>(options),
                       {.name = "donna-fake-elevenlabs",
                        .tls = options.tls,
                        .fault = options.fault,
                        .fault_count = options.fault_count,
                        .retry_after_seconds = options.retry_after_seconds,
                        .chunk_interval = std::chrono::milliseconds(0)})
{}

std::string fake_elevenlabs_http::base_url() const
{
    return origin();
}

int fake_elevenlabs_http::voice_list_requests() const
{
    const auto all = requests();
    return static_cast<int>(std::ranges::count_if(all, [](const recorded_request& r) {
        return r.method == "GET" && r.path() == voices_path;
    }));
}

} // namespace donna::fakes

// base64.cpp: strict RFC 4648 encoder and decoder.
#include "audio/base64.hpp"

#include <array>

namespace donna {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table()
{
    std::array<std::uint8_t, 256> table{};
    table.fill(invalid);
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    return table;
}

constexpr auto decode_table = make_decode_table();

error bad_input(std::size_t offset, const char* what)
{
    return make_error(errc::invalid_base64,
                      std::string(what) + " at offset " + std::to_string(offset));
}

} // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v =
            (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t v =
            (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

result<std::vector<std::uint8_t>> base64_decode(std::string_view text)
{
    if (text.size() % 4 != 0)
        return make_error(errc::invalid_base64,
                          "length " + std::to_string(text.size()) + " is not a multiple of 4");

    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') {
        padding = text[text.size() - 2] == '=' ? 2 : 1;
    }
    const std::size_t data_chars = text.size() - padding;

    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < data_chars; ++i) {
        const std::uint8_t v = decode_table[static_cast<unsigned char>(text[i])];
        if (v == invalid)
            return bad_input(i, text[i] == '=' ? "padding before the end" : "invalid character");
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
        }
    }
    // RFC 4648 section 3.5: the bits left over in the last group must be zero.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return bad_input(data_chars - 1, "non-zero trailing bits");
    return out;
}

} // namespace donna

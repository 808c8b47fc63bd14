// sodium_base64.cpp: sodium_bin2base64 / sodium_base642bin with the variant each use needs.
#include "auth/sodium_base64.hpp"

#include <sodium.h>

namespace donna::relay {
namespace {

std::optional<std::vector<unsigned char>> decode(std::string_view text, int variant)
{
    std::vector<unsigned char> bytes(text.size() * 3 / 4 + 1);
    std::size_t size = 0;
    // b64_end == nullptr makes libsodium reject any character it did not consume.
    if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &size,
                          nullptr, variant) != 0)
        return std::nullopt;
    bytes.resize(size);
    return bytes;
}

} // namespace

std::string base64url_encode(const unsigned char* bytes, std::size_t size)
{
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string text(sodium_base64_ENCODED_LEN(size, variant), '\0');
    sodium_bin2base64(text.data(), text.size(), bytes, size, variant);
    text.resize(text.size() - 1); // the terminating NUL
    return text;
}

std::optional<std::vector<unsigned char>> base64url_decode(std::string_view text)
{
    return decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::vector<unsigned char>> base64_standard_decode(std::string_view text)
{
    return decode(text, sodium_base64_VARIANT_ORIGINAL);
}

} // namespace donna::relay

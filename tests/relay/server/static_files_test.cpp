#include "server/static_files.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

TEST(StaticFiles, RootAndDirectoriesServeIndexHtml)
{
    EXPECT_EQ(resolve_static_path("/srv", "/"), "/srv/index.html");
    EXPECT_EQ(resolve_static_path("/srv/", "/docs/"), "/srv/docs/index.html");
    EXPECT_EQ(resolve_static_path("/srv", "/donna.wasm?v=3"), "/srv/donna.wasm");
    EXPECT_EQ(resolve_static_path("/srv", "/a%20b.js"), "/srv/a b.js");
}

TEST(StaticFiles, RejectsEveryWayOutOfTheWebRoot)
{
    const char* hostile[] = {
        "/../etc/passwd",
        "/a/../../etc/passwd",
        "/..",
        "/./index.html",
        "//etc/passwd",
        "/a//b",
        "/%2e%2e/etc/passwd",
        "/%2E%2E%2Fetc",
        "/a%2fb",
        "/a%5c..%5cb",
        "/a\\b",
        "/%00",
        "/%",
        "/%4",
        "/%zz",
        "relative",
        "",
        "*",
    };
    for (const char* target : hostile)
        EXPECT_FALSE(resolve_static_path("/srv", target)) << target;
}

TEST(StaticFiles, MediaTypesIncludeWasm)
{
    EXPECT_EQ(media_type("/srv/donna.wasm"), "application/wasm");
    EXPECT_EQ(media_type("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(media_type("donna.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(media_type("/a.b/README"), "application/octet-stream");
    EXPECT_EQ(media_type("blob.xyz"), "application/octet-stream");
}

} // namespace
} // namespace donna::relay

// boost_compiled.cpp: Asio (with its SSL part) and Beast compiled once per build tree.
//
// Every target that includes Asio or Beast is built with BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION (set on donna::boost in cmake/donna_dependencies.cmake),
// so their headers declare the libraries' non-template functions instead of defining them
// inline; this file is the one place they are defined. Without it each of the relay's and the
// tests' Asio translation units compiled (and the linker then discarded) its own copy.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

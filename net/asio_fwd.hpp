// Namespace aliases and the awaitable alias shared by every folder.
// Headers include this instead of spelling boost::asio everywhere; no Beast here, so business
// logic headers stay cheap to compile.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace alertbot {
namespace asio = boost::asio;

template <class T>
using awaitable = boost::asio::awaitable<T>;
}  // namespace alertbot

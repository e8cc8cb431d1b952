// TZif parsing (RFC 8536) and the POSIX TZ rule of its footer (the "Mm.w.d" form every IANA zone
// uses; a footer in another form leaves the last transition's offset in force).
#include "bot/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace alertbot::bot {
namespace {

using std::chrono::seconds;
using namespace std::chrono;

constexpr std::size_t kMaxTzifBytes = 1 << 20;

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool has(std::size_t n) const { return data_.size() - pos_ >= n; }
  std::int64_t be(std::size_t n) {  // big-endian signed integer of n bytes
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += n;
    if (n < 8 && (v >> (8 * n - 1)) != 0) v |= ~std::uint64_t{0} << (8 * n);  // sign-extend
    return static_cast<std::int64_t>(v);
  }
  void skip(std::size_t n) { pos_ += n; }
  std::string_view rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

struct Counts {
  std::int64_t isut, isstd, leap, time, type, chars;
};

bool read_header(Reader& r, char& version, Counts& c) {
  if (!r.has(44) || r.rest().substr(0, 4) != "TZif") return false;
  r.skip(4);
  version = r.rest()[0];
  r.skip(16);
  c = Counts{r.be(4), r.be(4), r.be(4), r.be(4), r.be(4), r.be(4)};
  return c.isut >= 0 && c.isstd >= 0 && c.leap >= 0 && c.time >= 0 && c.type > 0 && c.chars >= 0;
}

std::size_t block_size(const Counts& c, std::size_t time_bytes) {
  return c.time * time_bytes + c.time + c.type * 6 + c.chars + c.leap * (time_bytes + 4) + c.isstd + c.isut;
}

// POSIX TZ pieces: a name ("CET" or "<+0330>"), an offset "[+-]hh[:mm[:ss]]" (west positive).
bool parse_name(std::string_view& s) {
  if (s.starts_with('<')) {
    auto close = s.find('>');
    if (close == std::string_view::npos) return false;
    s.remove_prefix(close + 1);
    return true;
  }
  std::size_t n = 0;
  while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
  s.remove_prefix(n);
  return n >= 3;
}

bool parse_number(std::string_view& s, std::int64_t& out) {
  std::size_t n = 0;
  out = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n])) && n < 6) out = out * 10 + (s[n++] - '0');
  s.remove_prefix(n);
  return n > 0;
}

bool parse_hms(std::string_view& s, std::int64_t& out) {
  std::int64_t sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  std::int64_t h = 0, m = 0, sec = 0;
  if (!parse_number(s, h)) return false;
  if (s.starts_with(':')) {
    s.remove_prefix(1);
    if (!parse_number(s, m)) return false;
    if (s.starts_with(':')) {
      s.remove_prefix(1);
      if (!parse_number(s, sec)) return false;
    }
  }
  out = sign * (h * 3600 + m * 60 + sec);
  return true;
}

// Local midnight of the rule's day in `year`, as seconds of a local timeline.
std::int64_t rule_day(int y, unsigned month, unsigned week, unsigned wd) {
  const year_month ym = year{y} / std::chrono::month{month};
  const sys_days day = week >= 5 ? sys_days(ym / weekday_last(weekday{wd})) : sys_days(ym / weekday{wd}[week]);
  return duration_cast<seconds>(day.time_since_epoch()).count();
}

}  // namespace

TimeZone TimeZone::utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  tz.offsets_ = {0};
  return tz;
}

Result<TimeZone> TimeZone::load(std::string_view name, const std::string& dir) {
  if (name == "UTC" || name == "Etc/UTC") return utc();
  if (name.empty() || name.starts_with('/') || name.find("..") != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return fail(Errc::InvalidArgument, "time zone '" + std::string(name) + "': not an IANA zone name");
  }
  const std::string path = dir + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::NotFound, "time zone '" + std::string(name) + "': no file " + path);
  std::string bytes(kMaxTzifBytes, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return parse(std::string(name), bytes);
}

Result<TimeZone> TimeZone::parse(std::string name, std::string_view tzif) {
  auto bad = [&](const std::string& why) { return fail(Errc::ParseError, "time zone '" + name + "': " + why); };
  Reader r(tzif);
  char version = 0;
  Counts c{};
  if (!read_header(r, version, c)) return bad("not a TZif file");
  if (version < '2') return bad("TZif version 1 has no 64-bit data");
  if (!r.has(block_size(c, 4))) return bad("truncated");
  r.skip(block_size(c, 4));
  if (!read_header(r, version, c) || !r.has(block_size(c, 8))) return bad("truncated version 2 data");
  TimeZone tz;
  tz.name_ = std::move(name);
  for (std::int64_t i = 0; i < c.time; ++i) tz.transitions_.push_back(r.be(8));
  for (std::int64_t i = 0; i < c.time; ++i) {
    const auto type = r.be(1) & 0xff;
    if (type >= c.type) return bad("transition names a missing type");
    tz.transition_types_.push_back(static_cast<std::uint8_t>(type));
  }
  for (std::int64_t i = 0; i < c.type; ++i) {
    tz.offsets_.push_back(r.be(4));
    r.skip(2);  // isdst, abbreviation index
  }
  if (!std::is_sorted(tz.transitions_.begin(), tz.transitions_.end())) return bad("transitions out of order");
  r.skip(c.chars + c.leap * 12 + c.isstd + c.isut);
  std::string_view footer = r.rest();
  if (footer.starts_with('\n')) {
    footer.remove_prefix(1);
    footer = footer.substr(0, footer.find('\n'));
    parse_footer(footer, tz.footer_);
  }
  return tz;
}

bool TimeZone::parse_footer(std::string_view tz, Footer& out) {
  std::string_view s = tz;
  Footer f;
  std::int64_t west = 0;
  if (!parse_name(s) || !parse_hms(s, west)) return false;
  f.std_offset = -west;
  if (!s.empty()) {
    if (!parse_name(s)) return false;
    f.has_dst = true;
    f.dst_offset = f.std_offset + 3600;
    if (!s.empty() && s[0] != ',') {
      if (!parse_hms(s, west)) return false;
      f.dst_offset = -west;
    }
    for (Rule* rule : {&f.start, &f.end}) {
      std::int64_t m = 0, w = 0, d = 0;
      if (!s.starts_with(",M")) return false;
      s.remove_prefix(2);
      if (!parse_number(s, m) || !s.starts_with('.')) return false;
      s.remove_prefix(1);
      if (!parse_number(s, w) || !s.starts_with('.')) return false;
      s.remove_prefix(1);
      if (!parse_number(s, d)) return false;
      if (m < 1 || m > 12 || w < 1 || w > 5 || d > 6) return false;
      *rule = Rule{static_cast<unsigned>(m), static_cast<unsigned>(w), static_cast<unsigned>(d), 7200};
      if (s.starts_with('/')) {
        s.remove_prefix(1);
        if (!parse_hms(s, rule->time)) return false;
      }
    }
  }
  if (!s.empty()) return false;
  f.valid = true;
  out = f;
  return true;
}

std::int64_t TimeZone::footer_offset(std::int64_t utc) const {
  if (!footer_.has_dst) return footer_.std_offset;
  const auto local_day = floor<days>(sys_seconds(seconds(utc + footer_.std_offset)));
  const int y = static_cast<int>(year_month_day(local_day).year());
  // DST starts at start.time of standard time and ends at end.time of daylight time.
  const std::int64_t start = rule_day(y, footer_.start.month, footer_.start.week, footer_.start.weekday) +
                             footer_.start.time - footer_.std_offset;
  const std::int64_t end =
      rule_day(y, footer_.end.month, footer_.end.week, footer_.end.weekday) + footer_.end.time - footer_.dst_offset;
  const bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
  return dst ? footer_.dst_offset : footer_.std_offset;
}

std::chrono::seconds TimeZone::offset_at(Seconds utc) const {
  const std::int64_t t = utc.time_since_epoch().count();
  if (transitions_.empty() || t < transitions_.front()) {
    if (transitions_.empty() && footer_.valid) return seconds(footer_offset(t));
    return seconds(offsets_.front());
  }
  if (t >= transitions_.back() && footer_.valid) return seconds(footer_offset(t));
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  const std::size_t i = static_cast<std::size_t>(it - transitions_.begin()) - 1;
  return seconds(offsets_[transition_types_[i]]);
}

TimeZone::Seconds TimeZone::to_utc(Seconds local) const {
  // Offsets change at most once within a day on either side of any real zone's wall time.
  const seconds before = offset_at(local - days(1));
  const seconds after = offset_at(local + days(1));
  const Seconds a = local - before;
  const Seconds b = local - after;
  const bool a_ok = offset_at(a) == before;
  const bool b_ok = offset_at(b) == after;
  if (a_ok && b_ok) return std::min(a, b);
  if (b_ok) return b;
  return a;  // valid, or inside a skipped hour: read with the offset before the jump
}

}  // namespace alertbot::bot

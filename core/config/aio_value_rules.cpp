#include "config/aio_value_rules.h"
#include "util/json_text.h"

#include "util/byte_size.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace aiotune {

namespace {

using Severity = AioValueVerdict::Severity;

std::string quote(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}


std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

template <typename J> std::string shownAs(const J& v) {
    if (v.is_string()) return "is the string " + shortJsonText(v);
    if (v.is_null()) return "is null";
    if (v.is_boolean()) return std::string("is ") + (v.template get<bool>() ? "true" : "false");
    if (v.is_array()) return "is a list (" + shortJsonText(v) + ")";
    if (v.is_object()) return "is an object (" + shortJsonText(v) + ")";
    if (v.is_number_float()) return "is the fractional number " + shortJsonText(v);
    return "is " + shortJsonText(v);
}

std::string_view exampleFor(std::string_view key) {
    if (key == "block_size") return "1048576";
    if (key == "queue_depth") return "8";
    return "1";
}

std::optional<std::uint64_t> wholeNumberText(const std::string& s) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return n;
}

AioValueVerdict refused(std::string what, std::string effect, std::string fix) {
    AioValueVerdict v;
    v.severity = Severity::Error;
    v.usable = false;
    v.what = std::move(what);
    v.effect = std::move(effect);
    v.fix = std::move(fix);
    return v;
}

template <typename J> AioValueVerdict judgeInteger(std::string_view key, const J& value) {
    const std::string takesOnly =
        "DeepSpeed passes it unconverted to its async_io op, whose pybind11 binding takes only an "
        "integer there: NVMe swapping fails to start";
    const std::string example(exampleFor(key));
    AioValueVerdict v;
    if (value.is_number_integer()) {
        const bool tooLarge = value.is_number_unsigned()
                                  ? value.template get<std::uint64_t>() > std::uint64_t(kAioIntMax)
                                  : value.template get<std::int64_t>() > kAioIntMax ||
                                        value.template get<std::int64_t>() < -kAioIntMax - 1;
        if (tooLarge) {
            v = refused(shownAs(value),
                        "beyond 2147483647, the largest value DeepSpeed's async_io op takes (a C "
                        "int): pybind11 refuses it and NVMe swapping fails to start",
                        "use a value of at most 2147483647, e.g. " + example);
            v.outOfRange = true;
            return v;
        }
        v.integer = value.template get<std::int64_t>();
        return v;
    }
    if (value.is_boolean()) {
        // bool is an int subclass in Python: pybind11 takes it as 0 or 1.
        const bool b = value.template get<bool>();
        v.severity = Severity::Warning;
        v.integer = b ? 1 : 0;
        v.what = shownAs(value);
        v.effect =
            std::string("DeepSpeed's async_io op takes it as the integer ") + (b ? "1" : "0");
        v.fix = "write a whole number, e.g. " + example;
        return v;
    }
    if (value.is_number_float()) {
        const double d = value.template get<double>();
        const bool whole = std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18;
        return refused(shownAs(value), takesOnly,
                       whole ? "write " + std::to_string(static_cast<long long>(d)) +
                                   " (no decimal point or exponent)"
                             : "write a whole number, e.g. " + example);
    }
    if (value.is_string()) {
        std::string fix = "write a whole number without quotes, e.g. " + example;
        const std::string s = value.template get<std::string>();
        if (auto n = wholeNumberText(s))
            fix = "write " + std::to_string(*n) + " without quotes";
        else if (key == "block_size")
            if (auto bytes = parseByteSize(s); bytes.ok())
                fix = "write " + std::to_string(*bytes) + " without quotes";
        return refused(shownAs(value), takesOnly, fix);
    }
    if (value.is_null())
        return refused(shownAs(value),
                       "DeepSpeed passes null on (the key is present, so its default is not "
                       "used) and its async_io op refuses it: NVMe swapping fails to start",
                       "remove the key to get the default, or write e.g. " + example);
    return refused(shownAs(value), takesOnly, "write a whole number, e.g. " + example);
}

template <typename J> AioValueVerdict judgeHandleFlag(const J& value) {
    AioValueVerdict v;
    if (value.is_boolean()) {
        v.flag = value.template get<bool>();
        return v;
    }
    if (value.is_null() || value.is_number()) {
        // pybind11's bool caster (convert pass): None is false, numbers by truth.
        const bool truth = value.is_null()              ? false
                           : value.is_number_float()    ? value.template get<double>() != 0.0
                           : value.is_number_unsigned() ? value.template get<std::uint64_t>() != 0
                                                        : value.template get<std::int64_t>() != 0;
        const bool plain = value.is_null() || value == J(0) || value == J(1);
        v.severity = plain ? Severity::Note : Severity::Warning;
        v.flag = truth;
        v.what = shownAs(value);
        v.effect = std::string("DeepSpeed's async_io op (pybind11) takes it as ") +
                   (truth ? "true" : "false") +
                   (value.is_null() ? "" : " (0 is false, any other number true)");
        v.fix = std::string("write ") + (truth ? "true" : "false");
        return v;
    }
    std::string fix = "write true or false";
    if (value.is_string()) {
        const std::string s = lower(value.template get<std::string>());
        if (s == "true" || s == "false") fix = "write " + s + " without quotes";
    }
    return refused(shownAs(value),
                   "DeepSpeed passes it unconverted to its async_io op, whose pybind11 binding "
                   "refuses it where a boolean belongs: NVMe swapping fails to start",
                   fix);
}

template <typename J> bool pythonTruth(const J& value) {
    if (value.is_null()) return false;
    if (value.is_boolean()) return value.template get<bool>();
    if (value.is_number_float()) return value.template get<double>() != 0.0;
    if (value.is_number_unsigned()) return value.template get<std::uint64_t>() != 0;
    if (value.is_number_integer()) return value.template get<std::int64_t>() != 0;
    if (value.is_string()) return !value.template get<std::string>().empty();
    return !value.empty(); // list or object
}

template <typename J> AioValueVerdict judgeTruthTested(const J& value) {
    AioValueVerdict v;
    const bool truth = pythonTruth(value);
    v.flag = truth;
    if (value.is_boolean()) return v;
    v.what = shownAs(value);
    v.fix = std::string("write ") + (truth ? "true" : "false");
    if (value.is_string()) {
        const std::string s = lower(value.template get<std::string>());
        const bool saysFalse = s == "false" || s == "0" || s == "no" || s == "off";
        v.effect = truth ? "DeepSpeed only truth-tests use_gds, and a non-empty string is true: "
                           "GPUDirect Storage is turned ON"
                         : "DeepSpeed only truth-tests use_gds; an empty string is false";
        if (saysFalse) {
            v.severity = Severity::Error; // meant off, runs with GDS on (or fails without it)
            v.fix = "write false without quotes";
        } else {
            v.severity = truth ? Severity::Warning : Severity::Note;
            v.fix = truth ? "write true without quotes" : "write false";
        }
        return v;
    }
    v.severity = truth ? Severity::Warning : Severity::Note;
    v.effect = std::string("DeepSpeed only truth-tests use_gds, so it reads this as ") +
               (truth ? "true: GPUDirect Storage is turned ON" : "false");
    return v;
}

template <typename J> AioValueVerdict judge(std::string_view key, const J& value) {
    const auto kind = aioValueKind(key);
    if (!kind) return {};
    switch (*kind) {
    case AioValueKind::Integer:
        return judgeInteger(key, value);
    case AioValueKind::HandleFlag:
        return judgeHandleFlag(value);
    case AioValueKind::TruthTested:
        return judgeTruthTested(value);
    }
    return {};
}

} // namespace

std::optional<AioValueKind> aioValueKind(std::string_view key) {
    if (key == "block_size" || key == "queue_depth" || key == "intra_op_parallelism" ||
        key == "thread_count")
        return AioValueKind::Integer;
    if (key == "single_submit" || key == "overlap_events") return AioValueKind::HandleFlag;
    if (key == "use_gds") return AioValueKind::TruthTested;
    return std::nullopt;
}

AioValueVerdict judgeAioValue(std::string_view key, const nlohmann::ordered_json& value) {
    return judge(key, value);
}

AioValueVerdict judgeAioValue(std::string_view key, const nlohmann::json& value) {
    return judge(key, value);
}

std::string describeAioValue(std::string_view key, const AioValueVerdict& verdict) {
    std::string text = "\"aio\" setting " + quote(key) + " " + verdict.what;
    if (!verdict.effect.empty()) text += (verdict.outOfRange ? ", " : "; ") + verdict.effect;
    return text;
}

} // namespace aiotune

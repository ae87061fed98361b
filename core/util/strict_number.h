#pragma once
// Numbers read from text other programs wrote (DeepSpeed's logs), as strictly
// as Python's float() reads them: DeepSpeed's parser
// (deepspeed/nvme/parse_nvme_stats.py, get_metric, v0.19.5) takes
// float(line.split()[-2]). "0x10", "1.5.5" and "2.5junk" are not numbers
// there, so they are not here either (std::from_chars would read 0, 1.5 and
// 2.5 and stop).
#include "util/result.h"

#include <string_view>

namespace aiotune {

// Python float() syntax in ASCII: optional sign, digits with an optional
// fraction or a fraction alone, an optional exponent; "nan", "inf" and
// "infinity" in any case. Digit-group underscores and non-ASCII digits, which
// Python also takes, are refused with a reason: no benchmark writes them.
// The value may be infinite or NaN; the caller judges plausibility.
Result<double> parsePythonFloat(std::string_view text);

} // namespace aiotune

#include "cli_args.h"

#include <algorithm>
#include <sstream>

namespace aiotune::cli {

namespace {
std::string canonical(std::string name) {
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}
} // namespace

std::optional<Args> Args::parse(const std::vector<std::string>& argv,
                                const std::vector<FlagSpec>& specs, std::string& error) {
    Args args;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (arg.rfind("--", 0) != 0 || arg == "--") {
            args.m_positional.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        name = canonical(name);
        const auto spec = std::find_if(specs.begin(), specs.end(),
                                       [&](const FlagSpec& s) { return s.name == name; });
        if (spec == specs.end()) {
            error = "unknown option --" + name + " (see --help)";
            return std::nullopt;
        }
        auto& slot = args.m_values[name];
        if (!spec->takesValue) {
            if (inlineValue) {
                error = "option --" + name + " takes no value";
                return std::nullopt;
            }
            slot.push_back("true");
            continue;
        }
        if (inlineValue) {
            slot.push_back(*inlineValue);
            continue;
        }
        std::size_t taken = 0;
        while (i + 1 < argv.size() && argv[i + 1].rfind("--", 0) != 0) {
            slot.push_back(argv[++i]);
            ++taken;
            if (!spec->multiValue) break;
        }
        if (taken == 0) {
            error = "option --" + name + " needs a value (" + spec->valueName + ")";
            return std::nullopt;
        }
    }
    return args;
}

std::string Args::value(const std::string& name, const std::string& fallback) const {
    const auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty()) return fallback;
    return it->second.back();
}

std::vector<std::string> Args::values(const std::string& name) const {
    std::vector<std::string> out;
    const auto it = m_values.find(name);
    if (it == m_values.end()) return out;
    for (const auto& v : it->second) {
        std::stringstream ss(v);
        std::string item;
        while (std::getline(ss, item, ','))
            if (!item.empty()) out.push_back(item);
    }
    return out;
}

std::string formatHelp(const std::string& usage, const std::string& summary,
                       const std::vector<FlagSpec>& specs) {
    std::ostringstream out;
    out << "Usage: " << usage << "\n\n" << summary << "\n\nOptions:\n";
    for (const auto& s : specs) {
        std::string left = "  --" + s.name;
        if (s.takesValue) left += " " + s.valueName + (s.multiValue ? "..." : "");
        out << left;
        out << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << s.help << "\n";
    }
    out << "  --help" << std::string(24, ' ') << "show this help\n";
    return out.str();
}

} // namespace aiotune::cli

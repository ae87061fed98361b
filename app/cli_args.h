#pragma once
// A small command-line reader that accepts DeepSpeed's flag spellings:
// "--io_size 400M", "--io-size=400M", repeated or comma-separated lists
// ("--block_size 128K,1M" or "--block_size 128K 1M"), and boolean switches.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aiotune::cli {

struct FlagSpec {
    std::string name;       // canonical, with underscores: "io_size"
    bool takesValue = true; // false: a switch such as --read
    bool multiValue = false;// true: collects every value up to the next flag
    std::string help;       // one line for --help
    std::string valueName = "VALUE";
};

class Args {
public:
    // Parses argv after the subcommand. Errors name the offending flag.
    static std::optional<Args> parse(const std::vector<std::string>& argv,
                                     const std::vector<FlagSpec>& specs, std::string& error);

    bool has(const std::string& name) const { return m_values.count(name) > 0; }
    // The last value given (single-valued flags), or fallback.
    std::string value(const std::string& name, const std::string& fallback = {}) const;
    // Every value given, comma lists split: "--d 8,32 --d 64" -> 8, 32, 64.
    std::vector<std::string> values(const std::string& name) const;
    const std::vector<std::string>& positional() const { return m_positional; }

private:
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positional;
};

// "Usage: aiotune <command> ..." followed by one line per flag.
std::string formatHelp(const std::string& usage, const std::string& summary,
                       const std::vector<FlagSpec>& specs);

} // namespace aiotune::cli

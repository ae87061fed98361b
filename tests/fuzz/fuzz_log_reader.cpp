// libFuzzer target for the DeepSpeed log reader: a log folder comes from any
// machine and any DeepSpeed version, so no file name or body may crash it.
//
// Input: sections separated by NUL bytes, each "file name\nbody". The first
// section's name and body go straight to parseFileName / parseBody; when the
// first byte is odd, every section is also written into a real temporary log
// folder (read*/write* names into DeepSpeed's two subfolders, "sweep.json" at
// the top) and the whole folder is read.
#include "results/log_folder_reader.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace aiotune;

namespace {

const fs::path& workFolder() {
    static const fs::path folder = [] {
        // run_fuzzers.sh gives a folder it removes afterwards (in memory when
        // it can); by hand, /dev/shm or /tmp.
        const char* parent = std::getenv("AIOTUNE_FUZZ_WORKDIR");
        std::string tmpl = parent && *parent                 ? parent
                           : ::access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                                                             : "/tmp";
        tmpl += "/aiotune-fuzz-logs-XXXXXX";
        const char* made = ::mkdtemp(tmpl.data());
        if (!made) std::abort();
        return fs::path(made);
    }();
    return folder;
}

struct Section {
    std::string_view name;
    std::string_view body;
};

std::vector<Section> split(std::string_view input) {
    std::vector<Section> out;
    while (!input.empty() && out.size() < 64) {
        const std::size_t end = input.find('\0');
        std::string_view part = input.substr(0, end);
        const std::size_t nl = part.find('\n');
        out.push_back({part.substr(0, nl),
                       nl == std::string_view::npos ? std::string_view() : part.substr(nl + 1)});
        if (end == std::string_view::npos) break;
        input.remove_prefix(end + 1);
    }
    return out;
}

// Checks that hold for every figure the reader accepts.
void checkFigures(const LogFileFigures& f) {
    if (f.e2eGiBps && !(*f.e2eGiBps == *f.e2eGiBps)) std::abort(); // NaN must not pass as a speed
}

void readAsFolder(const std::vector<Section>& sections) {
    const fs::path root = workFolder();
    std::error_code ec;
    fs::create_directories(root / kReadLogDir, ec);
    fs::create_directories(root / kWriteLogDir, ec);
    for (const Section& s : sections) {
        std::string name(s.name);
        if (name.empty() || name.size() > 200 || name == "." || name == ".." ||
            name.find('/') != std::string::npos)
            continue;
        fs::path where = root;
        if (name.rfind("read", 0) == 0)
            where /= kReadLogDir;
        else if (name.rfind("write", 0) == 0)
            where /= kWriteLogDir;
        std::ofstream(where / name, std::ios::binary)
            .write(s.body.data(), static_cast<std::streamsize>(s.body.size()));
    }
    const LogFolderReader reader;
    auto all = reader.read(root);
    if (all) {
        for (const ConfigResult& c : all->configs) {
            if (c.samples.empty()) std::abort(); // a configuration exists only through its samples
            if (c.hasBoth() && !(c.readGiBps && c.writeGiBps)) std::abort();
        }
    }
    (void)reader.readDeepSpeedLogs(root);
    (void)reader.read(root / kReadLogDir);
    fs::remove_all(root, ec); // libFuzzer may end with _Exit: leave nothing behind
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 1 << 16) return -1;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::vector<Section> sections = split(input);
    if (sections.empty()) return 0;

    auto name = LogFolderReader::parseFileName(sections[0].name);
    if (name && name->key.folders < 1) std::abort();
    for (IoOp op : {IoOp::Read, IoOp::Write})
        checkFigures(LogFolderReader::parseBody(sections[0].body, op));
    for (const Section& s : sections)
        (void)LogFolderReader::parseFileName(s.name);

    if (size > 0 && (data[0] & 1)) readAsFolder(sections);
    return 0;
}

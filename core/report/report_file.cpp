#include "report/report_file.h"
#include "util/printable_text.h"

#include "results/log_folder_reader.h"
#include "results/sweep_file.h"

#include <fstream>
#include <set>
#include <vector>

namespace aiotune {

namespace fs = std::filesystem;

namespace {

// A user's name in a message: one line, its control characters escaped.
std::string quoted(const fs::path& p) { return "\"" + printableName(p.string()) + "\""; }

// The same file whatever the spelling: symlinks, "..", relative paths.
fs::path normalized(const fs::path& p) {
    std::error_code ec;
    fs::path n = fs::weakly_canonical(fs::absolute(p, ec), ec);
    return ec ? p.lexically_normal() : n;
}

const char* typeName(fs::file_type t) {
    switch (t) {
    case fs::file_type::directory: return "a folder";
    case fs::file_type::block: return "a block device";
    case fs::file_type::character: return "a character device";
    case fs::file_type::fifo: return "a FIFO";
    case fs::file_type::socket: return "a socket";
    case fs::file_type::symlink: return "a symbolic link";
    default: return "not a regular file";
    }
}

// Whether `target` (normalized) is one of the files the results were read
// from. The reader names them relative to the folder it resolved (the one
// holding both DeepSpeed subfolders), which may be the folder given, its
// parent or its _aio_bench_logs: each is tried. Names are compared as text,
// so ten thousand logs cost no system call each; a hard link (another name
// for the same file) is looked for only when the target has one.
bool isInputFile(const fs::path& target, const fs::path& output, const fs::path& logFolder, const ResultSet& inputs) {
    std::vector<fs::path> bases;
    if (!logFolder.empty()) {
        const fs::path folder = normalized(logFolder);
        bases = {folder, folder / kDefaultLogDir};
        if (folder.filename() == kReadLogDir || folder.filename() == kWriteLogDir) bases.push_back(folder.parent_path());
    }
    std::set<std::string> names{std::string(kSweepFileName)};
    for (const auto& c : inputs.configs)
        for (const auto& s : c.samples)
            if (!s.sourceFile.empty()) names.insert(fs::path(s.sourceFile).lexically_normal().string());
    for (const auto& s : inputs.skipped)
        if (!s.file.empty()) names.insert(fs::path(s.file).lexically_normal().string());

    for (const auto& base : bases) {
        const fs::path rel = target.lexically_relative(base);
        if (!rel.empty() && *rel.begin() != ".." && names.count(rel.string())) return true;
    }
    for (const auto& name : names)
        if (fs::path(name).is_absolute() && normalized(name) == target) return true;

    std::error_code ec;
    if (fs::hard_link_count(output, ec) > 1 && !ec)
        for (const auto& name : names)
            for (const auto& base : fs::path(name).is_absolute() ? std::vector<fs::path>{fs::path()} : bases)
                if (fs::equivalent(base / name, output, ec)) return true;
    return false;
}

// An existing aiotune report may be replaced without a backup: it is ours.
bool isAiotuneReport(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head.find("<meta name=\"generator\" content=\"aiotune ") != std::string::npos;
}

} // namespace

Result<void> checkNotAnInput(const fs::path& output, const fs::path& logFolder, const ResultSet& inputs) {
    const fs::path target = normalized(output);
    const fs::path parentName = target.parent_path().filename();
    if (parentName == kReadLogDir || parentName == kWriteLogDir)
        return makeError(quoted(output) + " is inside the DeepSpeed log folder " + quoted(target.parent_path()) +
                         ", where it would be read as a broken log: write it elsewhere");
    if (isInputFile(target, output, logFolder, inputs))
        return makeError(quoted(output) + " is one of the logs being read (" + quoted(logFolder) +
                         "): aiotune never writes into what it reads; choose another name");
    return {};
}

Result<void> checkReportOutput(const fs::path& output, const fs::path& logFolder, const ResultSet& inputs,
                               const ReportFileOptions& options) {
    if (output.empty() || output.filename().empty() || output.filename() == "." || output.filename() == "..")
        return makeError("no report file named" + (output.empty() ? std::string() : " (" + quoted(output) + ")") +
                         ": give a file name such as report.html");
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(output, ec);
    if (ec && status.type() != fs::file_type::not_found)
        return makeError("cannot inspect " + quoted(output) + ": " + ec.message());
    const bool exists = status.type() != fs::file_type::not_found;
    if (exists && status.type() != fs::file_type::regular)
        return makeError(quoted(output) + " is " + typeName(status.type()) +
                         ": the report must be a regular file of its own; choose another name");

    const fs::path target = normalized(output);
    if (auto ok = checkNotAnInput(output, logFolder, inputs); !ok) return ok;
    if (exists && !options.replaceExisting)
        return makeError(quoted(output) + " already exists: choose another name, or pass --force to replace it");
    if (!fs::is_directory(target.parent_path(), ec))
        return makeError("cannot write " + quoted(output) + ": the folder " + quoted(target.parent_path()) +
                         " does not exist: create it first");
    return {};
}

Result<AtomicWriteOutcome> writeReportFile(const fs::path& output, std::string_view html, const fs::path& logFolder,
                                           const ResultSet& inputs, const ReportFileOptions& options) {
    if (auto ok = checkReportOutput(output, logFolder, inputs, options); !ok) return Error{ok.error()};
    AtomicWriteOptions write;
    write.durable = options.durable;
    write.replaceReadOnly = options.replaceExisting; // --force, or the save dialog's confirmation
    std::error_code ec;
    if (fs::exists(fs::symlink_status(output, ec)))
        write.existing = isAiotuneReport(output) ? ExistingFilePolicy::Replace : ExistingFilePolicy::ReplaceKeepBackup;
    return writeFileAtomically(output, html, write);
}

} // namespace aiotune

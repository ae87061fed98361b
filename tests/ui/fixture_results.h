#pragma once
// The DeepSpeed fixture folders (tests/fixtures/deepspeed) and their expected
// answers, shared by the UI tests.
#include "results/log_folder_reader.h"

#include <QString>
#include <QtGlobal>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace fixtures {

inline const std::string kFixtures = AIOTUNE_TEST_FIXTURES "/deepspeed";

// The fixture's entry in expected.json.
inline nlohmann::json expected(const QString& name) {
    std::ifstream in(kFixtures + "/expected.json");
    return nlohmann::json::parse(in).at(name.toStdString());
}

// The fixture folder read as the window reads it; a test cannot go on without it.
inline aiotune::ResultSet loadFixture(const QString& name) {
    auto rs = aiotune::LogFolderReader().read(kFixtures + "/" + name.toStdString());
    if (!rs.ok()) qFatal("fixture %s: %s", qPrintable(name), rs.error().c_str());
    return rs.value();
}

} // namespace fixtures

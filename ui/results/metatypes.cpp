#include "results/metatypes.h"

void registerResultMetaTypes() {
    qRegisterMetaType<aiotune::ConfigKey>("aiotune::ConfigKey");
    qRegisterMetaType<aiotune::Sample>("aiotune::Sample");
    qRegisterMetaType<aiotune::ResultSet>("aiotune::ResultSet");
    qRegisterMetaType<aiotune::Recommendation>("aiotune::Recommendation");
    qRegisterMetaType<aiotune::Answer>("aiotune::Answer");
}

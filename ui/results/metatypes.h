#pragma once
// The core's result payloads as Qt metatypes, so they travel through queued
// signals (sweep worker -> UI thread) and QVariant (item-model roles).
// Shared by every UI class that passes them; include this, not result_model.h,
// where a signal carries one of them.
#include "results/result_model.h"
#include "results/answer.h"
#include "sweep/sweep_events.h"

#include <QMetaType>

Q_DECLARE_METATYPE(aiotune::ConfigKey)
Q_DECLARE_METATYPE(aiotune::Sample)
Q_DECLARE_METATYPE(aiotune::ResultSet)
Q_DECLARE_METATYPE(aiotune::Recommendation)
Q_DECLARE_METATYPE(aiotune::Answer)
Q_DECLARE_METATYPE(aiotune::RaceEvent)

// Registers the types above by name (for string-based connections and
// QMetaObject::invokeMethod with Q_ARG). Idempotent; call before the first
// queued connection.
void registerResultMetaTypes();

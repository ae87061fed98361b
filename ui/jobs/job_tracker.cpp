#include "jobs/job_tracker.h"

JobTracker::JobTracker(QObject* parent) : QObject(parent) {}

quint64 JobTracker::begin(Kind kind) {
    const bool wasRunning = isRunning(kind);
    const quint64 id = ++m_lastId;
    m_wanted[kind] = id;
    if (!wasRunning) emit runningChanged(kind, true);
    return id;
}

bool JobTracker::finish(Kind kind, quint64 id) {
    if (currentId(kind) != id) return false; // superseded or cancelled: drop
    m_wanted[kind] = 0;
    emit runningChanged(kind, false);
    return true;
}

void JobTracker::cancel(Kind kind) {
    if (!isRunning(kind)) return;
    m_wanted[kind] = 0;
    emit runningChanged(kind, false);
}

bool JobTracker::isRunning(Kind kind) const {
    return currentId(kind) != 0;
}

bool JobTracker::isBusy() const {
    for (const auto& [kind, id] : m_wanted)
        if (id != 0) return true;
    return false;
}

quint64 JobTracker::currentId(Kind kind) const {
    const auto it = m_wanted.find(kind);
    return it == m_wanted.end() ? 0 : it->second;
}

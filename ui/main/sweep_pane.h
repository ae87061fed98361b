#pragma once
// The window's left side: the drives (which folders to test) over the ranges
// (what to measure there), and the buttons that start and cancel a sweep.
// Owns its panels; the window reads the spec from them and starts the sweep.
#include "devices/device_discovery.h"

#include <QWidget>

class DrivesPanel;
class JobTracker;
class QLabel;
class QPushButton;
class QSplitter;
class RangesPanel;

class SweepPane : public QWidget {
    Q_OBJECT
  public:
    SweepPane(const aiotune::DiscoveryOptions& discovery, JobTracker* jobs,
              QWidget* parent = nullptr);

    DrivesPanel* drives() const { return m_drives; }
    RangesPanel* ranges() const { return m_ranges; }
    QSplitter* splitter() const { return m_splitter; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* cancelButton() const { return m_cancel; }

    // The Ranges title says what the chosen search measures.
    void setAdaptive(bool adaptive);
    // Nothing to edit under a running sweep; Cancel only then.
    void setRunning(bool running);

  signals:
    void startRequested();
    void cancelRequested();

  private:
    DrivesPanel* m_drives = nullptr;
    RangesPanel* m_ranges = nullptr;
    QSplitter* m_splitter = nullptr;
    QLabel* m_rangesTitle = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_cancel = nullptr;
};

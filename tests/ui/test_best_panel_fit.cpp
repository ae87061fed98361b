// The Best panel with the longest real texts never clips or overlaps: alone at
// the dock's narrowest width, and in the window on a 1280x720 screen during a
// sweep (a provisional answer) and after it. Every visible label shows whole
// (a wrapped one gets the height its width needs), every control keeps its
// natural width, the explanations wrap and scroll as a whole, the JSON shows
// whole, and no two visible widgets overlap.
#include "main_window.h"
#include "../tools/window_fixtures.h"
#include "panels/drives_panel.h"
#include "panels/ranges_panel.h"
#include "results/answer.h"
#include "results/best_config_panel.h"
#include "results/result_format.h"
#include "sweep/sweep_controller.h"

#include "engine/measurement_profile.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScreen>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <memory>

using namespace aiotune;

namespace {

const QString kFixtures = QStringLiteral(AIOTUNE_TEST_FIXTURES);

QRect globalRect(const QWidget* w) {
    return QRect(w->mapToGlobal(QPoint(0, 0)), w->size());
}

QString describe(const QWidget* w) {
    QString text;
    if (auto* l = qobject_cast<const QLabel*>(w))
        text = l->text();
    else if (auto* b = qobject_cast<const QAbstractButton*>(w))
        text = b->text();
    else if (auto* c = qobject_cast<const QComboBox*>(w))
        text = c->currentText();
    return QStringLiteral("%1 %2 \"%3\" at %4,%5 %6x%7")
        .arg(QString::fromLatin1(w->metaObject()->className()), w->objectName(), text.left(50))
        .arg(globalRect(w).x())
        .arg(globalRect(w).y())
        .arg(w->width())
        .arg(w->height());
}

// A widget drawn by another (a combo's or a text box's own parts): the owner is checked.
bool isPartOfAControl(const QWidget* w, const QWidget* root) {
    for (const QWidget* p = w->parentWidget(); p && p != root; p = p->parentWidget())
        if (qobject_cast<const QAbstractScrollArea*>(p) || qobject_cast<const QComboBox*>(p) ||
            qobject_cast<const QAbstractButton*>(p))
            return true;
    return false;
}

// The longest profile name there is: every what-if at once.
QString longestProfile() {
    MeasurementProfile p;
    p.pages = PagePolicy::Normal;
    p.lockMemory = false;
    p.registeredBuffers = true;
    return QString::fromStdString(p.name());
}

ConfigKey key(std::uint64_t block, int depth, int threads, bool single, bool overlap, int folders) {
    ConfigKey k;
    k.aio.block_size = block;
    k.aio.queue_depth = depth;
    k.aio.intra_op_parallelism = threads;
    k.aio.single_submit = single;
    k.aio.overlap_events = overlap;
    k.folders = folders;
    return k;
}

// The answer decided by the one rule (decideAnswer) for configurations
// measured once each in a large grid: partial, the noise unknown (its
// longest reason), low confidence, most of the grid never measured.
Recommendation partialRecommendation() {
    ResultSet rs;
    rs.strategy = "adaptive";
    rs.engine = "io_uring";
    AnswerContext context;
    context.strategy = "adaptive";
    context.stop = "budget";
    for (std::uint64_t block : {128u << 10, 1u << 20, 8u << 20})
        for (int depth : {8, 32, 128})
            for (int threads : {1, 8, 16})
                for (bool single : {false, true})
                    for (bool overlap : {false, true})
                        context.grid.push_back(key(block, depth, threads, single, overlap, 2).aio);
    int i = 0;
    for (const ConfigKey& k :
         {key(8u << 20, 128, 16, true, false, 2), key(1u << 20, 32, 8, false, true, 2),
          key(128u << 10, 8, 1, false, true, 2)}) {
        for (IoOp op : {IoOp::Read, IoOp::Write}) {
            Sample s;
            s.op = op;
            s.loop = 0;
            s.bytes = 64u << 20;
            s.gibPerSec = 3.0 + 0.1 * ++i;
            s.seconds = 1.0 / 16 / s.gibPerSec;
            rs.add(k, s);
        }
    }
    Recommendation rec;
    rec.answer = decideAnswer(rs, context);
    if (const ConfigResult* best = rs.find(rec.answer.best)) rec.best = *best;
    return rec;
}

// A finished answer with everything the explanation can hold: a cheaper
// recommendation with the longest label, tied and contending ones, the
// cost, configurations that could not be ranked.
Recommendation fullRecommendation() {
    Recommendation rec;
    Answer& a = rec.answer;
    a.found = true;
    a.strategy = "adaptive";
    a.decidedBy = "all samples, decided again: they changed after the adaptive search's answer "
                  "(a measure-again added samples)";
    a.stoppedBecause = "converged";
    a.transfers = 1536;
    a.configurations = 512;
    a.measured = 211;
    a.best = key(8u << 20, 128, 16, true, false, 2);
    a.bestGiBps = 12.34;
    a.interval = AnswerInterval{11.98, 12.71};
    a.recommended = key(16u << 20, 128, 2, true, false, 2);
    a.recommendedGiBps = 12.01;
    a.confidence = Confidence::Medium;
    a.confidenceText =
        "Another configuration could still be up to 7.45% faster than the best (at 95%, "
        "tolerance 3%; noise 11.2% per visit): measure again to narrow it. 301 "
        "configurations were never measured.";
    for (int t : {4, 8, 12, 16})
        for (int d : {32, 64}) {
            ConfigKey k = key(4u << 20, d, t, true, false, 2);
            a.tied.push_back(k);
            a.configs.push_back(
                {k, t == 16 ? ConfigState::Contending : ConfigState::Tied, 2, 12.0, 0.05, "tied"});
        }
    a.configs.push_back({*a.recommended, ConfigState::Tied, 3, 12.01, 0.01, "tied"});
    ConfigResult best;
    best.key = a.best;
    best.readGiBps = 6.5;
    best.writeGiBps = 5.84;
    best.combinedGiBps = 12.34;
    rec.best = best;
    rec.readOnly.resize(3);
    rec.writeOnly.resize(2);
    rec.failed.resize(7);
    return rec;
}

// Long paths, as a confirmation of the answer would name them.
QString longConfirmation() {
    return QStringLiteral(
        "Checked with libaio (DeepSpeed's own async_io op) on "
        "/mnt/local_nvme_raid0/deepspeed/offload/zero_stage_3/fp16params/rank0/"
        "aiotune-confirm-8M-q128-p16.swp: 11.9 GiB/s read + write, within the interval.");
}

// Everything visible in `panel` lies inside it and inside its parent, shows
// whole, and overlaps nothing else.
void verifyFits(BestConfigPanel* panel, int atLeast = 8) {
    QCoreApplication::processEvents();
    const QRect panelRect = globalRect(panel);
    QList<QWidget*> shown;
    for (QWidget* w : panel->findChildren<QWidget*>()) {
        if (!w->isVisibleTo(panel) || !w->isVisible() || isPartOfAControl(w, panel)) continue;
        shown << w;
        QVERIFY2(panelRect.contains(globalRect(w)), qPrintable(describe(w)));
        if (QWidget* p = w->parentWidget(); p && p != panel)
            QVERIFY2(globalRect(p).contains(globalRect(w)),
                     qPrintable(describe(w) + " in " + describe(p)));
        if (auto* l = qobject_cast<QLabel*>(w); l && !l->text().isEmpty()) {
            if (l->wordWrap()) {
                QVERIFY2(
                    l->height() >= l->heightForWidth(l->width()),
                    qPrintable(describe(l) +
                               QStringLiteral(" needs %1").arg(l->heightForWidth(l->width()))));
                // No word (a path) wider than the label.
                QVERIFY2(l->width() >= l->minimumSizeHint().width(),
                         qPrintable(describe(l) +
                                    QStringLiteral(" min %1").arg(l->minimumSizeHint().width())));
            } else
                QVERIFY2(l->width() >= l->sizeHint().width() &&
                             l->height() >= l->sizeHint().height(),
                         qPrintable(describe(l)));
        }
        if (qobject_cast<QAbstractButton*>(w) || qobject_cast<QComboBox*>(w))
            QVERIFY2(
                w->width() >= w->sizeHint().width() && w->height() >= w->minimumSizeHint().height(),
                qPrintable(describe(w) + QStringLiteral(" wants %1").arg(w->sizeHint().width())));
        if (auto* t = qobject_cast<QTextBrowser*>(w)) {
            // Wraps at its width, and scrolls to its last line.
            QCOMPARE(t->horizontalScrollBar()->maximum(), 0);
            QVERIFY(t->document()->size().width() <= t->viewport()->width() + 1);
            QVERIFY2(t->document()->size().height() <=
                         t->viewport()->height() + t->verticalScrollBar()->maximum() + 1,
                     qPrintable(QStringLiteral("document %1 in %2 + %3")
                                    .arg(t->document()->size().height())
                                    .arg(t->viewport()->height())
                                    .arg(t->verticalScrollBar()->maximum())));
            QVERIFY2(t->viewport()->height() >= 3 * t->fontMetrics().lineSpacing(),
                     qPrintable(describe(t)));
        }
        if (auto* e = qobject_cast<QPlainTextEdit*>(w)) {
            // The JSON whole: no line cut at the side or the bottom.
            QCOMPARE(e->verticalScrollBar()->maximum(), 0);
            QCOMPARE(e->horizontalScrollBar()->maximum(), 0);
        }
    }
    QVERIFY(shown.size() >= atLeast);
    for (int i = 0; i < shown.size(); ++i)
        for (int j = i + 1; j < shown.size(); ++j) {
            QWidget* a = shown[i];
            QWidget* b = shown[j];
            if (a->isAncestorOf(b) || b->isAncestorOf(a)) continue;
            QVERIFY2(!globalRect(a).intersects(globalRect(b)),
                     qPrintable(describe(a) + " / " + describe(b)));
        }
}

// The sentences a reader must be able to reach: in a label or the explanation.
QString everyText(BestConfigPanel* panel) {
    QString all;
    for (QLabel* l : panel->findChildren<QLabel*>())
        if (l->isVisibleTo(panel)) all += l->text() + '\n';
    return all + panel->answerText();
}

using aiotune::testing::fixtureDrives;

// The dock's narrowest: the panel's own minimum width (its JSON's longest
// line sets it; the window adds no minimum of its own), which must stay narrow.
int dockNarrowest() {
    static const int width = BestConfigPanel().minimumSizeHint().width();
    return width;
}
constexpr int kNarrowLimit = 260;

} // namespace

class TestBestPanelFit : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

    void fillLongest(BestConfigPanel* panel, const Recommendation& rec) {
        panel->setRecommendation(rec);
        panel->setProfileName(longestProfile());
        panel->setConfirmation(longConfirmation());
        if (rec.answer.recommended && *rec.answer.recommended != rec.answer.best)
            panel->setUseRecommended(true);
    }

  private slots:
    void initTestCase() { QVERIFY(m_home.isValid()); }

    void narrowestDock_data() {
        QTest::addColumn<bool>("partial");
        QTest::addColumn<int>("height");
        QTest::addRow("partial, what-if, tall") << true << 640;
        QTest::addRow("full, what-if, tall") << false << 640;
        QTest::addRow("partial, what-if, short") << true << 560;
        QTest::addRow("full, what-if, short") << false << 560;
    }
    void narrowestDock() {
        QFETCH(bool, partial);
        QFETCH(int, height);
        BestConfigPanel panel;
        // The panel asks no more than the dock's narrowest width.
        {
            QString wide; // which widget asks more, when one does
            for (QWidget* w : panel.findChildren<QWidget*>())
                if (w->minimumSizeHint().width() > kNarrowLimit - 24)
                    wide +=
                        describe(w) + QStringLiteral(" min %1; ").arg(w->minimumSizeHint().width());
            QVERIFY2(dockNarrowest() <= kNarrowLimit,
                     qPrintable(QString::number(dockNarrowest()) + ": " + wide));
        }
        const Recommendation rec = partial ? partialRecommendation() : fullRecommendation();
        QVERIFY(rec.answer.found);
        QCOMPARE(rec.answer.partial, partial);
        fillLongest(&panel, rec);
        panel.resize(dockNarrowest(), height);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTest::qWait(20);
        verifyFits(&panel);
        // Set AIOTUNE_SCREENSHOT_DIR to keep the picture for a look.
        if (const QString dir = qEnvironmentVariable("AIOTUNE_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(panel.grab().save(
                dir + "/best-panel-narrowest-" +
                QString(QTest::currentDataTag()).replace(QRegularExpression("\\W+"), "-") +
                ".png"));
        const QString all = everyText(&panel);
        // The what-if warning is a fact on top, never scrolled away.
        auto* profile = panel.findChild<QLabel*>("profileName");
        QVERIFY(profile->isVisible());
        QVERIFY(profile->text().contains(longestProfile()));
        for (const QString& want : {resultformat::longLabel(rec.answer.best), longConfirmation(),
                                    QString::fromStdString(rec.answer.confidenceText),
                                    QString::fromStdString(rec.answer.decidedBy)})
            QVERIFY2(all.contains(want), qPrintable(want));
        if (partial) {
            QVERIFY(rec.answer.partialReason.size() > 100);
            QVERIFY(all.contains(QString::fromStdString(rec.answer.partialReason)));
        } else {
            QVERIFY(all.contains(resultformat::longLabel(*rec.answer.recommended)));
        }
        // Wider, then narrow again: still whole.
        panel.resize(420, height);
        QTest::qWait(20);
        verifyFits(&panel);
        panel.resize(dockNarrowest(), height);
        QTest::qWait(20);
        verifyFits(&panel);
    }

    // Nothing measured yet, with a long path in the reason.
    void placeholderFits() {
        BestConfigPanel panel;
        Recommendation none;
        none.answer.message =
            "/mnt/local_nvme_raid0/deepspeed/offload/aiotune/sweeps/sweep-2026-12-07T03-51-07: "
            "no configuration has both a read and a write log";
        none.readOnly.resize(1);
        panel.setRecommendation(none);
        panel.resize(dockNarrowest(), 560);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        verifyFits(&panel, 1);
        QCOMPARE(panel.width(), dockNarrowest());
        QVERIFY(everyText(&panel).contains(QString::fromStdString(none.answer.message)));
    }

    // The window on a 1280x720 screen: a real sweep's provisional answer in
    // the dock while it runs, then the longest texts in the same dock.
    void duringASweepAt1280x720() {
        MainWindowOptions o;
        QDir().mkpath(m_home.filePath("scratch"));
        o.settingsPath = m_home.filePath("fit.ini");
        o.discovery = fixtureDrives();
        o.scratchFolder = m_home.filePath("scratch");
        o.logRoot = m_home.filePath("logs");
        MainWindow w(o);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.screen()->availableGeometry().size(), QSize(1280, 720));
        QTRY_VERIFY_WITH_TIMEOUT(w.drivesPanel()->checkedFolders() == QStringList{o.scratchFolder},
                                 5000);
        RangesPanel* r = w.rangesPanel();
        // Long enough to be caught running (it is cancelled once checked).
        r->blockSizeEdit()->setText("64K, 128K, 256K, 512K, 1M");
        r->queueDepthEdit()->setText("1, 2, 4, 8, 16");
        r->threadsEdit()->setText("1, 2, 4");
        r->ioSizeEdit()->setText("8M");
        QTRY_VERIFY_WITH_TIMEOUT(!r->isPlanning() && r->planOk(), 5000);
        auto* panel = w.findChild<BestConfigPanel*>();
        auto* dock = w.findChild<QDockWidget*>("bestDock");
        QVERIFY(panel && dock && dock->isVisible());
        w.startSweep();
        QVERIFY(w.isSweeping());
        // A provisional answer while the sweep runs.
        QTRY_VERIFY_WITH_TIMEOUT(panel->hasResult() || !w.isSweeping(), 60000);
        if (w.isSweeping() && panel->hasResult()) {
            // The model's provisional answer, in its own words.
            QString figure = panel->findChild<QLabel*>("bestFigure")->text();
            figure.replace(QChar(0x00a0), ' ').remove(QChar(0x2060));
            QCOMPARE(figure, resultformat::answerFigure(panel->recommendation().answer));
            verifyFits(panel);
            w.cancelSweep();
        } else {
            QSKIP("the sweep ended before a provisional answer reached the panel");
        }
        QTRY_VERIFY_WITH_TIMEOUT(!w.isSweeping(), 60000);
        QVERIFY(globalRect(&w).contains(globalRect(dock)));
        for (const Recommendation& rec : {partialRecommendation(), fullRecommendation()}) {
            fillLongest(panel, rec);
            QTest::qWait(20);
            verifyFits(panel);
        }
        // The dock dragged to its narrowest.
        w.resizeDocks({dock}, {1}, Qt::Horizontal);
        QTest::qWait(50);
        QVERIFY2(panel->width() <= dockNarrowest() + 2,
                 qPrintable(QString::number(panel->width())));
        for (const Recommendation& rec : {partialRecommendation(), fullRecommendation()}) {
            fillLongest(panel, rec);
            QTest::qWait(20);
            verifyFits(panel);
        }
    }
};

int main(int argc, char** argv) { return aiotune::testing::runOnScreen<TestBestPanelFit>(argc, argv, 1280, 720); }

#include "test_best_panel_fit.moc"

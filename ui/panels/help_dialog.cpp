#include "panels/help_dialog.h"

#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

HelpDialog::HelpDialog(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("helpDialog"));
    setWindowTitle(tr("What the settings mean — aiotune"));
    m_browser = new QTextBrowser(this);
    m_browser->setOpenExternalLinks(false);
    m_browser->setHtml(html());
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_browser, 1);
    layout->addWidget(buttons);
    resize(640, 560);
}

QString HelpDialog::html() {
    return tr(
        "<h3>The aio settings</h3>"
        "<p>DeepSpeed's <code>\"aio\"</code> section tells its NVMe offload (ZeRO-Infinity) how "
        "to move tensors between memory and the drive. Each swap of a tensor is one "
        "transfer; these keys shape it:</p>"
        "<dl>"
        "<dt><b>block_size</b> (chart label: <i>1M</i>, <i>128K</i>)</dt>"
        "<dd>Bytes per I/O request. DeepSpeed cuts each transfer into requests of this size. "
        "Larger blocks mean fewer requests; too large and fewer are in flight at once.</dd>"
        "<dt><b>queue_depth</b> (<i>q32</i>)</dt>"
        "<dd>Requests kept in flight per thread. NVMe drives need many requests outstanding "
        "to reach full speed.</dd>"
        "<dt><b>intra_op_parallelism</b> (<i>p8</i>; <code>thread_count</code> before "
        "DeepSpeed 0.16.4)</dt>"
        "<dd>The buffer and the file are split into that many contiguous slices, each moved by "
        "its own thread with its own queue. More threads cost CPU and pinned memory.</dd>"
        "<dt><b>single_submit</b> (<i>ss</i> when true; <i>block</i> in the table otherwise)</dt>"
        "<dd>True: one submit call per request. False (DeepSpeed's default): one call per batch "
        "of requests.</dd>"
        "<dt><b>overlap_events</b> (<i>ov</i> when true, <i>seq</i> when false)</dt>"
        "<dd>True: a sliding window, a new request goes out as each one completes. False: "
        "lock-step batches, submit <i>queue_depth</i> requests, wait for all, repeat.</dd>"
        "<dt><b>folders</b> (<i>f2</i>: two folders at once)</dt>"
        "<dd>Not an aio key: how many folders (drives) were driven at the same time, one "
        "transfer each, as DeepSpeed does with several swap folders. Folders on one drive "
        "share its bandwidth.</dd>"
        "</dl>"
        "<h3>What is measured</h3>"
        "<p>Each point writes and then reads one scratch file of <i>io size</i> bytes with "
        "O_DIRECT (no page cache), between one page-aligned buffer and the file, with the "
        "settings above. Throughput is bytes divided by seconds, in GiB/s (DeepSpeed's logs "
        "say \"GB/sec\" but also divide by 1024³).</p>"
        "<ul>"
        "<li><b>Read</b>, <b>Write</b>: the median over the repetitions.</li>"
        "<li><b>Combined</b>: read + write, DeepSpeed's own rule for the best; only for "
        "configurations with both.</li>"
        "<li><b>Spread</b>: half the min–max range relative to the median; noise you can "
        "expect between runs. Measured once, the noise is unknown.</li>"
        "<li><b>p99</b>: the slowest 1% of requests took at least this long.</li>"
        "<li><b>Recommended</b> (✓): the cheapest configuration (fewest threads, then lowest "
        "queue depth) within the measured noise of the best (★).</li>"
        "<li><b>Measurement profile</b>: how buffers were allocated (normal pages as "
        "DeepSpeed's pinned swap buffers get, or huge pages as a what-if); figures from "
        "different profiles are not comparable.</li>"
        "</ul>"
        "<p>The scratch file has no name on disk, so a killed sweep leaves nothing behind; "
        "aiotune never writes to a block device. Every sweep also leaves a DeepSpeed-format "
        "log folder that File &gt; Open and DeepSpeed's own tools can read.</p>");
}

#include "panels/help_dialog.h"

#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

// What DeepSpeed does with each key is read from its source (v0.19.5):
// deepspeed/runtime/swap_tensor/constants.py (defaults), aio_config.py,
// partitioned_param_swapper.py (use_gds picks the GDS handle for parameters,
// buffers on the GPU), partitioned_optimizer_swapper.py and
// pipelined_optimizer_swapper.py (always the libaio handle),
// csrc/aio/py_lib/deepspeed_py_io_handle.cpp (one thread per slice, each with
// its own aio context of queue_depth), csrc/aio/common/deepspeed_aio_common.cpp
// (block_size requests; single_submit; overlap_events). "What usually wins"
// follows DeepSpeed's DeepNVMe tutorial (docs/_tutorials/deepnvme.md, whose
// ds_nvme_tune run picked 1M, qd 32, 8 threads, overlap, batch submit): a
// starting point, never a substitute for measuring.

namespace {
// "block_size: bytes per …" -> "Bytes per …", under a heading that names the key.
QString withoutKey(QString tip) {
    const int colon = tip.indexOf(QLatin1String(": "));
    if (colon > 0) tip = tip.mid(colon + 2);
    if (!tip.isEmpty()) tip[0] = tip[0].toUpper();
    return tip;
}
} // namespace

QStringList HelpDialog::settingKeys() {
    return {QStringLiteral("block_size"),
            QStringLiteral("queue_depth"),
            QStringLiteral("intra_op_parallelism"),
            QStringLiteral("single_submit"),
            QStringLiteral("overlap_events"),
            QStringLiteral("use_gds"),
            QStringLiteral("io_size"),
            QStringLiteral("loops")};
}

QString HelpDialog::settingTip(const QString& key) {
    if (key == QLatin1String("block_size"))
        return tr("block_size: bytes per I/O request. DeepSpeed cuts each thread's slice of a "
                  "transfer into requests of this size (default 1M). On NVMe, 1M or larger "
                  "usually wins; small blocks need many more requests for the same bytes.");
    if (key == QLatin1String("queue_depth"))
        return tr("queue_depth: requests each DeepSpeed I/O thread keeps in flight (default 8). "
                  "NVMe drives need many outstanding requests: a deeper queue (32 in DeepSpeed's "
                  "DeepNVMe tutorial) usually wins, until the drive is saturated.");
    if (key == QLatin1String("intra_op_parallelism"))
        return tr("intra_op_parallelism (thread_count before DeepSpeed 0.16.4): threads per "
                  "transfer. DeepSpeed splits the buffer and the file into that many equal "
                  "slices, each moved by its own thread with its own queue (default 1). More "
                  "threads cost CPU, and each swap buffer is rounded up to 1024 bytes x this "
                  "value. On NVMe 4 to 8 usually beats 1; the gain flattens once the drive is "
                  "saturated.");
    if (key == QLatin1String("single_submit"))
        return tr("single_submit: true submits each request with its own io_submit call; false "
                  "(DeepSpeed's default, shown as \"block\") submits up to queue_depth requests "
                  "in one call. On NVMe false usually wins or ties.");
    if (key == QLatin1String("overlap_events"))
        return tr("overlap_events: true (DeepSpeed's default) keeps a sliding window: a new "
                  "request goes out as each one completes. False works in lock-step: submit "
                  "queue_depth requests, wait for all, repeat. On NVMe true usually wins.");
    if (key == QLatin1String("use_gds"))
        return tr("use_gds (DeepSpeed 0.15.0 and later): true moves parameter swaps between the "
                  "drive and GPU memory with NVIDIA GPUDirect Storage (CUDA only, needs the gds "
                  "op); the optimizer's swaps always use libaio. aiotune measures libaio, so it "
                  "exports false, and a merge keeps the use_gds your config already has. Write "
                  "true or false, never a string: DeepSpeed reads \"false\" as on.");
    if (key == QLatin1String("io_size"))
        return tr("io size: bytes per transfer; the scratch file in each folder has this size. "
                  "Pick the size of the transfers your job makes: a parameter swap moves up to "
                  "offload_param.buffer_size elements (default 1e8: about 191M at 2 bytes per "
                  "fp16/bf16 element); an optimizer swap moves a sub-group's fp32 state (up to "
                  "sub_group_size x 4 bytes). 400M is DeepSpeed's own sweep size. A very different "
                  "size can rank the configurations differently.");
    if (key == QLatin1String("loops"))
        return tr("Repetitions of every point; two or more measure the noise, which the answer's "
                  "interval, ties and confidence need.");
    return {};
}

QString HelpDialog::toolTip(const QStringList& paragraphs) {
    QString html;
    for (const QString& p : paragraphs)
        if (!p.isEmpty()) html += QStringLiteral("<p>%1</p>").arg(p.toHtmlEscaped());
    return html;
}

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
    resize(680, 600);
}

QString HelpDialog::html() {
    // Each setting: the chart's spelling, then the one wording settingTip() gives.
    const auto entry = [](const QString& key, const QString& spelled) {
        const QString tip = withoutKey(settingTip(key)); // the key stands in the heading
        return QStringLiteral("<dt><b>%1</b> %2</dt><dd>%3</dd>")
            .arg(key, spelled, tip.toHtmlEscaped());
    };
    QString page;
    page += tr("<h3>The aio settings</h3>"
               "<p>DeepSpeed's <code>\"aio\"</code> section tells its NVMe offload (ZeRO-Infinity) "
               "how to move tensors between memory and the drive. Each swap of a tensor is one "
               "transfer; these keys shape it:</p>");
    page += QStringLiteral("<dl>");
    page += entry(QStringLiteral("block_size"), tr("(chart label: <i>1M</i>, <i>128K</i>)"));
    page += entry(QStringLiteral("queue_depth"), tr("(<i>q32</i>)"));
    page += entry(QStringLiteral("intra_op_parallelism"),
                  tr("(<i>p8</i>; <code>thread_count</code> before DeepSpeed 0.16.4)"));
    page += entry(QStringLiteral("single_submit"),
                  tr("(<i>ss</i> when true; <i>block</i> in the table otherwise)"));
    page +=
        entry(QStringLiteral("overlap_events"), tr("(<i>ov</i> when true, <i>seq</i> when false)"));
    page += entry(QStringLiteral("use_gds"), tr("(exported as <code>false</code>)"));
    page += tr("<dt><b>folders</b> (<i>f2</i>: two folders at once)</dt>"
               "<dd>Not an aio key: how many folders (drives) were driven at the same time, one "
               "transfer each, as DeepSpeed does with several swap folders. Folders on one drive "
               "share its bandwidth. DeepSpeed's config names one <code>nvme_path</code> per "
               "offload: a two-folder figure is what two drives give together.</dd>");
    page += QStringLiteral("</dl>");

    page += tr("<h3>Choosing the io size</h3>"
               "<p>%1</p>"
               "<p>Parameter swaps in a DeepSpeed config: <code>buffer_size</code> under "
               "<code>offload_param</code> is in elements, not bytes; multiply by the element "
               "size (2 for fp16 and bf16, 4 for fp32). With the defaults (<code>1e8</code>, "
               "fp16) a transfer is up to about 191M, so an io size of 192M matches it. Optimizer "
               "swaps "
               "are larger (a sub-group's fp32 state). The io size must split into "
               "<i>threads</i> equal slices of whole 4 KiB pages, as DeepSpeed requires; "
               "figures measured at different io sizes are not comparable.</p>")
                .arg(withoutKey(settingTip(QStringLiteral("io_size"))).toHtmlEscaped());

    page += tr("<h3>What is measured</h3>"
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
               "<li><b>Loops</b>: %1</li>"
               "<li><b>Measurement profile</b> (\"Measured with\"): how buffers were allocated. "
               "<i>faithful</i> is what DeepSpeed's swapper gets; a <i>what-if</i> (huge pages, "
               "registered buffers) is not, and figures from different profiles are not "
               "comparable.</li>"
               "</ul>")
                .arg(settingTip(QStringLiteral("loops")).toHtmlEscaped());

    page +=
        tr("<h3>Reading the answer</h3>"
           "<p>A sweep has one answer, decided once and shown the same everywhere (chart, table, "
           "Best panel, status bar, exports). Its figure is read + write with a 90% interval when "
           "the noise is known. Each configuration's mark says where the answer puts it:</p>"
           "<ul>"
           "<li><b>★ best</b>: the measured configuration with the highest estimate of read + "
           "write.</li>"
           "<li><b>✓ recommended</b>: the cheapest (fewest threads, then lowest queue depth) "
           "among the best and the configurations shown, at 95%, to be at most the tolerance (3%) "
           "slower than it. It costs less CPU and memory for the same speed. A partial answer "
           "claims none.</li>"
           "<li><b>≈ tied</b>: not shown, at 95%, to be slower than the best, nor able to beat it "
           "by more than the tolerance: the difference is within the noise, and any tied "
           "configuration is as good a choice.</li>"
           "<li><b>?</b> could still be faster: might beat the best by more than the tolerance; "
           "measure more (loops, or Sweep &gt; Measure the top N again).</li>"
           "<li><b>✗ slower</b> (grey): shown, at 95%, to be slower than the best; in the "
           "adaptive search also the configurations that left its race.</li>"
           "<li><b>predicted</b>: never measured; the model's estimate.</li>"
           "</ul>"
           "<p><b>Confidence</b> says how much faster another configuration (measured or "
           "predicted) could still be, at 95%: <i>high</i> within the tolerance, <i>medium</i> "
           "within three times it, <i>low</i> beyond, when the noise is unknown, or when the "
           "answer is partial. <b>Partial</b>: the sweep was cancelled, failed or is still "
           "running, the noise is unknown, or the search's budget ran out while a configuration "
           "could still be faster; the window asks before exporting a partial answer.</p>"
           "<p><b>Target</b> (Best panel): which DeepSpeed the exported section is for. By "
           "default the installed DeepSpeed when one is found, else <i>Any version</i>, which "
           "writes both <code>thread_count</code> (read up to 0.16.3) and "
           "<code>intra_op_parallelism</code> (0.16.4 and later): each release reads its own "
           "key and ignores the other.</p>");

    page += tr("<p>The scratch file has no name on disk, so a killed sweep leaves nothing behind; "
               "aiotune never writes to a block device. Every sweep also leaves a DeepSpeed-format "
               "log folder that File &gt; Open and DeepSpeed's own tools can read.</p>");
    return page;
}

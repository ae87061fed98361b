#include "results/line_diff.h"

#include <algorithm>
#include <vector>

namespace {
enum class Op { Keep, Remove, Add };
struct Edit {
    Op op;
    int before; // line index in before (Keep/Remove)
    int after;  // line index in after (Keep/Add)
};

QStringList splitLines(const QString& text) {
    QStringList lines = text.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty()) lines.removeLast();
    return lines;
}

// The edit script turning a into b. The common prefix and suffix are peeled
// off first, so a merge that only touches the "aio" block costs little even
// for a long config; the LCS table covers only the changed middle.
std::vector<Edit> editScript(const QStringList& a, const QStringList& b) {
    const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
    int prefix = 0;
    while (prefix < n && prefix < m && a[prefix] == b[prefix])
        ++prefix;
    int suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix && a[n - 1 - suffix] == b[m - 1 - suffix])
        ++suffix;
    const int an = n - prefix - suffix, bm = m - prefix - suffix;

    std::vector<Edit> edits;
    for (int i = 0; i < prefix; ++i)
        edits.push_back({Op::Keep, i, i});
    // lcs[i][j]: LCS length of a-middle[i..] and b-middle[j..].
    std::vector<std::vector<int>> lcs(static_cast<std::size_t>(an) + 1,
                                      std::vector<int>(static_cast<std::size_t>(bm) + 1, 0));
    for (int i = an - 1; i >= 0; --i)
        for (int j = bm - 1; j >= 0; --j)
            lcs[i][j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1][j + 1] + 1
                                                       : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    int i = 0, j = 0;
    while (i < an || j < bm) {
        if (i < an && j < bm && a[prefix + i] == b[prefix + j]) {
            edits.push_back({Op::Keep, prefix + i, prefix + j});
            ++i, ++j;
        } else if (j < bm && (i == an || lcs[i][j + 1] >= lcs[i + 1][j])) {
            edits.push_back({Op::Add, -1, prefix + j});
            ++j;
        } else {
            edits.push_back({Op::Remove, prefix + i, -1});
            ++i;
        }
    }
    // Removals before additions within a changed run read better.
    for (std::size_t k = 0; k < edits.size();) {
        if (edits[k].op == Op::Keep) {
            ++k;
            continue;
        }
        std::size_t end = k;
        while (end < edits.size() && edits[end].op != Op::Keep)
            ++end;
        std::stable_partition(edits.begin() + static_cast<long>(k),
                              edits.begin() + static_cast<long>(end),
                              [](const Edit& e) { return e.op == Op::Remove; });
        k = end;
    }
    for (int s = 0; s < suffix; ++s)
        edits.push_back({Op::Keep, n - suffix + s, m - suffix + s});
    return edits;
}
} // namespace

QString unifiedLineDiff(const QString& before, const QString& after, const QString& beforeName,
                        const QString& afterName, int context) {
    const QStringList a = splitLines(before), b = splitLines(after);
    const std::vector<Edit> edits = editScript(a, b);
    const auto changed = [&](std::size_t k) { return edits[k].op != Op::Keep; };
    if (std::none_of(edits.begin(), edits.end(), [](const Edit& e) { return e.op != Op::Keep; }))
        return {};

    QString out = QStringLiteral("--- %1\n+++ %2\n").arg(beforeName, afterName);
    const std::size_t total = edits.size();
    std::size_t k = 0;
    while (k < total) {
        if (!changed(k)) {
            ++k;
            continue;
        }
        // A hunk: from `context` lines before this change to `context` lines
        // after the last change that is no more than 2*context lines further.
        std::size_t start = k >= static_cast<std::size_t>(context) ? k - context : 0;
        std::size_t end = k;
        std::size_t lastChange = k;
        while (end < total) {
            if (changed(end))
                lastChange = end;
            else if (end - lastChange > static_cast<std::size_t>(2 * context))
                break;
            ++end;
        }
        end = std::min(total, lastChange + 1 + context);
        // Lines of each side before the hunk: where its ranges start.
        int aBefore = 0, bBefore = 0;
        for (std::size_t e = 0; e < start; ++e) {
            aBefore += edits[e].op != Op::Add;
            bBefore += edits[e].op != Op::Remove;
        }
        int aCount = 0, bCount = 0;
        QString body;
        for (std::size_t e = start; e < end; ++e) {
            const Edit& ed = edits[e];
            aCount += ed.op != Op::Add;
            bCount += ed.op != Op::Remove;
            switch (ed.op) {
            case Op::Keep:
                body += ' ' + a[ed.before] + '\n';
                break;
            case Op::Remove:
                body += '-' + a[ed.before] + '\n';
                break;
            case Op::Add:
                body += '+' + b[ed.after] + '\n';
                break;
            }
        }
        // Unified-diff convention: an empty range names the line before it.
        const int aStart = aCount > 0 ? aBefore + 1 : aBefore;
        const int bStart = bCount > 0 ? bBefore + 1 : bBefore;
        out += QStringLiteral("@@ -%1,%2 +%3,%4 @@\n")
                   .arg(aStart)
                   .arg(aCount)
                   .arg(bStart)
                   .arg(bCount) +
               body;
        k = end;
    }
    return out;
}

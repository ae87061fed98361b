#pragma once
// A unified diff over lines (longest common subsequence), for showing what a
// merge into a user's DeepSpeed config will change before it is written.
#include <QString>
#include <QStringList>

// "--- a\n+++ b\n@@ -l,n +l,n @@\n ctx\n-old\n+new\n": `context` unchanged lines
// around each change. Empty when the texts are equal. Lines are compared
// exactly; a missing final newline is not reported.
QString unifiedLineDiff(const QString& before, const QString& after, const QString& beforeName,
                        const QString& afterName, int context = 3);

#include "main/english_plurals.h"

QString EnglishPlurals::translate(const char* /*context*/, const char* sourceText,
                                  const char* /*disambiguation*/, int n) const {
    // A null QString means "not translated here": Qt keeps the source text.
    if (n < 0 || !sourceText) return {};
    QString text = QString::fromUtf8(sourceText);
    if (!text.contains(QLatin1String("(s)"))) return {};
    text.replace(QLatin1String("(s)"), n == 1 ? QString() : QStringLiteral("s"));
    return text;
}

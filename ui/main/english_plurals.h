#pragma once
// English plurals for the window's "%n thing(s)" texts. Qt only picks a
// plural form from a loaded translation; without one the user reads
// "8 configuration(s)". This translator answers for every such text:
// "(s)" becomes "s", or nothing when n is 1. Other texts pass through.
#include <QTranslator>

class EnglishPlurals : public QTranslator {
  public:
    using QTranslator::QTranslator;
    bool isEmpty() const override { return false; }
    QString translate(const char* context, const char* sourceText, const char* disambiguation = nullptr,
                      int n = -1) const override;
};

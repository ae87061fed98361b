#pragma once
// Light and dark look chosen in the window (View > Theme), independent of the
// desktop: many Linux sessions (a bare window manager, ssh -X) have no
// platform theme, so "follow the system" would leave users without a dark mode.
#include <QColor>
#include <QPalette>
#include <QString>

class QApplication;

enum class Theme { System, Light, Dark };

// "system", "light", "dark".
QString themeName(Theme theme);
// The inverse; anything else is System (an old or hand-edited setting).
Theme parseTheme(const QString& name);

// Applies `theme` to the whole application. Light and Dark use the Fusion
// style with a palette of their own; System restores the style and palette the
// application started with. Widgets follow through QEvent::PaletteChange.
void applyTheme(Theme theme);

// The outline Dark draws around checkbox and radio indicators (Fusion's own
// is nearly invisible on a dark base); invalid for System and Light, which
// keep the style's own.
QColor indicatorOutline(Theme theme);
// The palette applyTheme(theme) sets (System: the one the application started with).
QPalette themePalette(Theme theme);

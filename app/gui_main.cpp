// The window's entry point, kept apart so the headless commands never start Qt.
#include "main_window.h"

#include <QApplication>

int runWindow(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("aiotune");
    QApplication::setOrganizationName("aiotune");
    MainWindow window;
    window.show();
    return app.exec();
}

#include "main_window.h"

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("aiotune"));
    setMinimumSize(900, 600);
}

// aiotune-window: the window's own executable; `aiotune` with no subcommand
// starts it, so the headless commands never load Qt's GUI libraries.
int runWindow(int argc, char** argv); // gui_main.cpp

int main(int argc, char** argv) { return runWindow(argc, argv); }

// aiotune: no subcommand opens the window; a subcommand runs headless.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
    if (argc > 1 && (std::strcmp(argv[1], "--version") == 0)) {
        std::printf("aiotune %s\n", AIOTUNE_VERSION);
        return 0;
    }
    std::fprintf(stderr, "aiotune: nothing to do yet\n");
    return 1;
}

// alertbot: the composition root. Each command wires its own parts (bot/cmd_*.cpp).
#include "bot/cli.hpp"

int main(int argc, char** argv) { return alertbot::bot::run_cli(argc, argv); }

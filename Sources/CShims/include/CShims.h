#ifndef PONDER_CSHIMS_H
#define PONDER_CSHIMS_H
// Small C functions over ncurses/readline macros and globals, which Swift 6 cannot
// import (function-like macros) or may not touch (mutable C globals). Prefixed ps_.
#include <stdint.h>

/// Terminal size as ncurses sees it (reads LINES/COLS).
int ps_lines(void);
int ps_cols(void);

#endif

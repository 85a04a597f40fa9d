#ifndef PONDER_CSHIMS_H
#define PONDER_CSHIMS_H
// Small C functions over ncurses macros and globals, which Swift 6 cannot import
// (function-like macros) or may not touch (mutable C globals), plus the signal handlers
// that restore the terminal. Prefixed ps_. All ncurses calls happen on the UI thread;
// only ps_restore_terminal may also run from a signal handler or atexit.
#include <stdint.h>
#include <stddef.h>
#include <wchar.h>
#include "ps_readline.h"

/// Terminal size as ncurses sees it (reads LINES/COLS).
int ps_lines(void);
int ps_cols(void);

/// setlocale(LC_ALL, "") and whether the character set is UTF-8 (1) or not (0).
int ps_setlocale_utf8(void);

/// Starts curses on the controlling terminal: raw keys, no echo, keypad, 25 ms Esc
/// delay, colors when available, mouse wheel if `mouse`, bracketed paste; registers
/// atexit and signal handlers that restore the terminal. 0 on success, -1 when the
/// terminal cannot be used (unknown $TERM, not a tty).
int ps_start(int mouse);
/// Leaves curses mode and turns off paste/mouse reporting. Idempotent; async-signal
/// tolerant (it is what the fatal-signal handler calls).
void ps_restore_terminal(void);
/// Suspends the process like Ctrl-Z in a shell; returns after `fg`.
void ps_suspend(void);
/// Hands the terminal back for a while (to run $EDITOR), and takes it again.
void ps_leave(void);
void ps_reenter(void);
/// 1 once after a SIGCONT (resume) was seen, then 0.
int ps_take_resumed(void);

/// Key codes ps_read_key reports besides ncurses' own KEY_* values.
enum { PS_KEY_PASTE_START = 0x7F00, PS_KEY_PASTE_END = 0x7F01 };
/// Reads one key, waiting up to `timeout_ms` (0 = poll, -1 = forever).
/// Returns 0 = nothing, 1 = a character in *value, 2 = a key code in *value.
int ps_read_key(int timeout_ms, uint32_t *value);
/// After KEY_MOUSE: +1 wheel up, -1 wheel down, 0 anything else.
int ps_mouse_wheel(void);
/// KEY_F(n).
int ps_key_f(int n);

/// Color support: number of colors (0 without color), and defining a pair for a role.
int ps_colors(void);
int ps_color_pairs(void);
/// fg/bg: palette index or -1 for the terminal default.
void ps_init_pair(int pair, int fg, int bg);

/// Attribute bits, see ps_put_cell.
enum { PS_BOLD = 1, PS_UNDERLINE = 2, PS_REVERSE = 4, PS_DIM = 8, PS_ITALIC = 16 };
/// Draws one cell at (y, x): `n` wide characters (a base and its combining marks),
/// color pair `pair`, attributes `attrs` (PS_* bits).
void ps_put_cell(int y, int x, const wchar_t *wcs, int n, int pair, int attrs);
/// Column width of a character in the current locale (wcwidth), -1 if unprintable.
int ps_wcwidth(uint32_t ch);
/// Moves the visible cursor, or hides it when y < 0.
void ps_cursor(int y, int x);
/// Pushes the drawn frame to the terminal.
void ps_flush(void);
/// Next flush repaints the whole terminal (Ctrl-L, resume).
void ps_force_repaint(void);
/// Writes bytes straight to the terminal (OSC 52), bypassing curses.
void ps_write_tty(const char *bytes, size_t n);

#endif

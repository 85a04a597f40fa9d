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
/// tolerant (it is what the fatal-signal handler calls); does nothing outside the
/// terminal's foreground process group.
void ps_restore_terminal(void);

// Job control (jobcontrol.c). The terminal's modes are touched only from its
// foreground process group; nothing is painted in the background.

/// 1 when this process is in the terminal's foreground process group.
int ps_foreground(void);
/// Suspends like Ctrl-Z in a shell: the terminal back in its original mode, the job
/// stopped; returns after `fg` or `bg` (ps_sync_terminal then says which).
void ps_suspend(void);
/// 1 once after a SIGTSTP from outside (kill -TSTP), then 0: the UI should ps_suspend.
int ps_take_stop_request(void);
/// Between key reads: -1 = in the background (paint nothing, read no keys), 1 = the
/// terminal came back (curses' modes are on again: repaint everything, re-read the
/// size), 0 = carry on.
int ps_sync_terminal(void);
/// Runs `path` with `argv` (NULL-terminated) in a process group of its own that gets the
/// terminal in its original mode, waits for it, and takes the terminal back (the next
/// ps_sync_terminal returns 1). Returns its exit status, 128 + signal, or -1 when it
/// could not start.
int ps_run_foreground(const char *path, char *const argv[]);

/// Key codes ps_read_key reports besides ncurses' own KEY_* values.
enum { PS_KEY_PASTE_START = 0x7F00, PS_KEY_PASTE_END = 0x7F01 };
/// Reads one key, waiting up to `timeout_ms` (0 = poll, -1 = forever).
/// Returns 0 = nothing, 1 = a character in *value, 2 = a key code in *value.
int ps_read_key(int timeout_ms, uint32_t *value);
/// Reads up to `cap` bytes straight from the terminal, bypassing ncurses (for the body
/// of a bracketed paste, which ncurses would read one byte per system call), waiting up
/// to `timeout_ms` for the first. Returns the count, 0 after the timeout, -1 on error.
long ps_read_bytes(void *buf, size_t cap, int timeout_ms);
/// Gives `n` bytes back to ncurses' input queue, to be read as keys next: the first 128
/// at most (the queue is small). Returns how many went back.
long ps_unread_bytes(const uint8_t *bytes, size_t n);
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

#define _GNU_SOURCE 1
#include "CShims.h"
#include "../CNcursesw/shim.h"
#include "internal.h"
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ps_lines(void) { return LINES; }
int ps_cols(void) { return COLS; }

int ps_setlocale_utf8(void) {
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

// Set while curses' modes are on the terminal; read by the signal handlers.
volatile sig_atomic_t ps_active = 0;
static SCREEN *ps_screen = NULL;

static void ps_write_all(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, s, n);
        if (w <= 0) return;
        s += w; n -= (size_t)w;
    }
}

void ps_leave_mode(void) {
    if (!ps_active) return;
    ps_active = 0;
    // A process outside the terminal's foreground group must not touch it: the shell's
    // modes are on it, and tcsetattr would stop us with SIGTTOU.
    if (!ps_foreground()) return;
    // Bracketed paste and every mouse mode off, cursor visible, then curses' own reset.
    ps_write_all("\033[?2004l\033[?1000l\033[?1002l\033[?1003l\033[?1006l\033[?25h");
    endwin();
}

void ps_restore_terminal(void) { ps_leave_mode(); }

void ps_enter_mode(void) {
    reset_prog_mode();
    ps_write_all("\033[?2004h");
    clearok(curscr, TRUE);
    ps_active = 1;
}

static void ps_fatal(int sig) {
    ps_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void ps_install_signals(void) {
    static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS,
                                SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ps_fatal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
    ps_install_job_signals();
}

int ps_start(int mouse) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return -1;
    ps_screen = newterm(NULL, stdout, stdin);
    if (!ps_screen) return -1;
    set_term(ps_screen);
    ps_active = 1;
    static int registered = 0;
    if (!registered) { atexit(ps_restore_terminal); registered = 1; }
    // After newterm, which installs ncurses' own SIGTSTP handler (it would repaint and
    // set modes after `bg`, with SIGTTOU blocked): ours replace it.
    ps_install_signals();
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    meta(stdscr, TRUE);
    set_escdelay(25);
    if (has_colors()) { start_color(); use_default_colors(); }
    if (mouse) {
        mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    define_key("\033[200~", PS_KEY_PASTE_START);
    define_key("\033[201~", PS_KEY_PASTE_END);
    ps_write_all("\033[?2004h");
    return 0;
}

int ps_read_key(int timeout_ms, uint32_t *value) {
    // Away from the terminal (suspended, in the background, lending it to the editor):
    // a read would refresh the screen, and so set curses' modes, from wherever we are.
    if (!ps_active) return 0;
    wtimeout(stdscr, timeout_ms);
    wint_t ch = 0;
    int r = wget_wch(stdscr, &ch);
    if (r == ERR) return 0;
    *value = (uint32_t)ch;
    return r == KEY_CODE_YES ? 2 : 1;
}

long ps_read_bytes(void *buf, size_t cap, int timeout_ms) {
    if (!ps_active) return -1;
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    int r;
    while ((r = poll(&p, 1, timeout_ms)) == -1 && errno == EINTR) {}
    if (r <= 0) return r;
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, cap)) == -1 && errno == EINTR) {}
    return n;
}

long ps_unread_bytes(const uint8_t *bytes, size_t n) {
    // ungetch pushes to the front of the queue: last byte first. The queue holds
    // MAXCOLUMNS + 2 = 137 entries: keep the first 128 bytes, drop the rest.
    if (n > 128) n = 128;
    size_t fitted = 0;
    for (size_t i = n; i > 0; i--) {
        if (ungetch(bytes[i - 1]) != OK) break;
        fitted++;
    }
    return (long)fitted;
}

int ps_mouse_wheel(void) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return 0;
    if (ev.bstate & BUTTON4_PRESSED) return 1;
#ifdef BUTTON5_PRESSED
    if (ev.bstate & BUTTON5_PRESSED) return -1;
#endif
    return 0;
}

int ps_key_f(int n) { return KEY_F(n); }

int ps_colors(void) { return has_colors() ? COLORS : 0; }
int ps_color_pairs(void) { return has_colors() ? COLOR_PAIRS : 0; }
void ps_init_pair(int pair, int fg, int bg) { init_pair((short)pair, (short)fg, (short)bg); }

void ps_put_cell(int y, int x, const wchar_t *wcs, int n, int pair, int attrs) {
    wchar_t buf[CCHARW_MAX + 1];
    int k = n < CCHARW_MAX ? n : CCHARW_MAX;
    for (int i = 0; i < k; i++) buf[i] = wcs[i];
    buf[k] = 0;
    attr_t a = A_NORMAL;
    if (attrs & PS_BOLD) a |= A_BOLD;
    if (attrs & PS_UNDERLINE) a |= A_UNDERLINE;
    if (attrs & PS_REVERSE) a |= A_REVERSE;
    if (attrs & PS_DIM) a |= A_DIM;
#ifdef A_ITALIC
    if (attrs & PS_ITALIC) a |= A_ITALIC;
#endif
    cchar_t cc;
    if (setcchar(&cc, buf, a, (short)pair, NULL) != OK) {
        wchar_t q[2] = { L'?', 0 };
        setcchar(&cc, q, a, (short)pair, NULL);
    }
    mvwadd_wch(stdscr, y, x, &cc);
}

int ps_wcwidth(uint32_t ch) { return wcwidth((wchar_t)ch); }

void ps_cursor(int y, int x) {
    if (!ps_active) return;   // curs_set writes to the terminal at once
    if (y < 0) { curs_set(0); return; }
    curs_set(1);
    wmove(stdscr, y, x);
}

void ps_flush(void) {
    if (!ps_active) return;   // as in ps_read_key: doupdate would resume curses' modes
    wnoutrefresh(stdscr);
    doupdate();
}
void ps_force_repaint(void) { clearok(curscr, TRUE); }

void ps_write_tty(const char *bytes, size_t n) {
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, bytes, n);
        if (w <= 0) return;
        bytes += w; n -= (size_t)w;
    }
}

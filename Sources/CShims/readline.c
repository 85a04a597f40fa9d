#define _GNU_SOURCE 1
#include "ps_readline.h"
#include "../CReadline/shim.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

// ---- signals --------------------------------------------------------------------------
// The handlers only set a flag and write one byte into a self-pipe: the pipe wakes the
// poll() in ps_rl_readline whichever thread the kernel delivered the signal to.

static volatile sig_atomic_t ps_sigint = 0;
static volatile sig_atomic_t ps_winch = 0;
static volatile sig_atomic_t ps_tstp = 0;
static int ps_pipe[2] = { -1, -1 };
static struct sigaction ps_old_int, ps_old_winch;
static int ps_installed = 0;

static void ps_on_signal(int sig) {
    int saved = errno;
    if (sig == SIGINT) ps_sigint = 1;
    else if (sig == SIGTSTP) ps_tstp = 1;
    else ps_winch = 1;
    char b = 0;
    if (ps_pipe[1] >= 0) (void)!write(ps_pipe[1], &b, 1);
    errno = saved;
}

static void ps_drain_pipe(void) {
    char buf[64];
    if (ps_pipe[0] < 0) return;
    while (read(ps_pipe[0], buf, sizeof buf) > 0) {}
}

int ps_rl_take_interrupt(void) {
    if (!ps_sigint) return 0;
    ps_sigint = 0;
    ps_drain_pipe();
    return 1;
}

// ---- completion -----------------------------------------------------------------------
// readline asks ps_attempt for the word at the cursor; the Swift callback returns every
// candidate at once, and ps_generate hands them to rl_completion_matches one by one
// (which also computes their common prefix, matches[0]).

static ps_rl_completer ps_completer = NULL;
static int ps_getc(FILE *stream);           // see "keys during a reply"
static char **ps_cands = NULL;
static size_t ps_ncands = 0, ps_next = 0;

static char *ps_generate(const char *text, int state) {
    (void)text;
    if (state == 0) ps_next = 0;
    return ps_next < ps_ncands ? strdup(ps_cands[ps_next++]) : NULL;
}

static char **ps_attempt(const char *text, int start, int end) {
    rl_attempted_completion_over = 1;       // never fall back to readline's file names
    if (!ps_completer) return NULL;
    int paths = 0;
    char *all = ps_completer(rl_line_buffer, start, end, &paths);
    if (!all) return NULL;
    size_t cap = 1;
    for (const char *p = all; *p; p++) cap += *p == '\n';
    ps_cands = malloc(cap * sizeof *ps_cands);
    ps_ncands = 0;
    char *save = NULL;
    for (char *tok = strtok_r(all, "\n", &save); tok && ps_cands; tok = strtok_r(NULL, "\n", &save))
        ps_cands[ps_ncands++] = tok;
    rl_filename_completion_desired = paths;
    char **matches = ps_ncands > 0 ? rl_completion_matches(text, ps_generate) : NULL;
    free(ps_cands);
    ps_cands = NULL;
    ps_ncands = 0;
    free(all);
    return matches;
}

// ---- setup ----------------------------------------------------------------------------

void ps_rl_setup(const char *app_name, ps_rl_completer completer, int out_fd) {
    static char name[64];
    snprintf(name, sizeof name, "%s", app_name);
    rl_readline_name = name;
    rl_instream = stdin;
    rl_outstream = out_fd == 2 ? stderr : stdout;
    // Signals are ours (see above); readline must not set LINES/COLUMNS either.
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    ps_completer = completer;
    rl_attempted_completion_function = ps_attempt;
    rl_getc_function = ps_getc;
    // Words end at white space only: paths may hold '=', ':', '@' and so on.
    rl_completer_word_break_characters = " \t\n";
    using_history();
    rl_initialize();                        // reads ~/.inputrc (or $INPUTRC)
    if (ps_installed) return;
    if (pipe2(ps_pipe, O_CLOEXEC | O_NONBLOCK) != 0) ps_pipe[0] = ps_pipe[1] = -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ps_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;               // poll() is interrupted anyway; other calls are not
    sigaction(SIGINT, &sa, &ps_old_int);
    sigaction(SIGWINCH, &sa, &ps_old_winch);
    ps_installed = 1;
}

void ps_rl_teardown(void) {
    if (!ps_installed) return;
    sigaction(SIGINT, &ps_old_int, NULL);
    sigaction(SIGWINCH, &ps_old_winch, NULL);
    close(ps_pipe[0]);
    close(ps_pipe[1]);
    ps_pipe[0] = ps_pipe[1] = -1;
    ps_installed = 0;
}

void ps_rl_add_history(const char *line) { add_history(line); }

// ---- keys during a reply --------------------------------------------------------------
// While a reply streams, the terminal is not readline's: in its own (cooked) mode an Esc
// would echo "^[" into the reply and wait in the input queue, where the next read took it
// for a Meta prefix and swallowed the key after it. So during a reply the terminal is put
// in non-canonical mode without echo (signals kept: Ctrl-C, Ctrl-Z), the keys are read as
// they come: a lone Esc stops the reply (as in the full-screen chat), anything else is
// kept, in order, and readline reads it first at the next prompt (ps_getc), where it shows
// on the line as if typed there.

static struct termios ps_reply_saved;
static int ps_reply_on = 0;
static unsigned char ps_ahead[4096];         // keys typed during a reply, not yet read
static size_t ps_ahead_len = 0, ps_ahead_pos = 0;
static int ps_esc_pending = 0;              // the last byte read was an Esc, alone so far

// Whether this process is the terminal's foreground group: only then may it set the
// terminal's modes (a background job would be stopped by SIGTTOU).
static int ps_foreground(int fd) { return tcgetpgrp(fd) == getpgrp(); }

static void ps_reply_modes(int fd) {
    struct termios t = ps_reply_saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &t);
}

// Ctrl-Z during a reply: the terminal's own modes back before the stop, ours after `fg`
// (only async-signal-safe calls; SA_NODEFER lets the raise stop the process right here).
static int ps_reply_fd = -1;
static struct sigaction ps_reply_old_tstp;

static void ps_reply_on_tstp(int sig) {
    int saved = errno;
    struct sigaction deflt, ours;
    memset(&deflt, 0, sizeof deflt);
    deflt.sa_handler = SIG_DFL;
    sigemptyset(&deflt.sa_mask);
    tcsetattr(ps_reply_fd, TCSANOW, &ps_reply_saved);
    sigaction(SIGTSTP, &deflt, &ours);
    raise(sig);                             // stops here until fg
    sigaction(SIGTSTP, &ours, NULL);
    if (ps_foreground(ps_reply_fd)) ps_reply_modes(ps_reply_fd);
    errno = saved;
}

int ps_rl_reply_begin(void) {
    int fd = fileno(rl_instream);
    if (ps_reply_on || !isatty(fd) || !ps_foreground(fd) || tcgetattr(fd, &ps_reply_saved) != 0) return 0;
    ps_reply_fd = fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ps_reply_on_tstp;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    sigaction(SIGTSTP, &sa, &ps_reply_old_tstp);
    ps_reply_modes(fd);
    ps_reply_on = 1;
    ps_esc_pending = 0;
    return 1;
}

int ps_rl_reply_poll(void) {
    if (!ps_reply_on) return 0;
    int fd = fileno(rl_instream);
    if (!ps_foreground(fd)) return 0;
    // After Ctrl-Z and fg the shell may have left its own modes: put ours back.
    struct termios now;
    if (tcgetattr(fd, &now) == 0 && (now.c_lflag & (ICANON | ECHO))) ps_reply_modes(fd);
    if (ps_ahead_pos == ps_ahead_len) ps_ahead_pos = ps_ahead_len = 0;
    int got = 0;
    while (ps_ahead_len < sizeof ps_ahead) {
        ssize_t n = read(fd, ps_ahead + ps_ahead_len, sizeof ps_ahead - ps_ahead_len);
        if (n <= 0) break;
        ps_ahead_len += (size_t)n;
        got = 1;
    }
    // An Esc with nothing after it since the previous poll (50 ms): the Esc key itself,
    // not the start of an arrow key's sequence or of an Alt combination.
    if (ps_esc_pending && !got) {
        ps_esc_pending = 0;
        ps_ahead_len--;                     // the Esc is spent on stopping the reply
        return 1;
    }
    ps_esc_pending = got && ps_ahead[ps_ahead_len - 1] == 0x1B;
    return 0;
}

void ps_rl_reply_end(void) {
    if (!ps_reply_on) return;
    int fd = fileno(rl_instream);
    if (ps_foreground(fd)) {
        // Keys typed up to now are kept in order; an Esc pressed as the reply ended was
        // meant to stop it, not to prefix the next key.
        if (ps_rl_reply_poll() == 0 && ps_esc_pending) ps_ahead_len--;
        tcsetattr(fd, TCSANOW, &ps_reply_saved);
    }
    ps_esc_pending = 0;
    ps_reply_on = 0;
    sigaction(SIGTSTP, &ps_reply_old_tstp, NULL);
}

// readline's reads: the keys typed during the last reply first.
static int ps_getc(FILE *stream) {
    if (ps_ahead_pos < ps_ahead_len) return ps_ahead[ps_ahead_pos++];
    return rl_getc(stream);
}

// ---- reading one line -----------------------------------------------------------------

static char *ps_line = NULL;
static int ps_done = 0, ps_eof = 0;

static void ps_on_line(char *line) {
    ps_done = 1;
    if (line) ps_line = line; else ps_eof = 1;
    rl_callback_handler_remove();           // terminal back in its own mode
}

// Ctrl-Z at the prompt: readline's terminal mode is taken off before the stop and put
// back, with the line redrawn, after `fg` (what readline does itself when it owns the
// signals). Only while a line is read: during a reply the terminal is in its own mode
// and Ctrl-Z keeps its default action.
static void ps_suspend_at_prompt(const struct sigaction *deflt, const struct sigaction *ours) {
    rl_cleanup_after_signal();
    fputc('\n', rl_outstream);
    fflush(rl_outstream);
    sigaction(SIGTSTP, deflt, NULL);
    // This thread may block SIGTSTP (Foundation's threads block most signals): unblock
    // it around raise() so the stop happens here, before raise returns.
    sigset_t tstp, was;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &tstp, &was);
    raise(SIGTSTP);                         // stops here until fg
    pthread_sigmask(SIG_SETMASK, &was, NULL);
    sigaction(SIGTSTP, ours, NULL);
    rl_reset_after_signal();
    rl_forced_update_display();
}

static int ps_readline_loop(const char *prompt, char **line);

int ps_rl_readline(const char *prompt, char **line) {
    struct sigaction ours, old;
    memset(&ours, 0, sizeof ours);
    ours.sa_handler = ps_on_signal;
    sigemptyset(&ours.sa_mask);
    ours.sa_flags = SA_RESTART;
    ps_tstp = 0;
    sigaction(SIGTSTP, &ours, &old);
    int r = ps_readline_loop(prompt, line);
    sigaction(SIGTSTP, &old, NULL);
    return r;
}

static int ps_readline_loop(const char *prompt, char **line) {
    struct sigaction deflt, ours;
    memset(&deflt, 0, sizeof deflt);
    deflt.sa_handler = SIG_DFL;
    sigemptyset(&deflt.sa_mask);
    sigaction(SIGTSTP, NULL, &ours);
    *line = NULL;
    ps_sigint = 0;                          // a Ctrl-C from before the prompt is spent
    ps_drain_pipe();
    if (ps_winch) { ps_winch = 0; rl_reset_screen_size(); }
    ps_done = ps_eof = 0;
    ps_line = NULL;
    rl_callback_handler_install(prompt, ps_on_line);
    int in = fileno(rl_instream);
    // Keys typed during the reply: on the line (or a whole line, when Enter was among them).
    while (!ps_done && ps_ahead_pos < ps_ahead_len) rl_callback_read_char();
    while (!ps_done) {
        struct pollfd fds[2] = { { in, POLLIN, 0 }, { ps_pipe[0], POLLIN, 0 } };
        int r = poll(fds, ps_pipe[0] >= 0 ? 2 : 1, -1);
        if (r < 0 && errno != EINTR) { rl_callback_handler_remove(); return PS_RL_EOF; }
        if (ps_sigint) {
            // The order Python's readline module uses for the callback interface.
            ps_sigint = 0;
            ps_drain_pipe();
            rl_echo_signal_char(SIGINT);
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_cleanup_after_signal();
            rl_callback_handler_remove();
            fputc('\n', rl_outstream);
            fflush(rl_outstream);
            return PS_RL_INTERRUPTED;
        }
        if (ps_tstp) { ps_tstp = 0; ps_suspend_at_prompt(&deflt, &ours); }
        if (ps_winch) { ps_winch = 0; rl_resize_terminal(); }
        if (r > 0 && ps_pipe[0] >= 0 && (fds[1].revents & POLLIN)) ps_drain_pipe();
        if (r > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) rl_callback_read_char();
    }
    if (ps_eof) {
        fputc('\n', rl_outstream);
        fflush(rl_outstream);
        return PS_RL_EOF;
    }
    *line = ps_line;
    ps_line = NULL;
    return PS_RL_LINE;
}

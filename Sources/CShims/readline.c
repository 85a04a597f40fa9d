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

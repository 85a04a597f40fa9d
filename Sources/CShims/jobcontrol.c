// Job control for the full-screen UI: suspending (Ctrl-Z), running in the background
// after `bg`, resuming, and lending the terminal to a child (the Ctrl-G editor).
//
// Rules: the terminal's modes are changed only by a process in its foreground process
// group (tcgetpgrp == getpgrp); nothing is painted while in the background; every resume
// in the foreground puts curses' modes back and repaints everything. All terminal work
// happens on the UI thread: the signal handlers only set flags (ps_sync_terminal reads
// them between key reads).
#define _GNU_SOURCE 1
#include "CShims.h"
#include "internal.h"
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t ps_resumed = 0;        // a SIGCONT came
static volatile sig_atomic_t ps_stop_requested = 0; // a SIGTSTP came (kill -TSTP)
// The terminal may not be in curses' modes (after a stop, in the background, after the
// editor): the next ps_sync_terminal in the foreground must put them back and repaint.
static volatile sig_atomic_t ps_away = 0;

int ps_foreground(void) {
    pid_t fg = tcgetpgrp(STDIN_FILENO);
    return fg != -1 && fg == getpgrp();
}

static void ps_on_cont(int sig) { (void)sig; ps_resumed = 1; }
static void ps_on_tstp(int sig) { (void)sig; ps_stop_requested = 1; }

void ps_install_job_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = ps_on_cont;
    sigaction(SIGCONT, &sa, NULL);
    sa.sa_handler = ps_on_tstp;
    sigaction(SIGTSTP, &sa, NULL);
}

int ps_take_stop_request(void) {
    if (!ps_stop_requested) return 0;
    ps_stop_requested = 0;
    return 1;
}

void ps_suspend(void) {
    ps_leave_mode();
    ps_away = 1;
    // Stop the rest of the job as the terminal's Ctrl-Z would (a wrapper script in the
    // same process group must stop too, or its shell keeps waiting on it), with our own
    // SIGTSTP ignored so that it is discarded at once instead of arriving after the
    // resume; then stop this process with SIGSTOP sent to this thread, which stops
    // before the call returns (sent to the process, another thread takes it, and this
    // one could run on and put curses' modes back before the stop).
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGTSTP, &ign, &old);
    kill(0, SIGTSTP);
    sigaction(SIGTSTP, &old, NULL);
    pthread_kill(pthread_self(), SIGSTOP);
}

int ps_sync_terminal(void) {
    if (ps_resumed) {
        ps_resumed = 0;
        // While stopped, the shell put its own modes on the terminal.
        ps_away = 1;
    }
    if (!ps_foreground()) {
        // Lost the terminal without a stop (`bg` after a SIGSTOP from outside, or another
        // process group took it): treat the screen as gone until the foreground returns.
        ps_away = 1;
        ps_active = 0;
        return -1;
    }
    if (!ps_away) return 0;
    ps_away = 0;
    ps_enter_mode();
    return 1;
}

/// tcsetpgrp with SIGTTOU blocked in this thread: a background process may then take
/// the terminal back (the kernel stops a background caller unless it blocks or ignores
/// SIGTTOU).
static void ps_give_terminal(pid_t pgrp) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    while (tcsetpgrp(STDIN_FILENO, pgrp) == -1 && errno == EINTR) {}
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int ps_run_foreground(const char *path, char *const argv[]) {
    int owned = ps_foreground();
    ps_leave_mode();
    ps_away = 1;

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group (which then gets the terminal), the default disposition for
    // every signal we catch or ignore, and nothing blocked.
    sigset_t defaults, none;
    sigemptyset(&defaults);
    static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT, SIGINT, SIGQUIT, SIGTERM,
                                SIGHUP, SIGPIPE, SIGCHLD, SIGWINCH };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&defaults, sigs[i]);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, path, NULL, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return -1;
    // Both sides set the group, so that tcsetpgrp finds it whichever runs first.
    setpgid(pid, pid);
    if (owned) ps_give_terminal(pid);

    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WUNTRACED);
        if (r == -1) {
            if (errno == EINTR) continue;
            status = -1;
            break;
        }
        if (WIFSTOPPED(status)) {
            // The editor stopped itself (its Ctrl-Z, or reading the terminal before it
            // was handed over): there is no shell to resume it, so resume it with the
            // terminal.
            if (owned) ps_give_terminal(pid);
            kill(-pid, SIGCONT);
            continue;
        }
        break;
    }
    if (owned) {
        ps_give_terminal(getpgrp());
        // Replies to the editor's terminal queries that arrived after it stopped reading
        // ("2;2R") must not become keys here.
        tcflush(STDIN_FILENO, TCIFLUSH);
    }
    if (status == -1) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#ifndef PONDER_CSHIMS_INTERNAL_H
#define PONDER_CSHIMS_INTERNAL_H
// Shared between the shim's C files, not exported to Swift.
#include <signal.h>

/// 1 while curses' modes (raw keys, no echo, paste reporting) are on the terminal.
extern volatile sig_atomic_t ps_active;
/// Puts the terminal back in the mode it had before curses started (only from the
/// foreground; async-signal tolerant). Clears ps_active.
void ps_leave_mode(void);
/// Puts curses' modes back and marks the whole screen for repainting. Sets ps_active.
void ps_enter_mode(void);
/// Installs the SIGTSTP and SIGCONT handlers (jobcontrol.c).
void ps_install_job_signals(void);

#endif

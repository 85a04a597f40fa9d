#ifndef PONDER_PS_READLINE_H
#define PONDER_PS_READLINE_H
// GNU readline for the line-mode chat, behind functions Swift 6 may call: readline's
// state lives in C globals (rl_*), which Swift 6 may not touch. Prefixed ps_rl_. All
// calls come from one thread at a time (the line chat reads one line, then streams a
// reply, then reads the next). Uses readline's callback interface over poll(), so that
// Ctrl-C at the prompt discards the line instead of ending the program.

/// Completion callback. `line` is the whole input line, the word being completed is
/// line[start, end) in bytes. Returns a malloc'd string of candidates separated by '\n',
/// each a full replacement for the word (NULL or "" for none); sets *paths to 1 when the
/// candidates are file names (readline then marks directories with '/').
typedef char *(*ps_rl_completer)(const char *line, int start, int end, int *paths);

/// Sets up readline once: `rl_readline_name` = app_name (so `$if ponder` works in
/// ~/.inputrc, which readline reads here), Tab completion through `completer` (never
/// readline's own file names), prompt and echo on stdout (`out_fd` 1) or stderr (2);
/// installs SIGINT and SIGWINCH handlers that only set flags (see ps_rl_take_interrupt).
void ps_rl_setup(const char *app_name, ps_rl_completer completer, int out_fd);
/// Puts back the SIGINT and SIGWINCH handlers that were there before ps_rl_setup.
void ps_rl_teardown(void);

/// What ps_rl_readline read.
enum { PS_RL_LINE = 0, PS_RL_EOF = 1, PS_RL_INTERRUPTED = 2 };
/// Shows `prompt` and reads one line with editing. PS_RL_LINE: *line is the text
/// (malloc'd, without the newline; the caller frees it). PS_RL_EOF: Ctrl-D on an empty
/// line or end of input. PS_RL_INTERRUPTED: Ctrl-C, the line was dropped. The terminal is
/// back in its own mode when this returns.
int ps_rl_readline(const char *prompt, char **line);
/// Appends an entry to readline's history list (in memory; Up recalls it).
void ps_rl_add_history(const char *line);
/// Between two reads, while a reply streams: puts the terminal (when it is standard input
/// and this process is in its foreground) in non-canonical mode without echo, so that keys
/// are read as they come. 1 when it did, 0 when the terminal is left alone.
int ps_rl_reply_begin(void);
/// Reads the keys typed since the last call (every 50 ms or so): 1 when the Esc key was
/// pressed alone (the reply should stop), else 0. Other keys are kept for the next read.
int ps_rl_reply_poll(void);
/// Reads what was typed, then gives the terminal its mode from before ps_rl_reply_begin.
void ps_rl_reply_end(void);
/// 1 once after a Ctrl-C (SIGINT) was caught outside ps_rl_readline, then 0.
int ps_rl_take_interrupt(void);

#endif

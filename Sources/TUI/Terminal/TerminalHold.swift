import CShims

/// Where a full-screen loop stands with the terminal, checked between key reads (see
/// CShims' jobcontrol.c): it paints and reads keys only in the foreground, and repaints
/// everything when the terminal comes back (`fg`, the editor's exit).
enum TerminalHold {
    /// Paint and read as usual.
    case foreground
    /// Back in the foreground with curses' modes on again: repaint in full, re-read the size.
    case regained
    /// In the background (after `bg`): paint nothing, read no keys, touch no mode.
    case background

    /// Takes a pending stop request (kill -TSTP) first, then checks the terminal.
    static func check() -> TerminalHold {
        if ps_take_stop_request() == 1 { ps_suspend() }
        switch ps_sync_terminal() {
        case -1: return .background
        case 1: return .regained
        default: return .foreground
        }
    }
}

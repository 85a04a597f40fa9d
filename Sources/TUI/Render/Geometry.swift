/// Where each part of the screen goes for a terminal of `width` × `height` cells.
///
///     rows 0 ..< paneRows      conversation
///     noticeRows (optional)    the notice ("saved to …", errors), wrapped, up to
///                              Notice.maxRows rows and half of what the pane would keep
///     statsRows                1 row below 12 rows of height, else 2
///     inputRow = height - 1    the input line
///
/// In the split layout (`ReasoningLayout.isSplit`) the rows of the conversation are
/// split: the conversation on the left (`convWidth`, 55% of the columns, for answers and
/// code), a border column, and the focused turn's reasoning on the right (`sideWidth`,
/// the rest: 80 columns of 180). The notice, stats bar and input keep the full width.
///
/// Below `minWidth` × `minHeight` the whole screen says the terminal is too small.
struct Geometry: Equatable {
    static let minWidth = 20
    static let minHeight = 5

    let width: Int
    let height: Int
    let tooSmall: Bool
    let paneRows: Int
    let noticeRows: Range<Int>
    let statsRows: Range<Int>
    let inputRow: Int
    let sideWidth: Int
    let convWidth: Int

    /// `noticeLines`: the notice's wrapped line count (0 = no notice).
    init(width: Int, height: Int, noticeLines: Int, split: Bool = false) {
        self.width = width; self.height = height
        sideWidth = split ? width - width * 55 / 100 - 1 : 0
        convWidth = sideWidth > 0 ? width - sideWidth - 1 : width
        tooSmall = width < Geometry.minWidth || height < Geometry.minHeight
        let stats = height >= 12 ? 2 : 1
        inputRow = max(0, height - 1)
        statsRows = max(0, inputRow - stats)..<inputRow
        let notice = noticeLines == 0 ? 0
            : max(1, min(noticeLines, Notice.maxRows, statsRows.lowerBound / 2))
        noticeRows = max(0, statsRows.lowerBound - notice)..<statsRows.lowerBound
        paneRows = noticeRows.lowerBound
    }

    init(_ s: UIState) {
        self.init(width: s.width, height: s.height,
                  noticeLines: s.notice?.wrapped(width: max(1, s.width)).count ?? 0,
                  split: s.layout.isSplit(width: s.width))
    }
}

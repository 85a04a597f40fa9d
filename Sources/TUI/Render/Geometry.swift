/// Where each part of the screen goes for a terminal of `width` × `height` cells.
///
///     rows 0 ..< paneRows      conversation
///     noticeRow (optional)     one notice line ("saved to …", errors)
///     statsRows                1 row below 12 rows of height, else 2
///     inputRow = height - 1    the input line
///
/// Below `minWidth` × `minHeight` the whole screen says the terminal is too small.
struct Geometry: Equatable {
    static let minWidth = 20
    static let minHeight = 5

    let width: Int
    let height: Int
    let tooSmall: Bool
    let paneRows: Int
    let noticeRow: Int?
    let statsRows: Range<Int>
    let inputRow: Int

    init(width: Int, height: Int, hasNotice: Bool) {
        self.width = width; self.height = height
        tooSmall = width < Geometry.minWidth || height < Geometry.minHeight
        let stats = height >= 12 ? 2 : 1
        inputRow = max(0, height - 1)
        statsRows = max(0, inputRow - stats)..<inputRow
        if hasNotice {
            noticeRow = max(0, statsRows.lowerBound - 1)
            paneRows = max(0, statsRows.lowerBound - 1)
        } else {
            noticeRow = nil
            paneRows = statsRows.lowerBound
        }
    }

    init(_ s: UIState) { self.init(width: s.width, height: s.height, hasNotice: s.notice != nil) }
}

// MARK: - Header fields and folding (RFC 5322 sections 2.2 and 2.2.3)

/// One rendered header field: `Name: value`, folded to lines of at most 78 characters where
/// the value allows it.
struct HeaderField: Sendable {
    /// RFC 5322 section 2.1.1: lines SHOULD be no more than 78 characters, excluding CRLF.
    static let preferredLineLength = 78

    let name: String
    /// The value, unfolded and possibly long.
    let pieces: [String]

    /// A field whose value is `pieces`, each preceded by one space; a fold (CRLF before that
    /// space) is allowed before any piece but the first.
    init(name: String, pieces: [String]) {
        self.name = name
        self.pieces = pieces
    }

    /// A field with unstructured text (Subject, extra headers): plain ASCII words when the
    /// text is plain, RFC 2047 encoded-words otherwise.
    init(name: String, text: String) {
        self.init(name: name, pieces: HeaderField.unstructuredPieces(text, prefixLength: name.count + 1))
    }

    /// `Name: piece piece…` with folds where a line would pass 78 characters, CRLF-terminated.
    var rendered: String {
        var output = name + ":"
        var column = output.count
        for (index, piece) in pieces.enumerated() {
            if index > 0 && column + 1 + piece.count > HeaderField.preferredLineLength {
                output += "\r\n"
                column = 0
            }
            output += " " + piece
            column += 1 + piece.count
        }
        return output + "\r\n"
    }

    /// Splits unstructured text into foldable pieces. The text is kept as ASCII words only
    /// when unfolding gives it back exactly and no word needs a line of its own longer than 78;
    /// otherwise it becomes encoded-words, which can be split anywhere between scalars.
    static func unstructuredPieces(_ text: String, prefixLength: Int) -> [String] {
        if text.isEmpty { return [] }
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        let isPlain = text.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value <= 0x7E || $0 == " " }
            && !text.contains("=?")  // would be mistaken for an encoded-word (RFC 2047 section 5)
            && words.allSatisfy { !$0.isEmpty }  // no leading, trailing or double spaces
            && words.first.map { prefixLength + 1 + $0.count <= preferredLineLength } ?? true
            && words.dropFirst().allSatisfy { 1 + $0.count <= preferredLineLength }
        if isPlain {
            return words.map(String.init)
        }
        let first = min(EncodedWord.maximumLength, preferredLineLength - prefixLength - 1)
        return EncodedWord.encode(text, firstLimit: first)
    }
}

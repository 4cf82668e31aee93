import AdvocateCore
import Testing

// MARK: - Helpers

/// A published bcrypt test vector: the password and the hash every implementation agrees on.
struct BCryptVector: Sendable, CustomTestStringConvertible {
    var password: String
    var hash: String
    var testDescription: String { "\"\(password)\" → \(hash)" }
}

/// Published vectors, each also checked against libxcrypt's crypt(3) when they were added.
/// - Cost 5: the crypt_blowfish / John the Ripper set (Solar Designer), also in OpenBSD-derived suites.
/// - Cost 6: the jBCrypt (Damien Miller) set, carried over by py-bcrypt and passlib.
/// - Cost 4: from the "Published Test Vectors" collection (patrickfav/bcrypt) and pyca/bcrypt's `$2b$` set.
private let publishedVectors: [BCryptVector] = [
    BCryptVector(password: "", hash: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"),
    BCryptVector(password: "U*U", hash: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
    BCryptVector(password: "U*U*", hash: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"),
    BCryptVector(password: "U*U*U", hash: "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"),
    BCryptVector(password: longVectorPassword, hash: longVectorHash),
    BCryptVector(password: "", hash: "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s."),
    BCryptVector(password: "a", hash: "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe"),
    BCryptVector(password: "abc", hash: "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i"),
    BCryptVector(password: "abcdefghijklmnopqrstuvwxyz",
                 hash: "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC"),
    BCryptVector(password: "~!@#$%^&*()      ~!@#$%^&*()PNBFRD",
                 hash: "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO"),
    BCryptVector(password: "", hash: "$2a$04$zVHmKQtGGQob.b/Nc7l9NO8UlrYcW05FiuCj/SxsFO/ZtiN9.mNzy"),
    BCryptVector(password: "Kk4DQuMMfZL9o", hash: "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"),
]

/// The published vector whose password is longer than 72 bytes: its hash is that of the first 72.
private let longVectorPassword = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored"
private let longVectorHash = "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"

/// The 16 salt bytes spelled by characters 7..<29 of a bcrypt string (bcrypt's base64: `./A-Za-z0-9`,
/// most significant bits first); decoded here independently of the implementation under test.
private func saltBytes(of hash: String) -> [UInt8] {
    let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    var bits: [Bool] = []
    for c in Array(hash.utf8)[7..<29] {
        let value = alphabet.firstIndex(of: c)!
        bits += (0..<6).map { value >> (5 - $0) & 1 == 1 }
    }
    return (0..<16).map { byte in bits[byte * 8..<byte * 8 + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) } }
}

/// The cost written in a bcrypt string.
private func cost(of hash: String) -> Int { Int(hash.dropFirst(4).prefix(2))! }

/// `hash` with its two cost characters replaced.
private func withCost(_ cost: String, _ hash: String) -> String { String(hash.prefix(4)) + cost + String(hash.dropFirst(6)) }

/// `hash` with its `$2x$` prefix replaced.
private func withPrefix(_ prefix: String, _ hash: String) -> String { prefix + String(hash.dropFirst(4)) }

private let bcryptCharacters = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

// MARK: - Tests

@Suite("BCrypt")
struct BCryptTests {
    @Test("published vectors verify", arguments: publishedVectors)
    func publishedVectorsVerify(vector: BCryptVector) {
        #expect(BCrypt.verify(vector.password, against: vector.hash))
    }

    @Test("hashing with a published vector's salt and cost gives its hash, spelled $2b$",
          arguments: publishedVectors.filter { $0.password.utf8.count <= 72 })
    func hashingReproducesPublishedVectors(vector: BCryptVector) throws {
        let hash = try BCrypt.hash(vector.password, cost: cost(of: vector.hash), salt: saltBytes(of: vector.hash))
        #expect(hash == withPrefix("$2b$", vector.hash))
    }

    @Test("a random salt round-trips: $2b$, 60 characters of bcrypt's alphabet, a new salt each time")
    func randomSaltRoundTrip() throws {
        let password = "correct horse battery staple"
        let first = try BCrypt.hash(password, cost: 4)
        let second = try BCrypt.hash(password, cost: 4)
        #expect(first.hasPrefix("$2b$04$"))
        #expect(first.count == 60)
        #expect(first.dropFirst(7).allSatisfy(bcryptCharacters.contains))
        #expect(first != second)
        #expect(BCrypt.verify(password, against: first))
        #expect(BCrypt.verify(password, against: second))
    }

    @Test("a wrong password does not verify")
    func wrongPassword() throws {
        let uu = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
        #expect(!BCrypt.verify("U*U*", against: uu))
        #expect(!BCrypt.verify("u*U", against: uu))
        #expect(!BCrypt.verify("U*U ", against: uu))
        #expect(!BCrypt.verify("", against: uu))
        let mine = try BCrypt.hash("hunter2", cost: 4)
        #expect(!BCrypt.verify("hunter3", against: mine))
        #expect(!BCrypt.verify("Hunter2", against: mine))
    }

    @Test("$2a$, $2b$ and $2y$ hashes are verified alike")
    func prefixesAccepted() {
        for prefix in ["$2a$", "$2b$", "$2y$"] {
            for vector in publishedVectors.prefix(4) {
                let hash = withPrefix(prefix, vector.hash)
                #expect(BCrypt.verify(vector.password, against: hash), "\(hash)")
                #expect(!BCrypt.verify(vector.password + "!", against: hash), "\(hash)")
            }
        }
    }

    @Test("malformed hashes do not verify: length, prefix, cost, separators, alphabet")
    func malformedHashes() {
        let password = "U*U"
        let good = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
        #expect(BCrypt.verify(password, against: good))
        let malformed: [String] = [
            "",
            String(good.dropLast()),  // 59 characters
            good + ".",  // 61 characters
            good.replacingCharacter(at: 58, with: "é"),  // 60 characters but 61 bytes
            good.replacingCharacter(at: 2, with: "x"),  // $2x$
            good.replacingCharacter(at: 1, with: "3"),  // $3a$
            good.replacingCharacter(at: 0, with: "#"),
            good.replacingCharacter(at: 3, with: "."),  // separator missing
            good.replacingCharacter(at: 6, with: "."),
            withCost("03", good),  // cost below 4
            withCost("32", good),  // cost above 31
            withCost("00", good),
            withCost("5a", good),  // cost not two digits
            withCost(" 5", good),
            withCost("+5", good),
            good.replacingCharacter(at: 10, with: "+"),  // standard base64, not bcrypt's, in the salt
            good.replacingCharacter(at: 10, with: "="),
            good.replacingCharacter(at: 20, with: "!"),
            good.replacingCharacter(at: 40, with: "+"),  // outside the alphabet in the checksum
            good.replacingCharacter(at: 59, with: "_"),
            // The salt's last character carries 4 unused bits; only the canonical spelling matches.
            good.replacingCharacter(at: 28, with: "/"),
            // Nor may the checksum's unused last 2 bits be set ("W" → "X").
            good.replacingCharacter(at: 59, with: "X"),
        ]
        for hash in malformed {
            #expect(!BCrypt.verify(password, against: hash), "\(hash)")
        }
    }

    @Test("a cost outside 4…31 throws costOutOfRange")
    func costOutOfRange() throws {
        let salt = [UInt8](repeating: 7, count: 16)
        #expect(throws: BCrypt.Error.costOutOfRange(3)) { try BCrypt.hash("p", cost: 3, salt: salt) }
        #expect(throws: BCrypt.Error.costOutOfRange(32)) { try BCrypt.hash("p", cost: 32, salt: salt) }
        #expect(throws: BCrypt.Error.costOutOfRange(-1)) { try BCrypt.hash("p", cost: -1) }
        #expect(try BCrypt.hash("p", cost: 4, salt: salt).hasPrefix("$2b$04$"))
    }

    @Test("a salt that is not exactly 16 bytes throws badSalt")
    func badSalt() {
        for count in [0, 15, 17, 22] {
            #expect(throws: BCrypt.Error.badSalt) {
                try BCrypt.hash("p", cost: 4, salt: [UInt8](repeating: 1, count: count))
            }
        }
    }

    @Test("hash refuses passwords over 72 bytes and accepts exactly 72")
    func hashRefusesOver72Bytes() throws {
        let salt = saltBytes(of: longVectorHash)
        let seventyTwo = String(longVectorPassword.prefix(72))
        #expect(seventyTwo.utf8.count == 72)
        #expect(throws: BCrypt.Error.passwordTooLong) { try BCrypt.hash(seventyTwo + "x", cost: 5, salt: salt) }
        #expect(throws: BCrypt.Error.passwordTooLong) { try BCrypt.hash(longVectorPassword, cost: 4) }
        // 72 bytes fit, and give the published hash of the longer password, as bcrypt reads only 72.
        #expect(try BCrypt.hash(seventyTwo, cost: 5, salt: salt) == withPrefix("$2b$", longVectorHash))
        // The limit is in bytes, not characters: 25 three-byte characters are 75 bytes.
        #expect(throws: BCrypt.Error.passwordTooLong) { try BCrypt.hash(String(repeating: "密", count: 25), cost: 4) }
    }

    @Test("verify ignores password bytes after the 72nd, as the algorithm does, and none before")
    func verifyIgnoresBytesAfter72() {
        let seventyTwo = String(longVectorPassword.prefix(72))
        #expect(BCrypt.verify(longVectorPassword, against: longVectorHash))
        #expect(BCrypt.verify(seventyTwo, against: longVectorHash))
        #expect(BCrypt.verify(seventyTwo + "anything else at all", against: longVectorHash))
        #expect(!BCrypt.verify(String(seventyTwo.dropLast()), against: longVectorHash))
        #expect(!BCrypt.verify(String(seventyTwo.dropLast()) + "8", against: longVectorHash))
    }

    @Test("a non-ASCII password round-trips and is hashed as its UTF-8 bytes")
    func nonASCIIPassword() throws {
        let password = "Şifre-密码-كلمة"
        let hash = try BCrypt.hash(password, cost: 4)
        #expect(BCrypt.verify(password, against: hash))
        #expect(!BCrypt.verify("Sifre-密码-كلمة", against: hash))
        // Cross-checked with libxcrypt's crypt(3) on the same UTF-8 bytes and salt.
        let salt = saltBytes(of: "$2b$04$abcdefghijklmnopqrstuu")
        #expect(try BCrypt.hash(password, cost: 4, salt: salt)
            == "$2b$04$abcdefghijklmnopqrstuu4CNE1zJeSbynUXjQ8M0jv5/Z8QH/JB2")
    }
}

extension String {
    /// This string with the character at `offset` replaced.
    fileprivate func replacingCharacter(at offset: Int, with replacement: Character) -> String {
        var characters = Array(self)
        characters[offset] = replacement
        return String(characters)
    }
}

import MailTestSupport
import Testing
@testable import Mail

@Suite("SMTPConfiguration.parse(url:)")
struct SMTPConfigurationTests {
    @Test("smtp without credentials: port 25, opportunistic STARTTLS")
    func plain() throws {
        let config = try SMTPConfiguration.parse(url: "smtp://mail.example.com")
        #expect(config.host == "mail.example.com")
        #expect(config.port == 25)
        #expect(config.security == .startTLS(.opportunistic))
        #expect(config.credentials == nil)
    }

    @Test("smtp with credentials: port 587, STARTTLS required, percent-decoded user and password")
    func submission() throws {
        let config = try SMTPConfiguration.parse(url: "smtp://nps%40acme.example.com:p%40ss%3Aw%C3%B6rd%2F%25@smtp.example.com")
        #expect(config.port == 587)
        #expect(config.security == .startTLS(.required))
        #expect(config.credentials == .init(username: "nps@acme.example.com", password: "p@ss:wörd/%"))
    }

    @Test("smtps: port 465, implicit TLS; explicit ports, policies and mechanisms")
    func variants() throws {
        #expect(try SMTPConfiguration.parse(url: "smtps://u:p@smtp.example.com").port == 465)
        #expect(try SMTPConfiguration.parse(url: "SMTPS://u:p@smtp.example.com:2465/").security == .implicitTLS)
        #expect(try SMTPConfiguration.parse(url: "smtp://127.0.0.1:2525?starttls=off").security == .startTLS(.off))
        #expect(try SMTPConfiguration.parse(url: "smtp://u:p@h.example.com?starttls=opportunistic").security == .startTLS(.opportunistic))
        #expect(try SMTPConfiguration.parse(url: "smtp://u:p@h.example.com?starttls=REQUIRED&auth=login").credentials?.mechanism == .login)
        let v6 = try SMTPConfiguration.parse(url: "smtp://[::1]:2525")
        #expect(v6.host == "::1")
        #expect(v6.port == 2525)
        // An unescaped "@" in the password: the host starts after the last "@".
        #expect(try SMTPConfiguration.parse(url: "smtp://u:p@ss@h.example.com").credentials?.password == "p@ss")
    }

    static let invalid: [(String, SMTPConfigurationError)] = [
        ("", .empty),
        ("smtp://host .example.com", .containsWhitespace),
        ("mail.example.com:25", .missingScheme),
        ("http://mail.example.com", .unsupportedScheme("http")),
        ("smtp://", .missingHost),
        ("smtp://u:p@", .missingHost),
        ("smtp://:25", .missingHost),
        ("smtp://mail.example.com:0", .invalidPort("0")),
        ("smtp://mail.example.com:65536", .invalidPort("65536")),
        ("smtp://mail.example.com:+25", .invalidPort("+25")),
        ("smtp://mail.example.com:smtp", .invalidPort("smtp")),
        ("smtp://mail.example.com/relay", .unexpectedPath("/relay")),
        ("smtp://u:p#1@mail.example.com", .fragmentNotAllowed),
        ("smtp://mail_ex!ample.com", .invalidHost("mail_ex!ample.com")),
        ("smtp://[::1", .invalidHost("[::1")),
        ("smtp://user@mail.example.com", .missingPassword),
        ("smtp://user:@mail.example.com", .missingPassword),
        ("smtp://:secret@mail.example.com", .emptyUser),
        ("smtp://u:p%zz@mail.example.com", .invalidPercentEncoding(component: "password")),
        ("smtp://u%ff:p@mail.example.com", .invalidPercentEncoding(component: "user")),
        ("smtp://mail.example.com?tls=on", .unknownParameter("tls")),
        ("smtp://mail.example.com?starttls=off&starttls=required", .duplicateParameter("starttls")),
        ("smtp://mail.example.com?starttls=maybe", .invalidParameterValue(name: "starttls", value: "maybe", allowed: ["required", "opportunistic", "off"])),
        ("smtps://u:p@mail.example.com?starttls=off", .startTLSWithImplicitTLS),
        ("smtp://mail.example.com?auth=plain", .authWithoutCredentials),
        ("smtp://u:p@mail.example.com?auth=cram-md5", .invalidParameterValue(name: "auth", value: "cram-md5", allowed: ["plain", "login"])),
    ]

    @Test("bad URLs are refused with a precise error", arguments: invalid)
    func refuses(_ url: String, _ expected: SMTPConfigurationError) {
        #expect(throws: expected) { try SMTPConfiguration.parse(url: url) }
    }

    @Test("errors say what to do")
    func messages() {
        #expect(SMTPConfigurationError.missingScheme.description == "the SMTP URL must start with smtp:// or smtps://")
        #expect(SMTPConfigurationError.fragmentNotAllowed.description.contains("%23"))
    }
}

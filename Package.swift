// swift-tools-version:6.1
import PackageDescription

/// Every target of ours builds in Swift 6 mode with these upcoming features on
/// (see docs/architecture.md, "Conventions").
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "advocate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "advocate", targets: ["advocate"]),
        .library(name: "NPS", targets: ["NPS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Already in the graph through HummingbirdTesting; named here so webhook delivery can use it.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
    ],
    targets: [
        .target(name: "NPS", swiftSettings: strictSettings),
        .target(
            name: "AdvocateCore",
            dependencies: ["NPS"],
            // Respondent-facing strings, one JSON catalog per language (Resources/Locales/README.md);
            // the starter themes' keywords in the same languages.
            resources: [.copy("Resources/Locales"), .copy("Resources/Themes")],
            swiftSettings: strictSettings
        ),
        // A pass-through SQLite VFS that releases held-back e-mail at the fsync after a commit's
        // WAL write (docs/mail.md, "Sending exactly once"); C, as SQLite's VFS interface is.
        .target(
            name: "WALRelease",
            dependencies: [.product(name: "SQLiteNIO", package: "sqlite-nio")]
        ),
        .target(
            name: "AdvocateStore",
            dependencies: [
                "AdvocateCore",
                "WALRelease",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // SMTP client, MIME composer and DKIM signer; knows nothing of ours (docs/mail.md).
        .target(
            name: "Mail",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The job runner and its jobs (sending invitations, delivering webhooks); docs/jobs.md.
        .target(
            name: "AdvocateJobs",
            dependencies: [
                "AdvocateCore",
                "AdvocateStore",
                "Mail",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AdvocateWeb",
            dependencies: [
                "AdvocateCore",
                "AdvocateStore",
                "AdvocateJobs",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The OpenAPI document, the respondent pages' Mustache templates, and their static
            // assets (style sheet, page script, the in-app widget).
            resources: [.copy("Resources/openapi.json"), .copy("Resources/Templates"), .copy("Resources/Assets")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "advocate",
            dependencies: [
                "AdvocateCore",
                "AdvocateStore",
                "AdvocateWeb",
                "AdvocateJobs",
                "Mail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Shared by the test targets: throwaway databases on SQLite and PostgreSQL.
        .target(
            name: "AdvocateTestSupport",
            dependencies: ["AdvocateStore", "AdvocateCore", .product(name: "SQLKit", package: "sql-kit"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Tests/Support",
            swiftSettings: strictSettings
        ),
        .testTarget(name: "NPSTests", dependencies: ["NPS"], exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(name: "AdvocateCoreTests", dependencies: ["AdvocateCore", "NPS"], swiftSettings: strictSettings),
        .testTarget(
            name: "AdvocateStoreTests",
            dependencies: ["AdvocateStore", "AdvocateCore", "AdvocateTestSupport", "NPS"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AdvocateWebTests",
            dependencies: [
                "AdvocateWeb", "AdvocateStore", "AdvocateCore", "AdvocateTestSupport", "NPS", "AdvocateJobs", "Mail", "MailTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        // aiosmtpd (a real SMTP server) and dkimpy/Python's email package, started and asked by
        // the tests; the Python scripts are in Fixtures (located through #filePath).
        .target(
            name: "MailTestSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tests/MailSupport",
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        // Pure MIME/DKIM tests plus real aiosmtpd and dkimpy (PyPI) started by the tests.
        .testTarget(
            name: "MailTests",
            dependencies: [
                "Mail", "MailTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The job runner, and invitations sent for real to aiosmtpd, on SQLite and PostgreSQL.
        .testTarget(
            name: "AdvocateJobsTests",
            dependencies: [
                "AdvocateJobs", "AdvocateStore", "AdvocateCore", "Mail", "AdvocateTestSupport", "MailTestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // Runs the built `advocate` binary as a user would.
        .testTarget(
            name: "AdvocateCLITests",
            dependencies: ["AdvocateWeb", "AdvocateStore", "AdvocateCore", "AdvocateJobs", "AdvocateTestSupport", "Mail", "MailTestSupport",
                           .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: strictSettings
        ),
    ]
)

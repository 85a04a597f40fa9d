// swift-tools-version:6.0
// Ponder: a terminal chat application for local reasoning models.
// Module map (each module one room with one door):
//   GGUF      file format, validation, tensor views over the mapping, dequantization
//   IQGrids   C data: the IQ1/IQ2/IQ3 lookup grids and sign table (ggml's)
//   Kernels   C: quantized dot products, runtime CPU dispatch, portable fallback
//   Tokenizer byte-level BPE, SentencePiece, chat formats and reasoning profiles
//   Engine    llama forward pass, KV cache, samplers (the primitives a turn loop drives)
//   Session   the turn loop and the turn-level backend seam, actors, persistence, replay
//   TUI       ncurses panes, input, themes (pure render + thin ncurses layer)
//   Remote    OpenAI-compatible servers: endpoint, API key, streamed turns (a TurnBackend)
//   Chat      the chat over a real model, local or on a server: SessionDriver, model loading
//   ponder    the command line (swift-argument-parser), thin over the modules
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Ponder",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ponder", targets: ["ponder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries, through pkg-config.
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CReadline", pkgConfig: "readline",
                       providers: [.apt(["libreadline-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // C shims for macros and C globals that Swift 6 cannot touch directly.
        .target(name: "CShims", dependencies: ["CNcursesw", "CReadline"]),
        // The IQ1/IQ2/IQ3 lookup grids (ggml's, generated from gguf-py): data shared by GGUF and Kernels.
        .target(name: "IQGrids"),
        // SIMD kernels with per-function target attributes; never -march=native.
        .target(name: "Kernels", dependencies: ["IQGrids"],
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),

        .target(name: "GGUF", dependencies: ["IQGrids"], swiftSettings: swiftSettings),
        .target(name: "Tokenizer", dependencies: ["GGUF"], swiftSettings: swiftSettings),
        .target(name: "Engine", dependencies: ["GGUF", "Kernels", "Tokenizer", "COpenBLAS"],
                swiftSettings: swiftSettings),
        .target(name: "Session", dependencies: ["Engine", "Tokenizer", "GGUF"],
                swiftSettings: swiftSettings),
        .target(name: "TUI", dependencies: ["Session", "CShims"], swiftSettings: swiftSettings),
        .target(name: "Remote", dependencies: ["Session", "Tokenizer"], swiftSettings: swiftSettings),
        .target(name: "Chat", dependencies: ["Session", "TUI", "Remote", "Engine", "Tokenizer", "GGUF"],
                swiftSettings: swiftSettings),
        .executableTarget(
            name: "ponder",
            dependencies: [
                "GGUF", "Tokenizer", "Engine", "Session", "TUI", "Remote", "Chat", "Kernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        // Tests. TestSupport finds the cache, the oracle venv and the built binary.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "GGUF", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "GGUF", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Tokenizer", "GGUF", "Kernels", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SessionTests", dependencies: ["Session", "Engine", "Tokenizer", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TUITests", dependencies: ["TUI", "Session", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RemoteTests", dependencies: ["Remote", "Session", "Tokenizer", "TestSupport"],
                    exclude: ["serve.py", "fault_proxy.py", "think_template.jinja", "canned_http.py", "self-signed.pem"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "ChatTests", dependencies: ["Chat", "Session", "TUI", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "CLITests", dependencies: ["Session", "TestSupport"], swiftSettings: swiftSettings),
    ]
)

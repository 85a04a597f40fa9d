import Foundation
import Testing
import TestSupport
@testable import Remote

struct EndpointTests {
    @Test func baseURLs() throws {
        #expect(try ServerEndpoint("http://127.0.0.1:8080").display == "http://127.0.0.1:8080/v1")
        #expect(try ServerEndpoint("http://127.0.0.1:8080/").display == "http://127.0.0.1:8080/v1")
        #expect(try ServerEndpoint("https://integrate.api.nvidia.com/v1").display == "https://integrate.api.nvidia.com/v1")
        #expect(try ServerEndpoint("http://h:1/v1/chat/completions").display == "http://h:1/v1")
        let q = try ServerEndpoint("https://gw.example/openai/v1?api-version=2")
        #expect(q.display == "https://gw.example/openai/v1")
        #expect(q.url("chat/completions").absoluteString == "https://gw.example/openai/v1/chat/completions?api-version=2")
    }

    @Test func refusals() {
        #expect(throws: RemoteError.credentialsInURL) { try ServerEndpoint("http://user:sk-secret@h:8000/v1") }
        for bad in ["", "localhost:8000", "ftp://h/v1", "http://", "not a url"] {
            #expect(throws: RemoteError.self, "\(bad)") { try ServerEndpoint(bad) }
        }
        let e = RemoteError.credentialsInURL.description
        #expect(!e.contains("sk-secret"))
    }

    @Test func theKeyNeverPrints() throws {
        let k = try #require(try APIKey.fromEnvironment(["OPENAI_API_KEY": "sk-abc123\n"]))
        #expect("\(k)" == "(API key hidden)")
        #expect(k.redact("bad key sk-abc123 given") == "bad key (API key hidden) given")
        #expect(try APIKey.fromEnvironment([:]) == nil)
        #expect(try APIKey.fromEnvironment(["PONDER_API_KEY": "p", "OPENAI_API_KEY": "o"])?.value == "p")
        #expect(throws: RemoteError.self) { try APIKey.fromEnvironment(["PONDER_API_KEY_FILE": "/nonexistent/key"]) }
    }

    @Test func plainHTTPOffThisMachineIsWarnedAbout() throws {
        for local in ["http://127.0.0.1:8080", "http://127.1.2.3:1/v1", "http://localhost:8000", "http://[::1]:8080",
                      "https://integrate.api.nvidia.com/v1", "https://10.0.0.5:8443"] {
            #expect(try ServerEndpoint(local).plainTextWarning == nil, "\(local)")
        }
        for remote in ["http://10.0.0.5:8000", "http://gpu-box:8000/v1", "http://127.0.0.1.example.com:80", "http://[::2]:80"] {
            let w = try #require(try ServerEndpoint(remote).plainTextWarning, "\(remote)")
            #expect(w.contains("unencrypted") && !w.contains("\n"))
        }
        // `ponder run` says it once, before it tries the server (here a name that never resolves).
        let r = try runProcess(try TestEnv.ponderBinary(),
                               ["run", "--server", "http://ponder-test.invalid:9", "--served-model", "m", "--prompt", "hi"],
                               timeout: 60)
        #expect(r.status != 0)
        let lines = r.stderrText.split(separator: "\n")
        #expect(lines.filter { $0.contains("travels unencrypted") }.count == 1, "\(r.stderrText)")
    }
}

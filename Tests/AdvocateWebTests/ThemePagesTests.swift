import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Hummingbird
import NPS
import Testing

@Suite("Dashboard themes: the editor with its preview, the terms view, the drivers panel, hand tagging")
struct ThemePagesTests {
    @Test("an admin previews and saves rules without script; what people wrote is escaped; viewers read only; forms need their CSRF token",
          arguments: TestBackend.available)
    func editor(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            _ = try await api.record([
                ResponseSubmission(surveyID: survey, contact: ContactInput(externalID: "a"), score: Score(2)!, comment: "<script>alert(1)</script> destek YAVAŞ", locale: "tr"),
                ResponseSubmission(surveyID: survey, contact: ContactInput(externalID: "b"), score: Score(10)!, comment: "Harika", locale: "tr"),
            ])
            let admin = try await api.signedIn("admin@example.test", role: .admin)
            let empty = try await admin.get("/app/themes")
            #expect(empty.status == .ok && empty.html.contains("No themes yet") && empty.html.contains("Install the starter themes"))

            // A preview shows the matching comment, escaped, and saves nothing.
            let preview = try await admin.post("/app/themes", [("name", "Slow support"), ("rules", "tr: yavaş*\nslow support"), ("action", "preview")])
            #expect(preview.status == .ok && preview.html.contains("1 of the 2 newest comments match"))
            #expect(preview.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; destek YAVAŞ") && !preview.html.contains("<script>alert(1)"))
            #expect(preview.html.contains("tr: yavaş*") && preview.html.contains("No themes yet"))

            // Bad rules: the form comes back with what was typed and the line named.
            let bad = try await admin.post("/app/themes", [("name", "Slow support"), ("rules", "ok\nab*c"), ("action", "save")])
            #expect(bad.status == .badRequest && bad.html.contains("rules line 2.text") && bad.html.contains("ab*c"))

            let saved = try await admin.post("/app/themes", [("name", "Slow support"), ("rules", "tr: yavaş*"), ("action", "save")])
            #expect(saved.status == .seeOther)
            let location = try #require(saved.headers[.location])
            #expect(location.hasPrefix("/app/themes/") && location.hasSuffix("?saved=1"))
            let page = try await admin.get(location)
            #expect(page.status == .ok && page.html.contains("Saved.") && page.html.contains("tr: yavaş*"))
            let id = try #require(Int64(location.dropFirst("/app/themes/".count).prefix { $0.isNumber }))
            #expect(try await api.store.theme(workspaceID: api.workspaceID, id: id)?.rules.map(\.line) == ["tr: yavaş*"])
            #expect(try await admin.get("/app/themes").html.contains("Applying rules to old comments: 0 of 2"))

            // Edit: rename and a new rule; duplicate names are refused.
            #expect(try await admin.post("/app/themes/\(id)", [("name", "Speed"), ("rules", "tr: yavaş*\nslow"), ("action", "save")]).status == .seeOther)
            #expect(try await api.store.theme(workspaceID: api.workspaceID, id: id)?.name == "Speed")
            _ = try await admin.post("/app/themes", [("name", "Other"), ("rules", ""), ("action", "save")])
            let duplicate = try await admin.post("/app/themes/\(id)", [("name", "Other"), ("rules", "slow"), ("action", "save")])
            #expect(duplicate.status == .conflict && duplicate.html.contains("already has a theme named &quot;Other&quot;"))

            // Without the CSRF token, or as a viewer, nothing changes.
            #expect(try await admin.post("/app/themes/\(id)", [("name", "X"), ("rules", ""), ("action", "save")], csrf: false).status == .forbidden)
            let viewer = try await api.signedIn("viewer@example.test", role: .viewer)
            let readOnly = try await viewer.get("/app/themes/\(id)")
            #expect(readOnly.status == .ok && readOnly.html.contains("tr: yavaş*") && !readOnly.html.contains("Preview matches"))
            #expect(try await viewer.post("/app/themes/\(id)", [("name", "X"), ("rules", ""), ("action", "save")]).status == .forbidden)
            #expect(try await viewer.post("/app/themes/starter", []).status == .forbidden)
            #expect(try await api.store.theme(workspaceID: api.workspaceID, id: id)?.name == "Speed")

            // Another workspace's admin cannot see or change it.
            let globex = try await api.store.ensureWorkspace(slug: "globex").workspace
            let stranger = try await api.signedIn("other@example.test", role: .owner, workspaceID: globex.id)
            #expect(try await stranger.get("/app/themes/\(id)").status == .notFound)
            #expect(try await stranger.post("/app/themes/\(id)", [("name", "X"), ("rules", ""), ("action", "delete")]).status == .notFound)

            // The starter set, then deleting a theme.
            #expect(try await admin.post("/app/themes/starter", []).status == .seeOther)
            #expect(try await admin.get("/app/themes").html.contains("Documentation"))
            #expect(try await admin.post("/app/themes/\(id)", [("action", "delete")]).status == .seeOther)
            #expect(try await api.store.theme(workspaceID: api.workspaceID, id: id) == nil)
            #expect(try await RespondentBrowser(api).get("/app/themes").headers[.location] == "/login")
        }
    }

    @Test("the terms view lists what detractors say with examples and makes a term a rule in one step; the report shows the drivers; a member tags a response by hand",
          arguments: TestBackend.available)
    func termsDriversAndHandTagging(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            var items: [ResponseSubmission] = []
            for i in 0..<20 {
                items.append(ResponseSubmission(surveyID: survey, contact: ContactInput(externalID: "d\(i)"), score: Score(i % 7)!, comment: "客服太慢 \(i)", locale: "zh-Hans"))
                items.append(ResponseSubmission(surveyID: survey, contact: ContactInput(externalID: "p\(i)"), score: Score(9 + i % 2)!, comment: "产品很好用 <b>\(i)</b>", locale: "zh-Hans"))
            }
            let ids = try await api.record(items)
            let admin = try await api.signedIn("admin@example.test", role: .admin)
            let terms = try await admin.get("/app/surveys/\(survey)/terms")
            #expect(terms.status == .ok && terms.html.contains("太慢") && terms.html.contains("好用") && terms.html.contains("Make it a rule"))
            #expect(terms.html.contains("&lt;b&gt;") && !terms.html.contains("<b>1"))
            #expect(try await admin.get("/app/surveys/\(survey)/terms?segment=nonsense").status == .badRequest)

            let made = try await admin.post("/app/themes/rule", [("term", "太慢"), ("theme_id", "")])
            #expect(made.status == .seeOther)
            let theme = try #require(try await api.store.themes(workspaceID: api.workspaceID).first)
            #expect(theme.name == "太慢" && theme.rules.map(\.text) == ["太慢"])
            #expect(try await api.runRetags() == 1)

            let report = try await admin.get("/app/surveys/\(survey)")
            #expect(report.status == .ok && report.html.contains("Top reasons people don't"))
            // Every detractor mentions it and no promoter: NPS 0 among commenters, 100 without them.
            #expect(report.html.contains(">太慢</a></th><td>20 (50%)</td><td>-100</td><td>100</td><td>-100.0"))
            // Its name leads to its responses.
            let link = "/app/responses?survey_id=\(survey)&amp;theme_id=\(theme.id)"
            #expect(report.html.contains(link))
            let listed = try await admin.get(link.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(listed.html.contains("客服太慢 19") && !listed.html.contains("产品很好用"))
            #expect(report.html.contains("Among the 40 who commented"))

            // Hand tagging from the response page: a member removes the theme; a viewer cannot.
            let member = try await api.signedIn("member@example.test", role: .member)
            let page = try await member.get("/app/responses/\(ids[0])")
            #expect(page.html.contains("<strong>太慢</strong>") && page.html.contains("by a rule") && page.html.contains("Remove"))
            #expect(try await member.post("/app/responses/\(ids[0])/themes", [("theme_id", "\(theme.id)"), ("applied", "0")]).status == .seeOther)
            #expect(try await api.store.responseThemes(workspaceID: api.workspaceID, responseID: ids[0])?.first?.applied == false)
            #expect(try await member.get("/app/responses/\(ids[0])").html.contains("removed by member@example.test"))
            let viewer = try await api.signedIn("viewer@example.test", role: .viewer)
            #expect(try await viewer.post("/app/responses/\(ids[0])/themes", [("theme_id", "\(theme.id)"), ("applied", "1")]).status == .forbidden)
            #expect(try await api.store.responseThemes(workspaceID: api.workspaceID, responseID: ids[0])?.first?.applied == false)
        }
    }
}

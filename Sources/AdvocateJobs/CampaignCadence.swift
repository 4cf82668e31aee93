import AdvocateCore
import AdvocateStore
import Logging

/// Keeps a recurring campaign ("every contact every 180 days, rolling") inviting: once a day it
/// invites the audience's contacts that are due, then schedules itself for the next day. The
/// invitations and the next run are written in one transaction, so a crash repeats no one.
public struct CampaignCadence: JobHandler {
    public let kind = campaignCadenceJobKind
    private let store: AdvocateStore
    private let logger: Logger

    public init(store: AdvocateStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        guard case .integer(let campaignID)? = job.payload["campaign_id"] else {
            return .finish(.dead(error: "malformed payload: \(job.payload.jsonText)"))
        }
        do {
            let recurs = try await store.runCampaignCadence(campaignID: campaignID, makeToken: InvitationToken.make)
            if !recurs { logger.info("campaign \(campaignID) no longer recurs; its cadence stops") }
            return .finish(.done)
        } catch {
            return .finish(.retry(at: store.clock.now().adding(milliseconds: 15 * 60_000), error: "database: \(String(describing: error))"))
        }
    }
}

namespace Scorpius.Contracts;

/// <summary>
/// Every Dapr component and topic name, in one place. The component YAML under components/ and
/// deploy/k8s/components/ uses exactly these names; a consistency test keeps them in step.
/// </summary>
public static class DaprNames
{
    /// <summary>Key/value state; also the actor state store (actorStateStore: true).</summary>
    public const string StateStore = "scorpius-statestore";

    /// <summary>Pub/sub broker for every topic in <see cref="Topics"/>.</summary>
    public const string PubSub = "scorpius-pubsub";

    /// <summary>Secret store: signing keys, webhook secrets, RPC keys, connection strings.</summary>
    public const string SecretStore = "scorpius-secrets";

    /// <summary>Crypto / KMS building block for signing keys that never leave the key store.</summary>
    public const string Crypto = "scorpius-crypto";

    /// <summary>Output binding (bindings.smtp) that sends e-mail notifications.</summary>
    public const string Email = "scorpius-email";

    /// <summary>Output binding (bindings.twilio.sms) that sends SMS notifications.</summary>
    public const string Sms = "scorpius-sms";

    /// <summary>Cron input binding (bindings.cron) that triggers audit-trail's continuous ledger verification.</summary>
    public const string AuditVerifyCron = "audit-verify-cron";

    public static class Topics
    {
        /// <summary>Audit events from every service; consumed by audit-trail.</summary>
        public const string Audit = "audit";

        /// <summary>A risky transaction or signature request raised an alert.</summary>
        public const string AlertRaised = "alert.raised";

        /// <summary>A verdict was reached for a transaction or signature request.</summary>
        public const string AssessmentCompleted = "assessment.completed";

        /// <summary>A metered unit of usage (API call, assessment, report) for usage-meter.</summary>
        public const string UsageRecorded = "usage.recorded";

        /// <summary>An assessed transaction or request to protect; the workflow host starts one ProtectionWorkflow per assessment.</summary>
        public const string ProtectionRequested = "protection.requested";

        /// <summary>Messages a subscriber answered DROP go here (deadLetterTopic on every subscription).</summary>
        public const string DeadLetter = "deadletter";

        public static IReadOnlyList<string> All { get; } = [Audit, AlertRaised, AssessmentCompleted, UsageRecorded, ProtectionRequested, DeadLetter];
    }

    /// <summary>
    /// The <c>middleware.http.bearer</c> component in the appHttpPipeline of <paramref name="appId"/>'s Configuration:
    /// its sidecar passes a request on to the app only with an access token from auth-proxy (issuer, signature, expiry)
    /// that names <paramref name="appId"/> as audience. One per app of <see cref="BearerProtectedApps"/>, scoped to it.
    /// </summary>
    public static string BearerMiddleware(string appId) => $"scorpius-bearer-{appId}";

    /// <summary>
    /// The apps whose sidecar checks the caller's bearer token before the app sees the call (the apps validate it
    /// again themselves). Not auth-proxy: its token endpoint, JWKS and /v1/me must answer without a token. Not the
    /// dashboard: nobody invokes it through Dapr. Not wallet-guard, audit-trail, notifications and workflows: daprd
    /// sends everything it calls the app for through the app pipeline, without a token (pub/sub deliveries, input
    /// bindings, actor calls and /dapr/config), so the middleware would refuse them; tests/Scorpius.Consistency.Tests
    /// keeps such apps out of this list. Those apps check the token of every invocation themselves.
    /// </summary>
    public static IReadOnlyList<string> BearerProtectedApps { get; } = [ScorpiusApps.UsageMeterId, ScorpiusApps.ReportingId];

    public static IReadOnlyList<string> Components { get; } =
        [StateStore, PubSub, SecretStore, Crypto, Email, Sms, AuditVerifyCron, .. BearerProtectedApps.Select(BearerMiddleware)];
}

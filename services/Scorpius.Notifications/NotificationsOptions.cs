namespace Scorpius.Notifications;

/// <summary>Configuration section <c>Notifications</c>. The defaults follow the Standard Webhooks recommendations.</summary>
public sealed class NotificationsOptions
{
    public const string Section = "Notifications";

    /// <summary>The spec's example schedule: ten attempts over about three days.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetrySchedule { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    /// <summary>
    /// Delays before the 2nd, 3rd, … attempt (the 1st is immediate); empty means <see cref="DefaultRetrySchedule"/>
    /// (configuration binding appends to an array, so the default is applied after binding). A message whose last
    /// attempt fails is exhausted.
    /// </summary>
    public TimeSpan[] RetrySchedule { get; set; } = [];

    /// <summary>Each delay is moved at random by up to this fraction either way, so retries of many messages spread out.</summary>
    public double JitterFraction { get; set; } = 0.1;

    /// <summary>A 429 or 503 answer's Retry-After is honoured up to this long; a longer one is cut to it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long one attempt may take, connection and response included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An endpoint is disabled (and an alert raised) after this many messages in a row exhausted their retries.</summary>
    public int DisableAfterExhaustedMessages { get; set; } = 5;

    /// <summary>After a key rotation the old key keeps signing this long, so receivers can switch without losing messages.</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    public int MaxEndpointsPerTenant { get; set; } = 20;

    /// <summary>
    /// How long the pub/sub handler waits for the state store and the workflow engine before it answers RETRY. The
    /// workflow client waits for its connection rather than failing, so without this a down engine holds the delivery
    /// until daprd's own timeout.
    /// </summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.20.0.0/16</c>) that webhooks may reach although the SSRF guard refuses loopback, private,
    /// link-local and metadata addresses. Empty by default; an operator allowlists on purpose, tests allowlist loopback.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>Accept <c>http://</c> endpoint URLs. Off by default: payloads would travel unencrypted.</summary>
    public bool AllowInsecureHttp { get; set; }
}

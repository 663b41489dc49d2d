namespace Scorpius.AuditTrail;

/// <summary>Configuration section <c>AuditTrail</c>. Secrets are never here: the signing key comes from the Dapr secret store.</summary>
public sealed class AuditTrailOptions
{
    public const string Section = "AuditTrail";

    /// <summary><c>Sqlite</c> (the embedded default) or <c>Postgres</c> (connection string <c>ConnectionStrings:Postgres</c>).</summary>
    public string Store { get; set; } = "Sqlite";

    public bool UsesPostgres => string.Equals(Store, "Postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The SQLite file of the embedded store.</summary>
    public string SqlitePath { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "scorpius", "audit-trail.db");

    /// <summary>The log's origin line in every checkpoint, and the key name of its signature.</summary>
    public string Origin { get; set; } = "scorpius.dev/audit-trail";

    /// <summary>Name of the secret in the Dapr secret store (<c>scorpius-secrets</c>) that holds the checkpoint signing key.</summary>
    public string SigningKeySecret { get; set; } = "audit-trail";

    /// <summary>Key inside that secret: an Ed25519 private key, PKCS#8 PEM or base64 32-byte seed.</summary>
    public string SigningKeySecretKey { get; set; } = "checkpointSigningKey";

    /// <summary>How long a key read from the secret store is used before it is read again (so a rotated key is picked up).</summary>
    public TimeSpan SigningKeyRefresh { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a new checkpoint is signed when the log has grown.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most entries committed in one transaction.</summary>
    public int MaxBatchSize { get; set; } = 2000;

    /// <summary>The most entries one exported bundle may hold.</summary>
    public int MaxBundleEntries { get; set; } = 10_000;

    /// <summary>A delivered message larger than this is recorded as rejected, with only its first bytes kept.</summary>
    public int MaxMessageBytes { get; set; } = 1 << 20;
}

using Microsoft.EntityFrameworkCore;

namespace Scorpius.AuthProxy.Identity;

public sealed class Tenant
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A tenant's custom role (see <see cref="RoleCatalog"/>); scopes are stored space-separated.</summary>
public sealed class RoleDefinition
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public string? InheritsFrom { get; set; }
    public string Scopes { get; set; } = "";
}

/// <summary>An API key. The secret is never stored: only its SHA-256, compared in constant time.</summary>
public sealed class ApiKey
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Environment { get; set; }
    public required byte[] SecretHash { get; set; }
    public string Scopes { get; set; } = "";
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>One MFA recovery code of a subject, stored as a hash; <see cref="UsedAt"/> makes it single-use.</summary>
public sealed class RecoveryCode
{
    public long Id { get; set; }
    public required string SubjectId { get; set; }
    public required byte[] CodeHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>The ABAC policy settings of the platform (one row), so a change survives restarts and reaches every replica.</summary>
public sealed class PolicySettingsRecord
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    public required string Json { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>The identity store: auth-proxy's own entities plus OpenIddict's applications, authorizations, scopes and tokens.</summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<RoleDefinition> Roles => Set<RoleDefinition>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();
    public DbSet<User> Users => Set<User>();
    public DbSet<WebAuthnCredential> WebAuthnCredentials => Set<WebAuthnCredential>();
    public DbSet<LoginChallenge> LoginChallenges => Set<LoginChallenge>();
    public DbSet<PolicySettingsRecord> PolicySettings => Set<PolicySettingsRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(e => { e.HasKey(t => t.Id); e.Property(t => t.Id).HasMaxLength(64); });
        modelBuilder.Entity<RoleDefinition>(e =>
        {
            e.HasIndex(r => new { r.TenantId, r.Name }).IsUnique();
            e.Property(r => r.TenantId).HasMaxLength(64);
            e.Property(r => r.Name).HasMaxLength(100);
        });
        modelBuilder.Entity<ApiKey>(e =>
        {
            e.HasKey(k => k.Id);
            e.Property(k => k.Id).HasMaxLength(32);
            e.HasIndex(k => k.TenantId);
        });
        modelBuilder.Entity<RecoveryCode>(e => e.HasIndex(c => c.SubjectId));
        modelBuilder.Entity<PolicySettingsRecord>(e => { e.HasKey(p => p.Id); e.Property(p => p.Id).ValueGeneratedNever(); e.Property(p => p.Version).IsConcurrencyToken(); });
        modelBuilder.Entity<User>(e =>
        {
            e.HasKey(u => u.Id);
            e.Property(u => u.Id).HasMaxLength(32);
            e.Property(u => u.TenantId).HasMaxLength(64);
            e.Property(u => u.Email).HasMaxLength(320);
            e.HasIndex(u => new { u.TenantId, u.Email }).IsUnique();
        });
        modelBuilder.Entity<WebAuthnCredential>(e =>
        {
            e.HasIndex(c => c.UserId);
            e.HasIndex(c => c.CredentialId).IsUnique();
        });
        modelBuilder.Entity<LoginChallenge>(e =>
        {
            e.HasKey(c => c.Id);
            e.Property(c => c.Id).HasMaxLength(64);
            e.HasIndex(c => c.UserId);
        });
        // SQLite cannot order or compare DateTimeOffset; store UTC ticks everywhere so both providers behave alike.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        foreach (var property in entity.GetProperties())
        {
            if (property.ClrType == typeof(DateTimeOffset)) property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
            if (property.ClrType == typeof(DateTimeOffset?)) property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
        }
        modelBuilder.UseOpenIddict();
    }
}

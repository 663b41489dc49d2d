namespace Scorpius.AuthProxy.Identity;

/// <summary>A person who logs in. <see cref="Email"/> is stored trimmed and lower-case, unique per tenant.</summary>
public sealed class User
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string Email { get; set; }
    public string DisplayName { get; set; } = "";

    /// <summary>See <see cref="Users.PasswordHasher"/> for the versioned format.</summary>
    public required string PasswordHash { get; set; }

    /// <summary>Space-separated role names, each known to the tenant's <see cref="RoleCatalog"/>.</summary>
    public string Roles { get; set; } = "";
    public string? Department { get; set; }
    public string? Clearance { get; set; }
    public string? PhoneNumber { get; set; }
    public bool Disabled { get; set; }

    public int FailedAttempts { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>The TOTP shared secret, AES-GCM encrypted with the data key (see <see cref="Mfa.SecretBox"/>); confirmed once a code matched.</summary>
    public byte[]? TotpSecret { get; set; }
    public bool TotpConfirmed { get; set; }
    public long? TotpLastStep { get; set; }

    /// <summary>The options of a WebAuthn registration in progress (JSON), until the authenticator's answer arrives.</summary>
    public string? PendingWebAuthnOptions { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> RoleList => Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A registered WebAuthn authenticator (public key credential) of a user.</summary>
public sealed class WebAuthnCredential
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public required byte[] CredentialId { get; set; }
    public required byte[] PublicKey { get; set; }
    public long SignCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class ChallengePurpose
{
    public const string Mfa = "mfa";
    public const string Enrollment = "enrollment";
}

/// <summary>
/// The state between a correct password and the second factor. The client holds the opaque challenge; the row is keyed by
/// its SHA-256 only. Used once, expires, and is burnt after <see cref="Login.LoginService.MaxChallengeAttempts"/> wrong answers.
/// </summary>
public sealed class LoginChallenge
{
    public required string Id { get; set; }
    public required string UserId { get; set; }
    public required string TenantId { get; set; }
    public required string Purpose { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }

    /// <summary>WebAuthn assertion options (JSON) handed out for this challenge.</summary>
    public string? WebAuthnOptions { get; set; }

    public byte[]? SmsCodeHash { get; set; }
    public DateTimeOffset? SmsExpiresAt { get; set; }
    public int SmsAttempts { get; set; }
}

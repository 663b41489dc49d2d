using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Scorpius.AuthProxy.Users;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes in a versioned string: <c>pbkdf2-sha256$v1${iterations}${salt}${hash}</c> (base64 salt of
/// 16 random bytes, 32-byte hash). The iteration count travels with the hash, so it can be raised without breaking old ones.
/// </summary>
public static class PasswordHasher
{
    public const int Iterations = 210_000;
    private const string Prefix = "pbkdf2-sha256$v1$";
    private static readonly byte[] DummySalt = SHA256.HashData("scorpius-dummy-salt"u8)[..16];
    private static readonly byte[] DummyHash = new byte[32];

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Prefix}{Iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Constant-time check; a malformed stored hash never matches (but still costs a full derivation).</summary>
    public static bool Verify(string password, string stored)
    {
        var (iterations, salt, expected) = Parse(stored);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return CryptographicOperations.FixedTimeEquals(actual, expected) && !ReferenceEquals(expected, DummyHash);
    }

    /// <summary>Spends the same work as a real verification, for unknown users: the answer's timing does not tell who exists.</summary>
    public static void VerifyDummy(string password) =>
        CryptographicOperations.FixedTimeEquals(Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), DummySalt, Iterations, HashAlgorithmName.SHA256, 32), DummyHash);

    private static (int Iterations, byte[] Salt, byte[] Hash) Parse(string stored)
    {
        var parts = stored.StartsWith(Prefix, StringComparison.Ordinal) ? stored[Prefix.Length..].Split('$') : [];
        try
        {
            if (parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) && iterations >= Iterations)
                return (iterations, Convert.FromBase64String(parts[1]), Convert.FromBase64String(parts[2]));
        }
        catch (FormatException)
        {
        }
        return (Iterations, DummySalt, DummyHash);
    }
}

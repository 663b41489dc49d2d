using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Scorpius.AuthProxy.Identity;

namespace Scorpius.AuthProxy.Mfa;

/// <summary>MFA recovery codes: shown once, stored as SHA-256 hashes, each usable a single time.</summary>
public sealed class RecoveryCodeService(AuthDbContext db, TimeProvider clock)
{
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    /// <summary>Replaces the subject's codes with <paramref name="count"/> new ones (format <c>xxxxx-xxxxx</c>) and returns them in plain text.</summary>
    public async Task<IReadOnlyList<string>> RegenerateAsync(string subjectId, int count, CancellationToken cancellationToken)
    {
        await db.RecoveryCodes.Where(c => c.SubjectId == subjectId).ExecuteDeleteAsync(cancellationToken);
        var codes = Enumerable.Range(0, count)
            .Select(_ => $"{RandomNumberGenerator.GetString(Alphabet, 5)}-{RandomNumberGenerator.GetString(Alphabet, 5)}").ToArray();
        var now = clock.GetUtcNow();
        db.RecoveryCodes.AddRange(codes.Select(c => new RecoveryCode { SubjectId = subjectId, CodeHash = Hash(c), CreatedAt = now }));
        await db.SaveChangesAsync(cancellationToken);
        return codes;
    }

    /// <summary>True once per code; false for a wrong, used or foreign code.</summary>
    public async Task<bool> RedeemAsync(string subjectId, string code, CancellationToken cancellationToken)
    {
        var hash = Hash(code.Trim().ToLowerInvariant());
        var candidates = await db.RecoveryCodes.AsNoTracking().Where(c => c.SubjectId == subjectId && c.UsedAt == null).ToListAsync(cancellationToken);
        RecoveryCode? match = null;
        foreach (var candidate in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate.CodeHash, hash)) match = candidate;
        }
        if (match is null) return false;
        DateTimeOffset? usedAt = clock.GetUtcNow();
        // The UsedAt == null condition makes a concurrent second redemption of the same code update no row.
        var updated = await db.RecoveryCodes.Where(c => c.Id == match.Id && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, usedAt), cancellationToken);
        return updated == 1;
    }

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));
}

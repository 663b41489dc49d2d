using System.Text;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Scorpius.AuthProxy.Identity;

namespace Scorpius.AuthProxy.Mfa;

/// <summary>
/// WebAuthn (Fido2 4.3) registration and assertion for one relying party (<c>AuthProxy:WebAuthn</c>). Options handed to the
/// browser are kept server side (on the user or the login challenge) and the answer is checked against them once.
/// </summary>
public sealed class WebAuthnService(AuthDbContext db, IOptions<AuthProxyOptions> options, TimeProvider clock)
{
    private IFido2 Fido => new Fido2(new Fido2Configuration
    {
        RPID = options.Value.WebAuthn.RpId,
        RPName = options.Value.WebAuthn.RpName,
        Origins = new HashSet<string>(options.Value.WebAuthn.EffectiveOrigins, StringComparer.Ordinal),
    });

    public async Task<CredentialCreateOptions> RegistrationOptionsAsync(User user, CancellationToken cancellationToken)
    {
        var existing = await db.WebAuthnCredentials.Where(c => c.UserId == user.Id).Select(c => c.CredentialId).ToListAsync(cancellationToken);
        var created = Fido.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = Encoding.UTF8.GetBytes(user.Id), Name = user.Email, DisplayName = user.DisplayName.Length > 0 ? user.DisplayName : user.Email },
            ExcludeCredentials = [.. existing.Select(id => new PublicKeyCredentialDescriptor(id))],
            AuthenticatorSelection = new AuthenticatorSelection { UserVerification = UserVerificationRequirement.Preferred },
            AttestationPreference = AttestationConveyancePreference.None,
        });
        user.PendingWebAuthnOptions = created.ToJson();
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>Checks the authenticator's attestation against the pending options and stores the credential; throws <see cref="Fido2VerificationException"/> when it does not verify.</summary>
    public async Task<WebAuthnCredential> RegisterAsync(User user, AuthenticatorAttestationRawResponse response, CancellationToken cancellationToken)
    {
        if (user.PendingWebAuthnOptions is not { } pending) throw new Fido2VerificationException("No registration is in progress.");
        user.PendingWebAuthnOptions = null;
        await db.SaveChangesAsync(cancellationToken);
        var registered = await Fido.MakeNewCredentialAsync(new MakeNewCredentialParams
        {
            AttestationResponse = response,
            OriginalOptions = CredentialCreateOptions.FromJson(pending),
            IsCredentialIdUniqueToUserCallback = async (p, ct) => !await db.WebAuthnCredentials.AnyAsync(c => c.CredentialId == p.CredentialId, ct),
        }, cancellationToken);
        var credential = new WebAuthnCredential
        {
            UserId = user.Id, CredentialId = registered.Id, PublicKey = registered.PublicKey, SignCount = registered.SignCount, CreatedAt = clock.GetUtcNow(),
        };
        db.WebAuthnCredentials.Add(credential);
        await db.SaveChangesAsync(cancellationToken);
        return credential;
    }

    public async Task<AssertionOptions> AssertionOptionsAsync(User user, CancellationToken cancellationToken)
    {
        var ids = await db.WebAuthnCredentials.Where(c => c.UserId == user.Id).Select(c => c.CredentialId).ToListAsync(cancellationToken);
        return Fido.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = [.. ids.Select(id => new PublicKeyCredentialDescriptor(id))],
            UserVerification = UserVerificationRequirement.Preferred,
        });
    }

    /// <summary>True when the assertion answers <paramref name="optionsJson"/> with one of the user's credentials and a signature counter that moved forward.</summary>
    public async Task<bool> VerifyAssertionAsync(User user, string optionsJson, AuthenticatorAssertionRawResponse assertion, CancellationToken cancellationToken)
    {
        var credentials = await db.WebAuthnCredentials.Where(c => c.UserId == user.Id).ToListAsync(cancellationToken);
        var credential = credentials.FirstOrDefault(c => assertion.RawId is { } raw && c.CredentialId.AsSpan().SequenceEqual(raw));
        if (credential is null) return false;
        try
        {
            var result = await Fido.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = assertion,
                OriginalOptions = AssertionOptions.FromJson(optionsJson),
                StoredPublicKey = credential.PublicKey,
                StoredSignatureCounter = (uint)credential.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (p, _) => Task.FromResult(
                    p.UserHandle is null || p.UserHandle.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(user.Id))),
            }, cancellationToken);
            // Only move the counter forward, so two racing assertions with the same counter cannot both pass.
            var updated = await db.WebAuthnCredentials.Where(c => c.Id == credential.Id && c.SignCount == credential.SignCount)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.SignCount, (long)result.SignCount), cancellationToken);
            return updated == 1;
        }
        catch (Fido2VerificationException)
        {
            return false;
        }
    }
}

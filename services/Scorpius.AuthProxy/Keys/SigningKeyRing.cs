using System.Security.Cryptography;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using Scorpius.Contracts;

namespace Scorpius.AuthProxy.Keys;

/// <summary>
/// The token signing and encryption keys, read from the Dapr secret store (secret <c>auth-proxy</c> in
/// <see cref="DaprNames.SecretStore"/>): <c>signing-key</c>, <c>encryption-key</c> and optionally <c>signing-key-previous</c>
/// (RSA private keys, PEM). The previous key is published in the JWKS and accepted, so tokens it signed stay valid after a rotation.
/// Keys are never generated or written to disk by auth-proxy.
/// </summary>
public sealed class SigningKeyRing
{
    public const string SecretName = "auth-proxy";
    public const string SigningKey = "signing-key";
    public const string PreviousSigningKey = "signing-key-previous";
    public const string EncryptionKey = "encryption-key";
    public const string ClientSecretPrefix = "client-";

    private volatile LoadedKeys? keys;

    public bool IsLoaded => keys is not null;

    internal LoadedKeys Current => keys ?? throw new InvalidOperationException("The signing keys have not been loaded from the secret store yet.");

    public async Task<IReadOnlyDictionary<string, string>> LoadAsync(DaprClient dapr, CancellationToken cancellationToken)
    {
        var secret = await dapr.GetSecretAsync(DaprNames.SecretStore, SecretName, cancellationToken: cancellationToken);
        var signing = Rsa(secret, SigningKey) ?? throw new InvalidOperationException($"Secret '{SecretName}' has no '{SigningKey}'.");
        var encryption = Rsa(secret, EncryptionKey) ?? throw new InvalidOperationException($"Secret '{SecretName}' has no '{EncryptionKey}'.");
        keys = new LoadedKeys(signing, Rsa(secret, PreviousSigningKey), encryption);
        return secret;
    }

    private static RsaSecurityKey? Rsa(IReadOnlyDictionary<string, string> secret, string name)
    {
        if (!secret.TryGetValue(name, out var pem) || string.IsNullOrWhiteSpace(pem)) return null;
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        var key = new RsaSecurityKey(rsa);
        // A stable key id derived from the public key, so a verifier can pick the right key across rotations.
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }

    internal sealed record LoadedKeys(RsaSecurityKey Signing, RsaSecurityKey? PreviousSigning, RsaSecurityKey Encryption);
}

/// <summary>Feeds the loaded keys to OpenIddict. Options are first built after <see cref="Bootstrap.AuthBootstrap"/> has loaded them.</summary>
internal sealed class KeyRingServerOptionsSetup(SigningKeyRing ring) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        var keys = ring.Current;
        options.SigningCredentials.Add(new SigningCredentials(keys.Signing, SecurityAlgorithms.RsaSha256));
        if (keys.PreviousSigning is not null) options.SigningCredentials.Add(new SigningCredentials(keys.PreviousSigning, SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(keys.Encryption, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}

using Microsoft.AspNetCore.Http;

namespace Scorpius.ServiceDefaults.Security;

public enum CredentialKind { AccessToken, ApiKey }

/// <summary>What a caller presented: <c>Authorization: Bearer …</c> (an access token or an API key) or <c>X-Api-Key: scp_…</c>.</summary>
public sealed record Credential(CredentialKind Kind, string Value)
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKeyPrefix = "scp_";

    /// <summary>False with a null error when the request carries no credential at all; false with an error when it carries a broken one.</summary>
    public static bool TryRead(HttpRequest request, out Credential? credential, out string? error)
    {
        credential = null;
        error = null;
        var authorization = request.Headers.Authorization;
        var apiKey = request.Headers[ApiKeyHeader];
        if (authorization.Count == 0 && apiKey.Count == 0) return false;
        if (authorization.Count + apiKey.Count > 1)
        {
            error = "Present one credential: either an Authorization header or an X-Api-Key header.";
            return false;
        }

        string value;
        if (apiKey.Count == 1)
        {
            value = apiKey[0] ?? "";
            if (!value.StartsWith(ApiKeyPrefix, StringComparison.Ordinal)) { error = "X-Api-Key must carry an scp_ API key."; return false; }
        }
        else
        {
            var header = authorization[0] ?? "";
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) { error = "Only the Bearer authorization scheme is accepted."; return false; }
            value = header["Bearer ".Length..].Trim();
        }
        if (value.Length is 0 or > 16_384) { error = "The credential is empty or too long."; return false; }
        credential = new Credential(value.StartsWith(ApiKeyPrefix, StringComparison.Ordinal) ? CredentialKind.ApiKey : CredentialKind.AccessToken, value);
        return true;
    }
}

using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Scorpius.Contracts;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>
/// Validates an access token locally: RFC 9068 <c>at+jwt</c>, signed (RS256/PS256/ES256) by a key of the token server,
/// issued by the configured issuer, naming this app as audience, within its lifetime. <c>alg: none</c> never passes.
/// </summary>
public sealed class TokenValidator(SigningKeys keys, IOptions<AuthSettings> options)
{
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };

    public async Task<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        JsonWebToken jwt;
        try
        {
            jwt = handler.ReadJsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException)
        {
            return new TokenValidationResult { IsValid = false, Exception = new SecurityTokenMalformedException("The access token is not a well-formed JWT.", ex) };
        }
        var settings = options.Value;
        var issuer = settings.Issuer.AbsoluteUri;
        var parameters = new TokenValidationParameters
        {
            ValidIssuers = [issuer, issuer.TrimEnd('/')],
            ValidAudience = settings.Audience,
            IssuerSigningKeys = await keys.GetAsync(jwt.Kid, cancellationToken),
            ValidAlgorithms = Algorithms,
            ValidTypes = ["at+jwt"],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = settings.ClockSkew,
            NameClaimType = ScorpiusClaims.Subject,
            RoleClaimType = ScorpiusClaims.Role,
            AuthenticationType = ScorpiusAuth.CredentialScheme,
        };
        return await handler.ValidateTokenAsync(jwt, parameters);
    }
}

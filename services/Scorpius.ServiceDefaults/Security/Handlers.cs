using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>Authenticates the caller's access token or API key through the app's <see cref="ICredentialResolver"/>.</summary>
public sealed partial class CredentialAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, ICredentialResolver resolver)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Credential.TryRead(Request, out var credential, out var error))
            return error is null ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(error);
        try
        {
            var result = await resolver.ResolveAsync(Context, credential!, Context.RequestAborted);
            return result.Principal is { } principal
                ? AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name))
                : AuthenticateResult.Fail(result.Failure ?? "The credential was refused.");
        }
        catch (CredentialStatusUnavailableException ex)
        {
            LogStatusUnavailable(Logger, ex.Message);
            return AuthenticateResult.Fail("The credential could not be checked; try again shortly.");
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // RFC 6750: say which scheme is expected and, when a credential was refused, that it is invalid (not why).
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        var presented = Request.Headers.Authorization.Count > 0 || Request.Headers[Credential.ApiKeyHeader].Count > 0;
        Response.Headers.WWWAuthenticate = presented ? "Bearer error=\"invalid_token\"" : "Bearer";
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a credential that could not be checked: {Reason}")]
    private static partial void LogStatusUnavailable(ILogger logger, string reason);
}

/// <summary>
/// Authenticates calls made by this app's own Dapr sidecar: the <c>dapr-api-token</c> header must equal the app API
/// token (<c>APP_API_TOKEN</c>, compared in constant time). Where no app token is configured (a local <c>dapr run</c>),
/// only calls from the loopback interface pass.
/// </summary>
public sealed class DaprCallbackAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var expected = configuration[ScorpiusAuth.AppApiTokenSetting];
        if (string.IsNullOrEmpty(expected))
        {
            var remote = Context.Connection.RemoteIpAddress;
            return Task.FromResult(remote is not null && IPAddress.IsLoopback(remote)
                ? Success("loopback")
                : AuthenticateResult.Fail("No app API token is configured and the call does not come from this host."));
        }
        var presented = Request.Headers[ScorpiusAuth.DaprApiTokenHeader].ToString();
        if (presented.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        var equal = CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
        return Task.FromResult(equal ? Success("app-api-token") : AuthenticateResult.Fail("The app API token does not match."));
    }

    private AuthenticateResult Success(string how)
    {
        var identity = new ClaimsIdentity(Scheme.Name);
        identity.AddClaim(new Claim(ClaimTypes.Name, "dapr"));
        identity.AddClaim(new Claim(ScorpiusAuth.CredentialKindClaim, how));
        if (Request.Headers["dapr-caller-app-id"].ToString() is { Length: > 0 } caller) identity.AddClaim(new Claim(ScorpiusAuth.CallerAppIdClaim, caller));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }
}

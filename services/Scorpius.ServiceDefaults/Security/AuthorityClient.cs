using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>
/// HTTP to the token server through Dapr service invocation (<c>http://{sidecar}/v1.0/invoke/auth-proxy/method/…</c>, the
/// SDK's invocation handler adds the sidecar's API token), so access-control policies and mTLS apply to it like to any call.
/// </summary>
public sealed class AuthorityClient : IDisposable
{
    private readonly HttpClient http;

    public AuthorityClient(IConfiguration configuration, IOptions<AuthSettings> settings)
    {
        http = DaprClient.CreateInvokeHttpClient(settings.Value.AuthorityAppId, DaprEndpoints.HttpEndpoint(configuration), DaprEndpoints.ApiToken(configuration));
        http.Timeout = TimeSpan.FromSeconds(5);
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => http.SendAsync(request, cancellationToken);

    public void Dispose() => http.Dispose();
}

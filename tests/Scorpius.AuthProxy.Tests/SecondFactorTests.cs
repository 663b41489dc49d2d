using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Scorpius.AuthProxy.Tests;

/// <summary>WebAuthn with a software authenticator, SMS codes through the Dapr binding, and enrolment without a data key.</summary>
public sealed partial class SecondFactorTests
{
    [Fact]
    public async Task A_security_user_enrols_a_security_key_and_logs_in_with_it_while_bad_signatures_and_replayed_counters_are_refused()
    {
        await using var host = await AuthProxyHost.StartAsync();
        await IdentityClient.CreateUserAsync(host, "sec@example.com", [Identity.Roles.Security]);
        using var authenticator = new SoftwareAuthenticator();
        using var browser = host.Browser();

        var login = await IdentityClient.LoginAsync(browser, "sec@example.com");
        Assert.Equal("mfa_enrollment_required", login["status"]!.GetValue<string>());
        browser.DefaultRequestHeaders.Add(Mfa.MfaEndpoints.ChallengeHeader, login["challenge"]!.GetValue<string>());
        var options = (await (await browser.PostAsync("/v1/mfa/webauthn/register/options", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("localhost", options["rp"]!["id"]!.GetValue<string>());
        authenticator.SignCount = 1;
        var registered = await browser.PostAsJsonAsync("/v1/mfa/webauthn/register", authenticator.Register(options));
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        Assert.Equal("authenticated", (await registered.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        browser.DefaultRequestHeaders.Remove(Mfa.MfaEndpoints.ChallengeHeader);

        async Task<(string Challenge, JsonObject Options)> StartAsync()
        {
            var next = await IdentityClient.LoginAsync(browser, "sec@example.com");
            Assert.Equal("mfa_required", next["status"]!.GetValue<string>());
            Assert.Contains("webauthn", next["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
            var challenge = next["challenge"]!.GetValue<string>();
            var assertionOptions = await browser.PostAsJsonAsync("/v1/login/mfa/webauthn/options", new { challenge });
            Assert.True(assertionOptions.IsSuccessStatusCode, await assertionOptions.Content.ReadAsStringAsync());
            return (challenge, (await assertionOptions.Content.ReadFromJsonAsync<JsonObject>())!);
        }

        var (c1, o1) = await StartAsync();
        authenticator.SignCount = 2;
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, c1, "webauthn", assertion: authenticator.Assert(o1, corruptSignature: true))).StatusCode);
        var (c2, o2) = await StartAsync();
        var ok = await IdentityClient.MfaAsync(browser, c2, "webauthn", assertion: authenticator.Assert(o2));
        Assert.True(ok.StatusCode == HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());

        // A cloned authenticator (the counter did not move forward) is refused.
        var (c3, o3) = await StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, c3, "webauthn", assertion: authenticator.Assert(o3))).StatusCode);
        var (c4, o4) = await StartAsync();
        authenticator.SignCount = 1;
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, c4, "webauthn", assertion: authenticator.Assert(o4))).StatusCode);
        var (c5, o5) = await StartAsync();
        authenticator.SignCount = 3;
        Assert.Equal(HttpStatusCode.OK, (await IdentityClient.MfaAsync(browser, c5, "webauthn", assertion: authenticator.Assert(o5))).StatusCode);
    }

    [Fact]
    public async Task An_sms_code_goes_through_the_binding_works_once_and_five_wrong_codes_burn_it()
    {
        await using var host = await AuthProxyHost.StartAsync();
        host.Sidecar.AddBinding(DaprNames.Sms);
        await IdentityClient.CreateUserAsync(host, "phone@example.com", [Identity.Roles.Viewer], phone: "+14155550100");
        using var browser = host.Browser();

        var login = await IdentityClient.LoginAsync(browser, "phone@example.com");
        Assert.Equal("mfa_required", login["status"]!.GetValue<string>());
        Assert.Equal(["sms"], login["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        var challenge = login["challenge"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Accepted, (await browser.PostAsJsonAsync("/v1/login/mfa/sms", new { challenge })).StatusCode);
        var call = Assert.Single(host.Sidecar.BindingCalls);
        Assert.Equal((DaprNames.Sms, "create", "+14155550100"), (call.Name, call.Operation, call.Metadata["toNumber"]));
        var code = SixDigits().Match(call.Data).Value;

        // The row keeps only a hash.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var row = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Identity.AuthDbContext>(scope.ServiceProvider)
                .LoginChallenges.Single();
            Assert.Equal(32, row.SmsCodeHash!.Length);
        }
        var wrong = code == "000000" ? "111111" : "000000";
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, challenge, "sms", wrong)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IdentityClient.MfaAsync(browser, challenge, "sms", code)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, challenge, "sms", code)).StatusCode);

        var again = (await IdentityClient.LoginAsync(browser, "phone@example.com"))["challenge"]!.GetValue<string>();
        await browser.PostAsJsonAsync("/v1/login/mfa/sms", new { challenge = again });
        var second = SixDigits().Match(host.Sidecar.BindingCalls[^1].Data).Value;
        var other = second == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, again, "sms", other)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, again, "sms", second)).StatusCode);
    }

    [Fact]
    public async Task Without_a_data_key_totp_enrolment_is_a_clear_503()
    {
        await using var host = await AuthProxyHost.StartAsync(withDataKey: false);
        await IdentityClient.CreateUserAsync(host, "viewer@example.com", [Identity.Roles.Viewer]);
        using var browser = host.Browser();
        await IdentityClient.LoginAsync(browser, "viewer@example.com");
        var response = await browser.PostAsync("/v1/mfa/totp", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("data-key", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.PostAsync("/v1/mfa/totp", null)).StatusCode);
    }

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();
}

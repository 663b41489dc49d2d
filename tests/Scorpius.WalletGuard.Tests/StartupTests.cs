using System.Net;
using Dapr.Actors.Client;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.Testing;
using Scorpius.WalletGuard.Actors;
using Scorpius.WalletGuard.Assessments;

namespace Scorpius.WalletGuard.Tests;

/// <summary>The real host, with nothing replaced: it starts, answers liveness, and resolves its services (the actor proxy factory from AddActors).</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task The_app_starts_and_resolves_its_services_without_test_doubles()
    {
        await using var app = new ScorpiusAppFactory<Program>();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.NotNull(app.Services.GetRequiredService<AssessmentService>());
        Assert.NotNull(app.Services.GetRequiredService<WalletActors>());
        Assert.IsNotType<Support.InProcessActorProxyFactory>(app.Services.GetRequiredService<IActorProxyFactory>());
    }
}

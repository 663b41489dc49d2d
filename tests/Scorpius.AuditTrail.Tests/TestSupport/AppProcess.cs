using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Scorpius.Contracts;
using Scorpius.Testing;

namespace Scorpius.AuditTrail.Tests.TestSupport;

/// <summary>The built audit-trail app running as its own OS process, the way `dapr run` starts it, so a test can kill it.</summary>
internal sealed class AppProcess : IAsyncDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private int disposed;

    private AppProcess(Process process, HttpClient client)
    {
        this.process = process;
        Client = client;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Client { get; }
    public string Output => string.Join('\n', output);

    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var dll = RepoPaths.Combine(ScorpiusApps.AuditTrail.ProjectDir, "bin", Configuration, "net10.0", "Scorpius.AuditTrail.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first.");
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(dll)! };
        psi.ArgumentList.Add(dll);
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DAPR_HTTP_ENDPOINT"] = "http://127.0.0.1:9";
        psi.Environment["DAPR_GRPC_ENDPOINT"] = "http://127.0.0.1:9";
        psi.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        // The test plays the sidecar: it delivers events and fires the cron binding with the app API token.
        var appToken = "app-token-" + Guid.NewGuid().ToString("N");
        psi.Environment["APP_API_TOKEN"] = appToken;
        foreach (var (key, value) in environment) psi.Environment[key] = value;

        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("dapr-api-token", appToken);
        var app = new AppProcess(Process.Start(psi)!, client);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            Assert.False(app.process.HasExited, "The app exited:\n" + app.Output);
            try
            {
                if ((await app.Client.GetAsync("/health/live", deadline.Token)).StatusCode == HttpStatusCode.OK) return app;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100, deadline.Token);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, whatever was in flight is cut off.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        Client.Dispose();
        if (!process.HasExited) Kill();
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

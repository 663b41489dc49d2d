using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.Testing;

namespace Scorpius.Platform.Tests.Smoke;

/// <summary>
/// An app's real entry point, started as its own process the way `dapr run` starts it: it listens, answers, and writes
/// structured JSON logs that carry the W3C trace id of the request.
/// </summary>
public sealed class ProcessSmokeTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task WalletGuard_runs_as_a_process_and_logs_json_with_the_request_trace_id()
    {
        var app = ScorpiusApps.WalletGuard;
        var dll = RepoPaths.Combine(app.ProjectDir, "bin", Configuration, "net10.0", "Scorpius.WalletGuard.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first.");
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DAPR_HTTP_ENDPOINT"] = "http://127.0.0.1:9";
        psi.Environment["DAPR_GRPC_ENDPOINT"] = "http://127.0.0.1:9";
        psi.WorkingDirectory = Path.GetDirectoryName(dll)!;

        var lines = new ConcurrentQueue<string>();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // No header propagator: other in-process test hosts register HttpClient tracing, which would otherwise replace
            // the traceparent we set with one of a fresh trace.
            using var http = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromSeconds(5),
            };
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (true)
            {
                Assert.False(process.HasExited, "The app exited:\n" + string.Join('\n', lines));
                try
                {
                    if ((await http.GetAsync("/health/live", deadline.Token)).StatusCode == HttpStatusCode.OK) break;
                }
                catch (HttpRequestException) { }
                await Task.Delay(100, deadline.Token);
            }

            var traceId = ActivityTraceId.CreateRandom().ToHexString();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/nothing-here");
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            // No credential: refused before routing can tell whether the path exists; the refusal is logged with the trace id.
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request, deadline.Token)).StatusCode);

            JsonObject? logged = null;
            while (logged is null && !deadline.IsCancellationRequested)
            {
                // The request log line (other lines of the same request, e.g. the authentication challenge, carry the id too).
                logged = lines.Select(TryParse).FirstOrDefault(j => j?["@tr"]?.GetValue<string>() == traceId && j["StatusCode"] is not null);
                if (logged is null) await Task.Delay(50, deadline.Token);
            }
            Assert.NotNull(logged);
            Assert.Equal(app.AppId, logged!["app"]!.GetValue<string>());
            Assert.Equal(401, logged["StatusCode"]!.GetValue<int>());
            Assert.False(string.IsNullOrEmpty(logged["@sp"]?.GetValue<string>()));
            Assert.All(lines.Where(l => l.StartsWith('{')), l => Assert.NotNull(TryParse(l)));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static JsonObject? TryParse(string line)
    {
        try { return JsonNode.Parse(line) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

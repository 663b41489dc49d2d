using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Scorpius.Contracts;
using Scorpius.Testing;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;

// dotnet build -c Release Scorpius.sln && dotnet run -c Release --project benchmarks/Scorpius.WalletGuard.Load -- [rate=2000] [seconds=15]
// Needs `hey` (Debian package hey). Prints p50/p99 latency and requests/s for POST /v1/assessments at the given rate, the
// same for GET /health/live (the ceiling: everything but the assessment), and an unthrottled assessment run.
var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
const int Connections = 16;

await using var sidecar = await FakeDaprSidecar.StartAsync();
using var identity = TestIdentity.On(sidecar);
var token = identity.Token("tenant-load", Permissions.AssessmentsWrite, Permissions.WalletsRead);

var dll = RepoPaths.Combine(ScorpiusApps.WalletGuard.ProjectDir, "bin", "Release", "net10.0", "Scorpius.WalletGuard.dll");
if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: dotnet build -c Release Scorpius.sln first.");
var port = FreePort();
var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
psi.ArgumentList.Add(dll);
foreach (var (key, value) in sidecar.AppSettings) psi.Environment[key] = value;
psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
psi.Environment["Serilog__MinimumLevel__Default"] = "Warning";
using var app = Process.Start(psi)!;
app.OutputDataReceived += (_, _) => { };
app.ErrorDataReceived += (_, _) => { };
app.BeginOutputReadLine();
app.BeginErrorReadLine();
try
{
    var baseUrl = $"http://127.0.0.1:{port}";
    using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    for (var i = 0; ; i++)
    {
        try { if ((await http.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) break; } catch (HttpRequestException) { }
        if (i > 600) throw new TimeoutException("wallet-guard did not start.");
        await Task.Delay(100);
    }
    // One realistic pre-sign check: an unlimited ERC-20 approval to an unknown spender.
    var body = Path.GetTempFileName();
    await File.WriteAllTextAsync(body, """
        {"id":"load-1","chain":"ethereum","chainId":1,"kind":"transaction","transaction":{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","value":"0","data":"0x095ea7b30000000000000000000000001111111111111111111111111111111111111111ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}}
        """);
    using (var warm = new HttpRequestMessage(HttpMethod.Post, "/v1/assessments") { Content = new StringContent(File.ReadAllText(body), System.Text.Encoding.UTF8, "application/json") })
    {
        warm.Headers.Authorization = new("Bearer", token);
        var answer = await http.SendAsync(warm);
        Console.WriteLine($"warm-up: {(int)answer.StatusCode} {(await answer.Content.ReadAsStringAsync())[..Math.Min(160, (int)answer.Content.Headers.ContentLength.GetValueOrDefault(160))]}");
        if (!answer.IsSuccessStatusCode) return 1;
    }
    await HeyAsync("warm-up (not reported)", ["-z", "5s", "-c", $"{Connections}", "-m", "POST", "-T", "application/json", "-D", body, "-H", $"Authorization: Bearer {token}", $"{baseUrl}/v1/assessments"], quiet: true);
    var perWorker = Math.Max(1, rate / Connections);
    await HeyAsync($"GET /health/live at {perWorker * Connections}/s (ceiling)", ["-z", $"{seconds}s", "-c", $"{Connections}", "-q", $"{perWorker}", $"{baseUrl}/health/live"]);
    await HeyAsync($"POST /v1/assessments at {perWorker * Connections}/s", ["-z", $"{seconds}s", "-c", $"{Connections}", "-q", $"{perWorker}", "-m", "POST", "-T", "application/json", "-D", body, "-H", $"Authorization: Bearer {token}", $"{baseUrl}/v1/assessments"]);
    await HeyAsync("POST /v1/assessments unthrottled", ["-z", $"{seconds}s", "-c", $"{Connections}", "-m", "POST", "-T", "application/json", "-D", body, "-H", $"Authorization: Bearer {token}", $"{baseUrl}/v1/assessments"]);
    Console.WriteLine($"protection requests published: {sidecar.PubSub.Published.Count(m => m.Topic == DaprNames.Topics.ProtectionRequested)}");
    return 0;
}
finally
{
    app.Kill(entireProcessTree: true);
}

static async Task HeyAsync(string title, string[] arguments, bool quiet = false)
{
    var psi = new ProcessStartInfo("hey") { UseShellExecute = false, RedirectStandardOutput = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    using var hey = Process.Start(psi) ?? throw new InvalidOperationException("hey is not installed (apt-get install hey).");
    var output = await hey.StandardOutput.ReadToEndAsync();
    await hey.WaitForExitAsync();
    if (quiet) return;
    string Find(string pattern) => Regex.Match(output, pattern, RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";
    static string Ms(string secs) => double.TryParse(secs, CultureInfo.InvariantCulture, out var s) ? $"{s * 1000:F2} ms" : secs;
    var statuses = string.Join(", ", Regex.Matches(output, @"^\s+\[(\d{3})\]\s+(\d+) responses", RegexOptions.Multiline).Select(m => $"{m.Groups[1].Value}×{m.Groups[2].Value}"));
    Console.WriteLine($"{title}: {Find(@"Requests/sec:\s+([\d.]+)")} req/s, p50 {Ms(Find(@"50%+ in ([\d.]+) secs"))}, p99 {Ms(Find(@"99%+ in ([\d.]+) secs"))}, statuses {statuses}");
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

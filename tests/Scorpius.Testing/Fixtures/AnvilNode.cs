using Xunit;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Scorpius.Testing.Fixtures;

/// <summary>
/// A real local Ethereum node (foundry's anvil, from the npm package @foundry-rs/anvil-linux-amd64) on a free loopback
/// port, started fresh for each fixture so tests never share chain state. It starts at block 0 with ten funded
/// development accounts (chain id 31337).
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    public const string BinaryEnvironmentVariable = "SCORPIUS_ANVIL_BIN";
    public const string NpmPackage = "@foundry-rs/anvil-linux-amd64@1.7.1";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process process;
    private long requestId;

    private AnvilNode(Process process, string rpcUrl)
    {
        this.process = process;
        RpcUrl = rpcUrl;
    }

    public string RpcUrl { get; }

    /// <summary>The first development account's well-known private key (anvil's default mnemonic). Test use only.</summary>
    public const string DevAccount0PrivateKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public const string DevAccount0Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    public static string FindBinary() =>
        ExternalProcess.Find("anvil",
            [Environment.GetEnvironmentVariable(BinaryEnvironmentVariable) ?? "",
             RepoPaths.Combine(".tools", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil")])
        ?? throw new InvalidOperationException(
            $"anvil was not found. Install it with `npm install --prefix .tools {NpmPackage}` (scripts/test.sh does this), " +
            $"put it on PATH, or set {BinaryEnvironmentVariable} to its path.");

    public static async Task<AnvilNode> StartAsync(CancellationToken cancellationToken = default)
    {
        var port = ExternalProcess.FreeTcpPort();
        var psi = new ProcessStartInfo(FindBinary()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", "31337" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start anvil.");
        // Drain its output so a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var node = new AnvilNode(process, $"http://127.0.0.1:{port}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"anvil exited with code {process.ExitCode} before it answered on {node.RpcUrl}.");
            try
            {
                await node.RpcAsync("eth_chainId", [], timeout.Token);
                return node;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    /// <summary>One JSON-RPC call; returns <c>result</c> or throws with the node's <c>error</c>.</summary>
    public async Task<JsonNode?> RpcAsync(string method, JsonArray parameters, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref requestId), ["method"] = method, ["params"] = parameters };
        using var response = await Http.PostAsJsonAsync(RpcUrl, request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken) ?? throw new InvalidOperationException("Empty JSON-RPC answer.");
        if (body["error"] is { } error) throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
        return body["result"];
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}

/// <summary>xunit fixture: one fresh anvil node per test class or collection.</summary>
public sealed class AnvilFixture : IAsyncLifetime
{
    private AnvilNode? node;

    public AnvilNode Node => node ?? throw new InvalidOperationException("The anvil fixture is not initialised.");

    public async Task InitializeAsync() => node = await AnvilNode.StartAsync();

    public async Task DisposeAsync()
    {
        if (node is not null) await node.DisposeAsync();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Scorpius.Testing.Fixtures;

namespace Scorpius.EndToEnd.Tests.Support;

/// <summary>A mined transaction: its hash, block, and when its receipt was first seen (a <see cref="Stopwatch"/> timestamp).</summary>
public sealed record Mined(string Hash, long Block, long SeenAt);

/// <summary>Transactions on anvil from its unlocked development accounts (anvil mines each in a block of its own), and the test ERC-20.</summary>
public sealed class Chain(AnvilNode node)
{
    public static readonly BigInteger Unlimited = BigInteger.Pow(2, 256) - 1;

    public string Token { get; private set; } = "";

    public async Task DeployTokenAsync()
    {
        var bytecode = (await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Contracts", "ScorpiusTestToken.bin"))).Trim();
        var mined = await SendAsync(AnvilNode.DevAccount0Address, null, "0x" + bytecode + Word(BigInteger.Parse("1000000000000000000000000", CultureInfo.InvariantCulture)));
        var receipt = (await node.RpcAsync("eth_getTransactionReceipt", [mined.Hash]))!;
        Token = receipt["contractAddress"]!.GetValue<string>();
    }

    public async Task<long> HeadAsync() => Hex((await node.RpcAsync("eth_blockNumber", []))!.GetValue<string>());

    public Task<Mined> ApproveAsync(string from, string spender, BigInteger amount) => SendAsync(from, Token, "0x095ea7b3" + Word(spender) + Word(amount));

    public Task<Mined> TransferAsync(string from, string to, BigInteger amount) => SendAsync(from, Token, "0xa9059cbb" + Word(to) + Word(amount));

    /// <summary>eth_sendTransaction, then the receipt (awaited, status checked): the block is mined when this returns.</summary>
    public async Task<Mined> SendAsync(string from, string? to, string data)
    {
        var tx = new JsonObject { ["from"] = from, ["data"] = data, ["gas"] = "0x1e8480" };
        if (to is not null) tx["to"] = to;
        var hash = (await node.RpcAsync("eth_sendTransaction", [tx]))!.GetValue<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await node.RpcAsync("eth_getTransactionReceipt", [hash], deadline.Token) is { } receipt)
            {
                var seenAt = Stopwatch.GetTimestamp();
                if (receipt["status"]!.GetValue<string>() != "0x1") throw new InvalidOperationException($"Transaction {hash} reverted.");
                return new Mined(hash, Hex(receipt["blockNumber"]!.GetValue<string>()), seenAt);
            }
            await Task.Delay(10, deadline.Token);
        }
    }

    private static long Hex(string value) => Convert.ToInt64(value, 16);

    private static string Word(string address) => new string('0', 24) + address[2..].ToLowerInvariant();

    private static string Word(BigInteger value)
    {
        var hex = value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return hex.PadLeft(64, '0');
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NBitcoin;
using NBitcoin.DataEncoders;

namespace Scorpius.ChainMonitor.Tests;

/// <summary>
/// A STAND-IN for Bitcoin Core's JSON-RPC server, for tests: no Bitcoin Core node can be installed on this machine (there
/// is no bitcoind in apt or npm here), so the Bitcoin monitor is tested against this small in-process Kestrel app instead.
/// It is a test double, not a node. The blocks it serves are real: built with NBitcoin on regtest (regtest genesis,
/// coinbases with the BIP-34 height, real signed transactions, merkle roots, proof of work for the regtest target), and
/// its answers follow the shapes documented for Bitcoin Core 23+ (<c>getblockcount</c>; <c>getblockhash</c>;
/// <c>getblock</c> at verbosity 0 to 3, verbosity 3 with each input's <c>prevout</c>), the JSON-RPC 1.0 envelope with HTTP
/// 500 / 404 and <c>application/json</c> for errors, and HTTP basic authentication (401 on a wrong user or password).
/// </summary>
/// <remarks>
/// Not modelled: consensus validation of any kind (scripts, signatures, amounts, coinbase maturity, the segwit witness
/// commitment, difficulty adjustment), the mempool, wallets, batched requests, named parameters, every other RPC method
/// (404 "Method not found"), <c>chainwork</c> and output descriptors (<c>desc</c>) in the JSON, pruning, and the
/// work-queue limit. A reorg is what the test says it is (<see cref="Disconnect"/> then <see cref="Mine(Transaction[])"/>),
/// not the chain with the most work. Like Bitcoin Core, prevouts (and fees) are given only for blocks in the best chain.
/// </remarks>
public sealed class BitcoinCoreStandIn : IAsyncDisposable
{
    public const string User = "scorpius";
    public const string Password = "stand-in-password";

    private readonly WebApplication host;
    private readonly object gate = new();
    private readonly List<Block> chain = [];
    private readonly Dictionary<uint256, Block> known = [];
    private readonly ConcurrentQueue<string> calls = new();
    private int mined;

    private BitcoinCoreStandIn(WebApplication host)
    {
        this.host = host;
        var genesis = Network.GetGenesis();
        chain.Add(genesis);
        known[genesis.GetHash()] = genesis;
    }

    public static Network Network => Network.RegTest;

    /// <summary>Who receives the coinbase of blocks mined without an explicit payee.</summary>
    public Key Miner { get; } = new();

    public Uri RpcUrl { get; private set; } = null!;

    /// <summary>The highest getblock verbosity accepted; 2 makes verbosity 3 an RPC error (-8), as a node without it would.</summary>
    public int MaxVerbosity { get; set; } = 3;

    /// <summary>Every call served, as <c>method param,param</c>.</summary>
    public IReadOnlyList<string> Calls => [.. calls];

    public int Height
    {
        get { lock (gate) return chain.Count - 1; }
    }

    public Block Tip
    {
        get { lock (gate) return chain[^1]; }
    }

    public static async Task<BitcoinCoreStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var standIn = new BitcoinCoreStandIn(app);
        app.MapPost("/", standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.RpcUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        await host.DisposeAsync();
    }

    /// <summary>Mines a block on the tip with these transactions after a coinbase paying 50 BTC to <see cref="Miner"/>.</summary>
    public Block Mine(params Transaction[] transactions) => Mine(Miner.PubKey.WitHash.ScriptPubKey, transactions);

    /// <summary>Mines a block on the tip with these transactions after a coinbase paying 50 BTC (plus nothing for fees) to <paramref name="coinbaseTo"/>.</summary>
    public Block Mine(Script coinbaseTo, params Transaction[] transactions)
    {
        lock (gate)
        {
            var parent = chain[^1];
            var height = chain.Count;
            var coinbase = Network.CreateTransaction();
            // BIP-34 height, then a counter so a replacement block at the same height has another coinbase (and txid).
            coinbase.Inputs.Add(new TxIn(new OutPoint(), new Script(Op.GetPushOp(height), Op.GetPushOp(++mined), Op.GetPushOp(Encoding.ASCII.GetBytes("stand-in")))));
            coinbase.Outputs.Add(Money.Coins(50), coinbaseTo);

            var block = Network.Consensus.ConsensusFactory.CreateBlock();
            block.Header.Version = 0x20000000;
            block.Header.HashPrevBlock = parent.GetHash();
            block.Header.BlockTime = parent.Header.BlockTime + TimeSpan.FromMinutes(10);
            block.Header.Bits = parent.Header.Bits;
            block.AddTransaction(coinbase);
            foreach (var tx in transactions) block.AddTransaction(tx);
            block.UpdateMerkleRoot();
            while (!block.Header.CheckProofOfWork()) block.Header.Nonce++;

            chain.Add(block);
            known[block.GetHash()] = block;
            return block;
        }
    }

    /// <summary>Takes the top blocks off the best chain (like <c>invalidateblock</c>); they stay known, as stale blocks. Mining then builds the new branch.</summary>
    public void Disconnect(int count)
    {
        lock (gate)
        {
            if (count >= chain.Count) throw new ArgumentOutOfRangeException(nameof(count), "The genesis block stays.");
            chain.RemoveRange(chain.Count - count, count);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        if (!string.Equals(context.Request.Headers.Authorization.ToString(), expected, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"jsonrpc\"";
            return;
        }

        JsonNode? id = null;
        int status;
        JsonObject body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var request = JsonNode.Parse(document.RootElement.GetRawText()) as JsonObject ?? throw new RpcError(-32600, "Invalid Request object", 400);
            id = request["id"]?.DeepClone();
            var method = request["method"]?.GetValue<string>() ?? throw new RpcError(-32600, "Method must be a string", 400);
            var parameters = request["params"] as JsonArray ?? [];
            calls.Enqueue($"{method} {string.Join(',', parameters.Select(p => p?.ToJsonString()))}");
            JsonNode? result;
            lock (gate) result = Dispatch(method, parameters);
            (status, body) = (200, new JsonObject { ["result"] = result, ["error"] = null, ["id"] = id });
        }
        catch (RpcError error)
        {
            (status, body) = (error.Status, new JsonObject
            {
                ["result"] = null,
                ["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message },
                ["id"] = id,
            });
        }
        catch (JsonException)
        {
            (status, body) = (500, new JsonObject { ["result"] = null, ["error"] = new JsonObject { ["code"] = -32700, ["message"] = "Parse error" }, ["id"] = null });
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString() + "\n", context.RequestAborted);
    }

    private JsonNode? Dispatch(string method, JsonArray parameters)
    {
        switch (method)
        {
            case "getblockcount":
                return chain.Count - 1;
            case "getblockhash":
                var height = IntParam(parameters, 0, "height");
                if (height < 0 || height >= chain.Count) throw new RpcError(-8, "Block height out of range");
                return chain[height].GetHash().ToString();
            case "getblock":
                var hashText = parameters.Count > 0 && parameters[0] is JsonValue v && v.TryGetValue<string>(out var s) ? s
                    : throw new RpcError(-3, "JSON value of type null is not of expected type string");
                if (!uint256.TryParse(hashText, out var hash) || hashText.Length != 64) throw new RpcError(-8, $"blockhash must be of length 64 (not {hashText.Length}, for '{hashText}')");
                var verbosity = parameters.Count < 2 || parameters[1] is null ? 1
                    : parameters[1]!.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? (parameters[1]!.GetValue<bool>() ? 1 : 0)
                    : IntParam(parameters, 1, "verbosity");
                if (verbosity > MaxVerbosity) throw new RpcError(-8, $"Verbosity must be in range 0..{MaxVerbosity}");
                if (!known.TryGetValue(hash, out var block)) throw new RpcError(-5, "Block not found");
                return verbosity <= 0 ? Encoders.Hex.EncodeData(block.ToBytes()) : BlockJson(block, verbosity);
            default:
                throw new RpcError(-32601, "Method not found", 404);
        }
    }

    private static int IntParam(JsonArray parameters, int index, string name) =>
        parameters.Count > index && parameters[index] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number)
            ? number : throw new RpcError(-3, $"{name}: expected a number");

    private JsonObject BlockJson(Block block, int verbosity)
    {
        var hash = block.GetHash();
        var height = chain.FindIndex(b => b.GetHash() == hash);
        var inBestChain = height >= 0;
        if (!inBestChain) height = HeightOfStale(block);
        var times = Enumerable.Range(0, 11).Select(i => height - i).Where(h => h >= 0 && inBestChain)
            .Select(h => chain[h].Header.BlockTime.ToUnixTimeSeconds()).Order().ToList();
        var json = new JsonObject
        {
            ["hash"] = hash.ToString(),
            ["confirmations"] = inBestChain ? chain.Count - height : -1,
            ["height"] = height,
            ["version"] = block.Header.Version,
            ["versionHex"] = block.Header.Version.ToString("x8", CultureInfo.InvariantCulture),
            ["merkleroot"] = block.Header.HashMerkleRoot.ToString(),
            ["time"] = block.Header.BlockTime.ToUnixTimeSeconds(),
            ["mediantime"] = times.Count > 0 ? times[times.Count / 2] : block.Header.BlockTime.ToUnixTimeSeconds(),
            ["nonce"] = block.Header.Nonce,
            ["bits"] = block.Header.Bits.ToCompact().ToString("x8", CultureInfo.InvariantCulture),
            ["difficulty"] = block.Header.Bits.Difficulty,
            ["nTx"] = block.Transactions.Count,
        };
        if (block.Header.HashPrevBlock != uint256.Zero) json["previousblockhash"] = block.Header.HashPrevBlock.ToString();
        if (inBestChain && height + 1 < chain.Count) json["nextblockhash"] = chain[height + 1].GetHash().ToString();
        var size = block.ToBytes().Length;
        var stripped = size - block.Transactions.Sum(t => t.ToBytes().Length - t.WithOptions(TransactionOptions.None).ToBytes().Length);
        json["strippedsize"] = stripped;
        json["size"] = size;
        json["weight"] = stripped * 3 + size;
        json["tx"] = verbosity == 1
            ? new JsonArray([.. block.Transactions.Select(t => (JsonNode)JsonValue.Create(t.GetHash().ToString()))])
            : new JsonArray([.. block.Transactions.Select(t => (JsonNode)TransactionJson(t, verbosity, inBestChain))]);
        return json;
    }

    private int HeightOfStale(Block block)
    {
        var height = 0;
        for (var current = block; known.TryGetValue(current.Header.HashPrevBlock, out var parent); current = parent) height++;
        return height;
    }

    /// <summary>Bitcoin Core's TxToUniv: verbosity 3 adds each input's prevout (best chain only), verbosity 2 and 3 the fee.</summary>
    private JsonObject TransactionJson(Transaction tx, int verbosity, bool inBestChain)
    {
        var size = tx.ToBytes().Length;
        var stripped = tx.WithOptions(TransactionOptions.None).ToBytes().Length;
        var vin = new JsonArray();
        Money? spent = Money.Zero;
        foreach (var input in tx.Inputs)
        {
            var entry = new JsonObject();
            if (input.PrevOut.IsNull)
            {
                entry["coinbase"] = input.ScriptSig.ToHex();
            }
            else
            {
                entry["txid"] = input.PrevOut.Hash.ToString();
                entry["vout"] = input.PrevOut.N;
                entry["scriptSig"] = new JsonObject { ["asm"] = input.ScriptSig.ToString(), ["hex"] = input.ScriptSig.ToHex() };
            }
            if (tx.HasWitness && input.WitScript.PushCount > 0)
                entry["txinwitness"] = new JsonArray([.. input.WitScript.Pushes.Select(p => (JsonNode)JsonValue.Create(Encoders.Hex.EncodeData(p)))]);
            if (!input.PrevOut.IsNull)
            {
                var previous = inBestChain ? FindInBestChain(input.PrevOut.Hash) : null;
                if (previous is { } found && input.PrevOut.N < found.Tx.Outputs.Count)
                {
                    var output = found.Tx.Outputs[(int)input.PrevOut.N];
                    spent = spent is null ? null : spent + output.Value;
                    if (verbosity >= 3)
                    {
                        entry["prevout"] = new JsonObject
                        {
                            ["generated"] = found.Tx.IsCoinBase,
                            ["height"] = found.Height,
                            ["value"] = Btc(output.Value),
                            ["scriptPubKey"] = ScriptPubKeyJson(output.ScriptPubKey),
                        };
                    }
                }
                else
                {
                    spent = null;
                }
            }
            entry["sequence"] = (uint)input.Sequence;
            vin.Add(entry);
        }
        var vout = new JsonArray([.. tx.Outputs.Select((o, n) => (JsonNode)new JsonObject
        {
            ["value"] = Btc(o.Value),
            ["n"] = n,
            ["scriptPubKey"] = ScriptPubKeyJson(o.ScriptPubKey),
        })]);
        var json = new JsonObject
        {
            ["txid"] = tx.GetHash().ToString(),
            ["hash"] = tx.GetWitHash().ToString(),
            ["version"] = tx.Version,
            ["size"] = size,
            ["vsize"] = tx.GetVirtualSize(),
            ["weight"] = stripped * 3 + size,
            ["locktime"] = tx.LockTime.Value,
            ["vin"] = vin,
            ["vout"] = vout,
        };
        if (!tx.IsCoinBase && spent is not null) json["fee"] = Btc(spent - tx.TotalOut);
        json["hex"] = tx.ToHex();
        return json;
    }

    private (Transaction Tx, int Height)? FindInBestChain(uint256 txid)
    {
        for (var height = 0; height < chain.Count; height++)
        {
            if (chain[height].Transactions.FirstOrDefault(t => t.GetHash() == txid) is { } tx) return (tx, height);
        }
        return null;
    }

    private static JsonObject ScriptPubKeyJson(Script script)
    {
        var json = new JsonObject { ["asm"] = script.ToString(), ["hex"] = script.ToHex() };
        if (script.GetDestinationAddress(Network) is { } address) json["address"] = address.ToString();
        json["type"] = script switch
        {
            _ when script.IsScriptType(ScriptType.P2PKH) => "pubkeyhash",
            _ when script.IsScriptType(ScriptType.P2SH) => "scripthash",
            _ when script.IsScriptType(ScriptType.P2WPKH) => "witness_v0_keyhash",
            _ when script.IsScriptType(ScriptType.P2WSH) => "witness_v0_scripthash",
            _ when script.IsScriptType(ScriptType.Taproot) => "witness_v1_taproot",
            _ when script.IsScriptType(ScriptType.P2PK) => "pubkey",
            _ when script.IsScriptType(ScriptType.MultiSig) => "multisig",
            _ when script.IsUnspendable => "nulldata",
            _ => "nonstandard",
        };
        return json;
    }

    /// <summary>An amount in BTC with eight decimals, as Bitcoin Core writes it.</summary>
    private static JsonNode Btc(Money amount) => JsonValue.Create(decimal.Round(amount.ToDecimal(MoneyUnit.BTC), 8));

    private sealed class RpcError(int code, string message, int status = 500) : Exception(message)
    {
        public int Code { get; } = code;
        public int Status { get; } = status;
    }
}
